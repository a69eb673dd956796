"""What pjsua2 build this desktop runs: pjproject's version and the TLS
library pjsua2 is linked with, as `agentdesk --version` reports them (IT
checks what a package carries: installers/pjsua2 builds pjsua2 against the
system's OpenSSL, while PyPI's wheel brought its own 1.0.2k)."""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PjVersions:
    pjproject: str  # e.g. "2.17"
    tls: str  # the TLS library's own version line, or why it is unknown
    location: str  # the folder pjsua2 was loaded from


def pjsua2_versions() -> PjVersions:
    import pjsua2 as pj

    module = str(pj._pjsua2.__file__)
    version = str(pj.Endpoint().libVersion().full)
    return PjVersions(version, _tls_version(module), str(Path(module).parent))


def _tls_version(module: str) -> str:
    """Asks the TLS library pjsua2 itself links, not Python's: a symbol
    looked up through the module's handle resolves in its dependencies
    (the system's libcrypto for installers/pjsua2's build, or one a wheel bundles)."""
    try:
        library = ctypes.CDLL(module)
    except OSError as error:
        return f"unknown ({error})"
    # OpenSSL 1.1 and later name it OpenSSL_version; 1.0 named it SSLeay_version.
    for name in ("OpenSSL_version", "SSLeay_version"):
        function = getattr(library, name, None)
        if function is not None:
            function.restype = ctypes.c_char_p
            function.argtypes = [ctypes.c_int]
            text = function(0)
            return text.decode("ascii", "replace") if text else "unknown"
    return "none found (pjsua2 built without OpenSSL: no SIP over TLS)"
