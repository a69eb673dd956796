"""Builds the desktop's Debian package for this machine's distribution:
dist/agentdesk_<version>_<arch>.deb (installers/dev.sh package).

    build.py [--pjsua2-wheel WHEEL] [--out DIR]

The package is a private Python environment in /usr/lib/agentdesk made on
the distribution's own python3, not a frozen build: a frozen build carries
its own Python and its own libssl/libcrypto, which apt's security updates
never reach. The price is one package per distribution release (the native
modules are built for one Python version); Depends pins python3's minor
version, so a release upgrade removes AgentDesk instead of breaking it.

Steps: AgentDesk's wheel and the [desktop] extra's dependencies go into a
venv made for its final path inside a staging tree; what the desktop never
loads is pruned (prune.py); byte code is compiled with the final path; the
Debian metadata is written (debian.py) and dpkg-deb packs the tree.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from debian import Distribution, write_metadata
from elfcheck import elf_files, problems
from prune import drop_unused_data, prune_pyside

REPO = Path(__file__).resolve().parents[2]
FILES = Path(__file__).resolve().parent / "files"
PREFIX = "/usr/lib/agentdesk"
# Replaced in the package: the full phonenumbers carries 40 MB of geocoding
# and carrier data the desktop never reads (it parses and formats only);
# phonenumberslite is the same module without them.
SUBSTITUTES = {"phonenumbers": "phonenumberslite"}
# Native parts taken from the distribution instead of a wheel, so that its
# security updates reach them: `cryptography` (needed by SecretStorage, the
# Secret Service keyring) from python3-cryptography, linked with the
# system's libssl3; the trusted authorities from ca-certificates.
SYSTEM_CRYPTOGRAPHY = "/usr/lib/python3/dist-packages/cryptography"
SYSTEM_AUTHORITIES = "/etc/ssl/certs/ca-certificates.crt"
SERVER_PARTS = ("server", "pbxtool")


def run(*command: str | Path, **options: object) -> None:
    subprocess.run([str(part) for part in command], check=True, **options)  # type: ignore[call-overload]


def pip(venv: Path, *args: str | Path) -> None:
    """pip from the checkout's .venv, installing into `venv` (which has none)."""
    run(REPO / ".venv" / "bin" / "python", "-m", "pip", "--python", venv / "bin" / "python",
        "--disable-pip-version-check", *args)


def requirement_name(requirement: str) -> str:
    for index, ch in enumerate(requirement):
        if not (ch.isalnum() or ch in "-_."):
            return requirement[:index].lower().replace("_", "-")
    return requirement.lower().replace("_", "-")


