#!/usr/bin/env python3
"""AgentDesk's pjsua2: pjproject built from source against the system's
OpenSSL and Speex and a libsrtp2 built here on OpenSSL (srtp.py), packed as
a wheel for the Python that runs this.

    python installers/pjsua2/build.py key     print the build's cache key
    python installers/pjsua2/build.py wheel   build it unless cached; print the wheel's path

Why not PyPI's `pjsua2-python`: it bundles OpenSSL 1.0.2k, long out of
upstream support, for SIP over TLS, and its pjsua allows 4 calls a process.

The source is `pjproject-2.17.tar.xz` next to this script: the pjproject
component of Debian's asterisk source package (no pjproject release is
reachable from where AgentDesk is built), checked against
`pjproject.sha256` before use. Debian's repack leaves out the bundled
third-party libraries (hence libsrtp2's own source next to it, and the
system's Speex) and one audio device's source, which the makefile still
lists.

The wheel lands in `~/.cache/agentdesk/pjsua2/<key>/` ($XDG_CACHE_HOME
moves it), where the key is a hash of both tarballs, these scripts,
config_site.h and the Python version: a second run, or CI with its cache
kept, finds it there. The build runs in a temporary folder under a lock,
and only the finished wheel is moved into place, so an interrupted build
never leaves a half entry. The compiler's output goes to a log; a failure
shows its tail.

Needs (Debian): g++ make swig libssl-dev libspeex-dev libspeexdsp-dev
uuid-dev (installers/dev.sh installs them).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import srtp
from steps import HERE, OPTIMIZE, BuildError, Source, compile_env, file_sha256, jobs, run, say

CONFIG_SITE = HERE / "config_site.h"
PJPROJECT = Source.named_in("pjproject", "pjproject.sha256")
RECIPE = ("build.py", "steps.py", "srtp.py", "config_site.h")  # what the cache key hashes besides the sources
BUILD_TAG = "agentdesk1"  # the wheel's local version: pjproject's own plus this

# --disable-shared: the module carries pjproject itself, so nothing else on
# the system can change it. No sound devices: the desktop drives pjmedia from
# its own PortAudio clock (agentdesk/desktop/phone/mediaclock.py). Only the
# codecs the desktop offers (G.722, G.711) and Speex, which the system has.
# SRTP: srtp.py's static libsrtp2 (the "external" one, as the repack has none).
CONFIGURE = [
    "--disable-shared", "--disable-sound", "--disable-video", "--with-external-srtp", "--with-external-speex",
    "--enable-speex-resample", "--disable-gsm-codec", "--disable-g7221-codec", "--disable-ilbc-codec",
    "--disable-opus", "--disable-libyuv", "--disable-libwebrtc", "--disable-upnp", "--disable-sdl",
    "--disable-ffmpeg", "--disable-v4l2", "--disable-openh264", "--disable-vpx", "--disable-bcg729",
    "--disable-lyra", "--disable-silk", "--disable-opencore-amr",
]
SWIG_DIR = "pjsip-apps/src/swig/python"


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "agentdesk" / "pjsua2"


def python_tag() -> str:
    if sys.implementation.name != "cpython":
        raise BuildError(f"pjsua2 is built for CPython; this is {sys.implementation.name}.")
    return f"cp{sys.version_info.major}{sys.version_info.minor}"


def platform_tag() -> str:
    return sysconfig.get_platform().replace("-", "_").replace(".", "_")


def build_key() -> str:
    """What decides the wheel's content: the sources, the recipe, the settings,
    and the Python (its ABI and platform)."""
    parts = [PJPROJECT.digest, srtp.SOURCE.digest, *(file_sha256(HERE / name) for name in RECIPE),
             python_tag(), platform_tag(), str(sysconfig.get_config_var("EXT_SUFFIX"))]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def cached_wheel(folder: Path) -> Path | None:
    wheels = sorted(folder.glob("pjsua2-*.whl")) if folder.is_dir() else []
    return wheels[0] if wheels else None


@contextlib.contextmanager
def build_lock(root: Path) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def wheel() -> Path:
    root, key = cache_root(), build_key()
    found = cached_wheel(root / key)
    if found is not None:
        return found
    with build_lock(root):
        found = cached_wheel(root / key)  # built meanwhile by another run
        if found is not None:
            return found
        for leftover in root.glob(".building-*"):  # an interrupted build's; nobody else holds the lock
            shutil.rmtree(leftover, ignore_errors=True)
        work = Path(tempfile.mkdtemp(prefix=".building-", dir=root))
        try:
            built = build(work)
            os.rename(built.parent, root / key)  # the finished entry appears at once, or not at all
            return root / key / built.name
        finally:
            shutil.rmtree(work, ignore_errors=True)


def build(work: Path) -> Path:
    """Build in `work`; returns the wheel, alone in a folder of its own."""
    started = time.monotonic()
    out = work / "out"
    out.mkdir()
    log_path = work / "build.log"
    say("Building pjsua2 from pjproject's source (a few minutes, once; log in the cache folder)")
    with log_path.open("w", encoding="utf-8") as log:
        try:
            # Both sources are checked before anything is built.
            source = PJPROJECT.unpack(work / "src")
            libsrtp = srtp.SOURCE.unpack(work / "srtp-src")
            srtp_prefix = work / "srtp"
            srtp.build(libsrtp, srtp_prefix, log)
            prepare(source)
            compile_library(source, srtp_prefix, log)
            module = compile_module(source, srtp_prefix, out, log)
        except BuildError as error:
            kept = work.parent / "build-failed.log"
            shutil.copyfile(log_path, kept)
            tail = log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-40:]
            raise BuildError(f"{error}\n--- the last lines of {kept} ---\n" + "\n".join(tail)) from None
    result = pack_wheel(source, module, out)
    module.unlink()
    shutil.copyfile(log_path, out / "build.log")
    say(f"pjsua2 built in {time.monotonic() - started:.0f} s: {result.name}, {result.stat().st_size / 1e6:.1f} MB")
    return result


def prepare(source: Path) -> None:
    makefile = source / "pjmedia/build/Makefile"
    text = makefile.read_text(encoding="utf-8")
    if " bdimad_dev.o " not in text:
        raise BuildError("pjmedia's makefile no longer lists bdimad_dev.o: check this recipe against the source.")
    # Debian's repack removed bdimad_dev.c (a Windows-only device).
    makefile.write_text(text.replace(" bdimad_dev.o ", " "), encoding="utf-8")
    shutil.copyfile(CONFIG_SITE, source / "pjlib/include/pj/config_site.h")


def build_env(source: Path, srtp_prefix: Path) -> dict[str, str]:
    """configure finds srtp.py's libsrtp2 through these flags and writes
    them into pjproject's build.mak, where the module's link reads them."""
    return compile_env({source: "pjproject", srtp_prefix: "libsrtp2"}, f"-I{srtp_prefix}/include",
                       LDFLAGS=f"-L{srtp_prefix}/lib")


def compile_library(source: Path, srtp_prefix: Path, log: TextIO) -> None:
    env = build_env(source, srtp_prefix)
    # LIBS: configure's test links against the static libsrtp2 need the
    # libcrypto it calls (pjproject's own OpenSSL check comes later).
    run(["./configure", *CONFIGURE], source, {**env, "LIBS": "-lcrypto"}, log, "configure")
    run(["make", "dep"], source, env, log, "make dep")
    run(["make", f"-j{jobs()}", "lib"], source, env, log, f"make lib ({jobs()} jobs)")
    run(["make", "-C", SWIG_DIR, f"PYTHON_EXE={sys.executable}", "pjsua2_wrap.cpp"], source, env, log, "swig")


def helper_flags(source: Path, srtp_prefix: Path, what: str) -> list[str]:
    """pjproject's own compile or link flags, as its Python build reads them."""
    shown = subprocess.run(["make", "--no-print-directory", "-f", "helper.mak", what], cwd=source / SWIG_DIR,
                           env=build_env(source, srtp_prefix), capture_output=True, text=True, check=False)
    if shown.returncode != 0:
        raise BuildError(f"pjproject's helper.mak could not say its {what}: {shown.stderr.strip()}")
    return shown.stdout.split()


