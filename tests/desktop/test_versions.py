"""`agentdesk --version`, which IT reads to know what a build carries: the
pjproject that installers/pjsua2 builds, and the TLS library pjsua2 itself
links (the system's OpenSSL), not Python's. SRTP too runs on that OpenSSL:
the libsrtp2 built into the module, not the system's, which runs on NSS."""

from __future__ import annotations

import ctypes
import re
import subprocess
import sys
from pathlib import Path

import pjsua2

SOURCE = Path(__file__).resolve().parents[2] / "installers" / "pjsua2" / "pjproject.sha256"


def test_version_names_the_pjproject_built_here_and_the_system_openssl_it_links() -> None:
    shown = subprocess.run([sys.executable, "-m", "agentdesk.desktop", "--version"], capture_output=True,
                           text=True, timeout=60)
    assert shown.returncode == 0, shown.stderr
    lines = dict(line.split(" ", 1) for line in shown.stdout.splitlines())
    built = re.search(r"pjproject-(\S+)\.tar\.xz", SOURCE.read_text(encoding="ascii"))
    assert built, SOURCE
    assert lines["AgentDesk"]
    assert lines["pjproject"] == f"{built.group(1)} (pjsua2 from {Path(pjsua2.__file__).parent})"

    linked = subprocess.run(["ldd", pjsua2._pjsua2.__file__], capture_output=True, text=True, check=True).stdout
    crypto = re.search(r"libcrypto\.so\.(\d+)\S* => (\S+)", linked)
    assert crypto, linked
    library = Path(crypto.group(2)).resolve()
    assert not library.is_relative_to(Path(sys.prefix).resolve()), library  # the system's, not one carried along
    assert int(crypto.group(1)) >= 3, linked  # OpenSSL 1.x is out of support
    assert re.search(r"libssl\.so\.3 => /", linked), linked
    for other in ("libsrtp2", "libnss3", "libnspr4"):
        assert other not in linked, linked
    version_of = ctypes.CDLL(str(library)).OpenSSL_version
    version_of.restype, version_of.argtypes = ctypes.c_char_p, [ctypes.c_int]
    assert lines["TLS:"] == version_of(0).decode(), (lines["TLS:"], library)
