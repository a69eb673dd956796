"""The TLS side of the desktops' listener: the server certificate and key
of desk-service.json's "tls" (pbx/run hands it the PBX's own), TLS 1.2 or
newer. Sign-in never sends the agent's secret (contract/signin.py); what
TLS adds is that the bearer token, and everything an agent sees and does,
cannot be read or changed on the network. The PBX-only listener stays
plain HTTP: it is on loopback, and the dialplan's CURL asks it there.
"""

from __future__ import annotations

import ssl
from pathlib import Path

from .config import TlsFiles


class TlsSetupError(Exception):
    """The certificate or key cannot be used; the message names the file and why."""


def server_context(files: TlsFiles) -> ssl.SSLContext:
    for path in (files.certificate, files.key):
        _check_readable(path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        # An encrypted key would make OpenSSL prompt on the terminal of a
        # service: give it an empty pass phrase instead, which fails below.
        context.load_cert_chain(files.certificate, files.key, password=lambda: b"")
    except ssl.SSLError as error:
        raise TlsSetupError(f"{files.certificate} and {files.key} are not a PEM certificate and its unencrypted "
                            f"key ({error.reason or error})") from None
    return context


def _check_readable(path: Path) -> None:
    """OpenSSL's own error would not name the file."""
    try:
        path.open("rb").close()
    except FileNotFoundError:
        raise TlsSetupError(f"{path} does not exist") from None
    except OSError as error:
        raise TlsSetupError(f"{path} cannot be read: {error.strerror}") from None