def compile_module(source: Path, srtp_prefix: Path, out: Path, log: TextIO) -> Path:
    """The SWIG wrapper as a Python extension, linked like pjproject's own
    setup.py does (without needing setuptools in the target Python). The
    linker finds srtp_prefix's libsrtp2.a before any system libsrtp2, and
    keeps its symbols private to the module."""
    env = build_env(source, srtp_prefix)
    module = out / f"_pjsua2{sysconfig.get_config_var('EXT_SUFFIX')}"
    libraries = [f"-l{name}" for name in helper_flags(source, srtp_prefix, "libs")]
    command = ["g++", "-shared", *OPTIMIZE.split(), f"-ffile-prefix-map={source}=pjproject",
               f"-I{sysconfig.get_path('include')}", *helper_flags(source, srtp_prefix, "cflags"),
               "pjsua2_wrap.cpp", "-o", str(module), f"-L{srtp_prefix}/lib", "-Wl,--exclude-libs,libsrtp2.a",
               *helper_flags(source, srtp_prefix, "ldflags"), *libraries]
    run(command, source / SWIG_DIR, env, log, "compile the Python module")
    run(["strip", "--strip-unneeded", str(module)], source, env, log, "strip")
    return module


def pjproject_version(source: Path) -> str:
    numbers = {}
    for line in (source / "version.mak").read_text(encoding="utf-8").splitlines():
        words = line.replace(":=", " ").split()
        if len(words) >= 2 and words[0] == "export" and words[1].startswith("PJ_VERSION_"):
            numbers[words[1]] = words[2] if len(words) > 2 else ""
    version = ".".join(n for n in (numbers["PJ_VERSION_MAJOR"], numbers["PJ_VERSION_MINOR"],
                                   numbers["PJ_VERSION_REV"]) if n)
    return version + numbers["PJ_VERSION_SUFFIX"]