def desktop_requirements(pjsua2_wheel: Path) -> list[str]:
    """The base and [desktop] dependencies of pyproject.toml, with the
    substitutes above, and AgentDesk's own pjsua2 wheel."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [str(pjsua2_wheel)]
    for requirement in [*project["dependencies"], *project["optional-dependencies"]["desktop"]]:
        name = requirement_name(requirement)
        if not name.startswith("pjsua2"):
            wanted.append(SUBSTITUTES[name] + requirement[len(name):] if name in SUBSTITUTES else requirement)
    return wanted


def pjsua2_wheel() -> Path:
    """The wheel installers/pjsua2/build.py makes (and caches) for this
    Python, the one installers/dev.sh installs into .venv."""
    python = REPO / ".venv" / "bin" / "python"
    built = subprocess.run([python, REPO / "installers" / "pjsua2" / "build.py", "wheel"], capture_output=True,
                           text=True, check=False)
    if built.returncode != 0:
        raise SystemExit(f"installers/pjsua2/build.py wheel failed:\n{built.stdout}{built.stderr}")
    return Path(built.stdout.strip().splitlines()[-1])


def build_wheel(work: Path) -> Path:
    out = work / "wheels"
    run(REPO / ".venv" / "bin" / "python", "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check",
        "--no-deps", "--wheel-dir", out, REPO)
    (wheel,) = out.glob("agentdesk-*.whl")
    return wheel


def make_environment(stage: Path, distribution: Distribution, pjsua2: Path, work: Path) -> Path:
    venv = stage / PREFIX.lstrip("/")
    run(distribution.python, "-m", "venv", "--without-pip", venv)
    quiet = ("install", "--quiet", "--no-compile", "--no-warn-script-location")
    pip(venv, *quiet, "--no-deps", build_wheel(work))
    pip(venv, *quiet, *desktop_requirements(pjsua2))
    site = next((venv / "lib").glob("python3.*/site-packages"))
    # cffi needs pycparser only to parse declarations, which AgentDesk does
    # ahead of time (agentdesk/desktop/audio/cdefs.py).
    pip(venv, "uninstall", "--quiet", "--yes", "cryptography", "pycparser")
    (site / "cryptography").symlink_to(SYSTEM_CRYPTOGRAPHY)
    bundle = site / "certifi" / "cacert.pem"
    bundle.unlink()
    bundle.symlink_to(SYSTEM_AUTHORITIES)
    for part in SERVER_PARTS:  # one wheel holds both parts; the PC gets the desktop's
        shutil.rmtree(site / "agentdesk" / part)
    _add_resources(site)
    _clean_environment(venv, site, distribution)
    return site


def _add_resources(site: Path) -> None:
    """Icons and compiled translations, where an installed AgentDesk looks
    for them (agentdesk/desktop/resources.py)."""
    target = site / "agentdesk" / "desktop" / "_resources"
    shutil.copytree(REPO / "resources" / "icons", target / "icons")
    (target / "translations").mkdir(parents=True)
    for qm in (REPO / "resources" / "translations").glob("*.qm"):
        shutil.copy2(qm, target / "translations")


def _clean_environment(venv: Path, site: Path, distribution: Distribution) -> None:
    """No shims, activation scripts or records that name the staging tree."""
    for path in (venv / "bin").iterdir():
        if not path.name.startswith("python"):
            path.unlink()
    (venv / "pyvenv.cfg").write_text(
        f"home = /usr/bin\ninclude-system-site-packages = false\nversion = {distribution.python_version}\n"
        f"executable = {distribution.python}\ncommand = {distribution.python} -m venv {PREFIX}\n", encoding="utf-8")
    for path in site.glob("*.dist-info/direct_url.json"):
        path.unlink()
    for path in venv.rglob("__pycache__"):
        shutil.rmtree(path)
    drop_unused_data(site)


def compile_bytecode(stage: Path, site: Path) -> None:
    """Byte code for the final path, so nothing is written at run time."""
    python = stage / PREFIX.lstrip("/") / "bin" / "python"
    run(python, "-I", "-m", "compileall", "-q", "-j0", "-s", stage, "-p", "/", site)


def strip_debug_info(stage: Path) -> None:
    """Debug sections of the modules built here (the C media clock, pjsua2)
    name the folders they were built in, and are of no use to an agent."""
    for path in elf_files(stage):
        sections = subprocess.run(["readelf", "-S", path], capture_output=True, text=True, check=True).stdout
        if ".debug_" in sections:
            run("strip", "--strip-debug", path)


def check_libraries(stage: Path) -> None:
    _checked, found = problems(stage / PREFIX.lstrip("/"))
    if found:
        lines = "\n".join(f"  {name}: {', '.join(missing)}" for name, missing in sorted(found.items()))
        raise SystemExit(f"libraries the package needs and does not find:\n{lines}")


def smoke_test(stage: Path) -> str:
    """`agentdesk --version` from the staged environment."""
    python = stage / PREFIX.lstrip("/") / "bin" / "python"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/")}
    result = subprocess.run([python, "-I", "-B", "-m", "agentdesk.desktop", "--version"], capture_output=True,
                            text=True, env=env, check=False)
    if result.returncode != 0 or "not loadable" in result.stdout:
        raise SystemExit(f"the staged AgentDesk does not start:\n{result.stdout}{result.stderr}")
    return result.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pjsua2-wheel", type=Path,
                        help="AgentDesk's pjsua2 wheel (default: the one installers/pjsua2/build.py makes)")
    parser.add_argument("--out", type=Path, default=REPO / "dist", help="where the .deb goes (default dist/)")
    parser.add_argument("--work", type=Path, default=REPO / "build" / "package",
                        help="the staging folder, emptied first (default build/package)")
    args = parser.parse_args()
    distribution = Distribution.detect()
    work = args.work.resolve()
    shutil.rmtree(work, ignore_errors=True)
    stage = work / "root"
    print(f"Building AgentDesk's package for {distribution.name} (python {distribution.python_version})")
    site = make_environment(stage, distribution, args.pjsua2_wheel or pjsua2_wheel(), work)
    modules = prune_pyside(site, REPO / "agentdesk")
    compile_bytecode(stage, site)
    strip_debug_info(stage)
    check_libraries(stage)
    print(smoke_test(stage), end="")
    args.out.mkdir(parents=True, exist_ok=True)
    deb = write_metadata(stage, work, distribution, FILES, args.out)
    print(f"Qt modules kept: {', '.join(modules)}")
    print(f"Package: {deb} ({deb.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
