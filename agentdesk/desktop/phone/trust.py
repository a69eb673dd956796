"""Which certificates the phone trusts, and why a TLS connection failed.

pjsua2 verifies the PBX's certificate itself (chain, validity, and that it
names the host the phone dials) and only says that the connection failed.
When it does, `diagnose()` makes the same connection with Python's ssl
module, which names the reason, so the agent reads "the certificate has
expired" rather than "TLS connect() error". It only explains a failure:
it never decides whether pjsua2 may go on.
"""

from __future__ import annotations

import datetime
import logging
import socket
import ssl
from pathlib import Path

from .sipmsg import host_only

log = logging.getLogger("agentdesk.desktop.phone")

TLS_PORT = 5061  # SIP over TLS, when the server setting names no port
# Debian's and Ubuntu's bundle of the system's trusted authorities.
_SYSTEM_BUNDLES = ("/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt")


def ca_list_file(setting: str) -> str:
    """The PEM file pjsua2 verifies the PBX against: the pinned authority
    if one is set, else the system's bundle."""
    if setting:
        return setting
    default = ssl.get_default_verify_paths().cafile
    for candidate in (default, *_SYSTEM_BUNDLES):
        if candidate and Path(candidate).is_file():
            return candidate
    return ""


def trust_problem(setting: str) -> str | None:
    """Why the phone could not verify any PBX with this setting, if so."""
    path = ca_list_file(setting)
    if not path:
        return "This computer has no list of trusted certificate authorities; set tls_ca_file to the PBX's."
    try:
        ssl.create_default_context(cafile=path)
    except (OSError, ssl.SSLError) as error:
        return f"The trusted authority file {path} cannot be used ({getattr(error, 'strerror', None) or error})."
    return None


def server_address(server: str) -> tuple[str, int]:
    host = host_only(server)
    tail = server[len(host):]
    port = int(tail[1:]) if tail.startswith(":") and tail[1:].isdigit() else TLS_PORT
    return host.strip("[]"), port


def diagnose(server: str, setting: str, timeout: float = 3.0) -> str | None:
    """Why a TLS connection to the PBX fails, in words for the agent; None
    when it succeeds or fails for a reason that is not about trust (the
    PBX is down, the network is)."""
    problem = trust_problem(setting)
    if problem:
        return problem
    host, port = server_address(server)
    context = ssl.create_default_context(cafile=ca_list_file(setting))
    try:
        with socket.create_connection((host, port), timeout=timeout) as raw, \
                context.wrap_socket(raw, server_hostname=host):
            return None
    except ssl.SSLCertVerificationError as error:
        return _explain(error, host, port, setting)
    except (OSError, ssl.SSLError) as error:
        log.info("TLS check of %s:%d: %s", host, port, error)
        return None


# OpenSSL's verification results (X509_V_ERR_*) that an agent can act on.
_EXPIRED, _NOT_YET_VALID, _HOSTNAME_MISMATCH, _IP_MISMATCH = 10, 9, 62, 64
_UNTRUSTED = (2, 18, 19, 20, 21)


def _explain(error: ssl.SSLCertVerificationError, host: str, port: int, setting: str) -> str:
    code = error.verify_code
    where = f"The PBX's certificate ({host}:{port})"
    if code in (_HOSTNAME_MISMATCH, _IP_MISMATCH):
        return (f"The PBX's certificate does not match {host}: the PBX may be an impostor, or its certificate "
                "lacks that name (pbx/run start --tls-name).")
    if code == _EXPIRED:
        return f"{where} has expired. Ask the PBX's administrator to renew it."
    if code == _NOT_YET_VALID:
        now = datetime.datetime.now().astimezone()
        return f"{where} is not valid yet (this computer's clock says {now:%Y-%m-%d %H:%M})."
    if code in _UNTRUSTED:
        trusted = f"the pinned authority {setting}" if setting else "an authority this computer trusts"
        return f"{where} is not signed by {trusted}. Nothing was sent to it."
    return f"{where} was refused: {error.verify_message}."
