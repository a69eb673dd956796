"""Whom the desk link trusts, and what the agent reads when that fails.

An https address is verified against one set of authorities: the system's
(setting `tls_ca_file` empty) or only the PEM file that setting names (the
PBX's own authority, pinned). Nothing else is added to it: requests would
otherwise put its own bundle, or REQUESTS_CA_BUNDLE's, beside a pinned
authority, and nothing here ever turns verification off. Plain http is
refused unless the service is on this machine: the bearer token and the
agent's work would cross the network readable (the secret never does, see
agentdesk/contract/signin.py). Certificate failures the agent can act on
(not trusted, issued for another name, expired) become one sentence for
the desk link's status line instead of a traceback.
"""

from __future__ import annotations

import ssl
from typing import Any
from urllib.parse import SplitResult

import requests
from requests.adapters import HTTPAdapter

from agentdesk.contract.signin import is_loopback_host

# OpenSSL's verification results (X509_V_ERR_*) that need their own words.
_EXPIRED = {9, 10}  # not yet valid, has expired
_NAME_MISMATCH = {62, 64}  # host name, IP address
_SETTINGS = "Settings → Contact center → Desk service address"


class TrustError(Exception):
    """The address or the trusted authority cannot be used; the message is for the agent."""


def plain_http_problem(parts: SplitResult) -> str | None:
    """Why this desk address may not be used over plain HTTP, if so."""
    host = parts.hostname or ""
    if parts.scheme != "http" or is_loopback_host(host):
        return None
    return (f"The desk service address {parts.geturl()} is plain HTTP to another machine ({host}): your "
            f"sign-in token and work would cross the network unprotected; use https:// ({_SETTINGS}).")


def desk_context(ca_file: str = "", ca_pem: str = "") -> ssl.SSLContext:
    """TLS 1.2 or newer, verifying the chain and the name against the system's
    authorities, or only those in `ca_file`, or only the PEM text `ca_pem`."""
    try:
        context = ssl.create_default_context(cafile=ca_file or None, cadata=ca_pem or None)
    except FileNotFoundError:
        raise TrustError(f"The trusted authority file {ca_file} does not exist: ask your administrator for "
                         "the PBX's authority file (setting tls_ca_file).") from None
    except PermissionError:
        raise TrustError(f"The trusted authority file {ca_file} cannot be read by this user.") from None
    except ssl.SSLError:
        where = f"file {ca_file}" if ca_file else "sent by the desk service"
        raise TrustError(f"The trusted authority {where} holds no PEM certificate.") from None
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


class PinnedAdapter(HTTPAdapter):
    """requests' adapter that verifies with `context` alone, whatever a
    request or the environment asks for."""

    def __init__(self, context: ssl.SSLContext) -> None:
        self._context = context
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["ssl_context"] = self._context
        super().init_poolmanager(*args, **kwargs)

    def proxy_manager_for(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["ssl_context"] = self._context
        return super().proxy_manager_for(*args, **kwargs)

    def build_connection_pool_key_attributes(self, request: Any, verify: Any, cert: Any = None) -> Any:
        return super().build_connection_pool_key_attributes(request, True, None)

    def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
        conn.cert_reqs = "CERT_REQUIRED"
        conn.ca_certs = None
        conn.ca_cert_dir = None


def desk_session(ca_file: str) -> requests.Session:
    return pinned_session(desk_context(ca_file))


def pinned_session(context: ssl.SSLContext) -> requests.Session:
    """A session whose https requests are verified with `context` alone."""
    session = requests.Session()
    session.mount("https://", PinnedAdapter(context))
    return session


def describe_tls_failure(error: requests.exceptions.SSLError, address: str, ca_file: str,
                         untrusted_advice: str = "") -> str:
    """One sentence for the agent: what is wrong with the service's certificate.
    `untrusted_advice` replaces the advice for a certificate from an
    authority not trusted (the caller knows better where trust comes from)."""
    verification = _verification_error(error)
    code = verification.verify_code if verification is not None else 0
    text = str(error)
    if code in _EXPIRED or "expired" in text:
        return (f"The desk service's certificate at {address} has expired or is not valid yet: the PBX's "
                "administrator must renew it (or this computer's clock is wrong).")
    if code in _NAME_MISMATCH or "match" in text:
        return (f"The desk service's certificate is not issued for {address}: use the name or address it was "
                f"issued for ({_SETTINGS}).")
    if verification is not None:
        if untrusted_advice:
            return f"The desk service at {address} is not trusted: {untrusted_advice}"
        if ca_file:
            return (f"The desk service at {address} is not trusted: its certificate was not issued by the "
                    f"authority in {ca_file}; ask your administrator for the PBX's authority file.")
        return (f"The desk service at {address} is not trusted: no authority this computer trusts issued its "
                "certificate; your administrator must set the PBX's authority file (setting tls_ca_file).")
    return f"Cannot make a secure connection to the desk service at {address}: does it serve HTTPS there?"


def _verification_error(error: BaseException) -> ssl.SSLCertVerificationError | None:
    """The certificate check that failed, from wherever requests and urllib3 wrapped it."""
    seen: set[int] = set()
    pending: list[object] = [error]
    while pending:
        item = pending.pop()
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, ssl.SSLCertVerificationError):
            return item
        pending.extend([*item.args, item.__cause__, item.__context__, getattr(item, "reason", None)])
    return None