def pack_wheel(source: Path, module: Path, out: Path) -> Path:
    """A wheel by hand (the format is a zip with three metadata files):
    files in a fixed order with a fixed date, so the same build gives the
    same bytes."""
    version = f"{pjproject_version(source)}+{BUILD_TAG}"
    tag = f"{python_tag()}-{python_tag()}-{platform_tag()}"
    info = f"pjsua2-{version}.dist-info"
    files = {
        "pjsua2.py": (source / SWIG_DIR / "pjsua2.py").read_bytes(),
        module.name: module.read_bytes(),
        f"{info}/METADATA": (
            f"Metadata-Version: 2.1\nName: pjsua2\nVersion: {version}\n"
            "Summary: pjsua2 (pjproject's SIP user agent) built by AgentDesk (installers/pjsua2)\n"
            "License: GPL-2.0-or-later\n"
        ).encode(),
        f"{info}/WHEEL": (
            f"Wheel-Version: 1.0\nGenerator: agentdesk installers/pjsua2/build.py\n"
            f"Root-Is-Purelib: false\nTag: {tag}\n"
        ).encode(),
        f"{info}/top_level.txt": b"pjsua2\n_pjsua2\n",
    }
    record = [f"{name},sha256={record_hash(data)},{len(data)}" for name, data in files.items()]
    files[f"{info}/RECORD"] = ("\n".join([*record, f"{info}/RECORD,,"]) + "\n").encode()
    result = out / f"pjsua2-{version}-{tag}.whl"
    with zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, data)
    return result


def record_hash(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def main(argv: list[str]) -> int:
    if argv not in (["key"], ["wheel"]):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    try:
        print(build_key() if argv == ["key"] else wheel())
    except BuildError as error:
        print(f"Could not build pjsua2: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
