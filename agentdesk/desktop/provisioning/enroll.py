"""Setting this desktop up from a one-time link: the whole configuration
from the desk service, the SIP secret into the OS keyring.

A code is spent once the desk service has it, so everything that can fail
first does: the link is checked, the password store is checked, the
service's certificate authority is fetched without the code and compared
with the link's fingerprint; only then is the code sent, over a connection
verified against that authority (or the system's authorities, for a link
without a fingerprint). What the service answers is stored as:
- the secret: the keyring only;
- the authority: pbx-ca.pem in the config folder (not secret), pinned by
  the setting tls_ca_file for SIP over TLS and the desk link;
- server, user, transport, desk_url, display_name: the user's settings;
- the administrator's settings and locks: provisioned.json (settings.py).
Blocking: run it off the GUI thread.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import os
import re
import ssl
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from agentdesk.contract.provisioning import ENROLLMENT_VERSION

from .. import credentials
from ..link.api import error_text
from ..link.trust import TrustError, describe_tls_failure, desk_context, pinned_session
from ..private_files import private_folder, private_opener
from ..settings import BY_KEY, SettingError, Settings
from .link import EnrollmentLink, ProvisioningError, parse_link

log = logging.getLogger("agentdesk.desktop.provisioning")

TIMEOUT_SECONDS = 10.0
MAX_AUTHORITY_BYTES = 64 * 1024  # an authority is about 1 KiB; more is not one
CA_FILE_NAME = "pbx-ca.pem"
_PEM_CERTIFICATE = re.compile(r"-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----")


@dataclass(frozen=True)
class Enrollment:
    """The desk service's answer to a link: this desktop's configuration."""

    agent: str
    name: str
    server: str
    user: str
    transport: str
    desk_url: str
    ca_pem: str  # "" when the system's authorities are trusted
    settings: dict[str, Any]
    locked: list[str]
    secret: str = field(repr=False)


def enroll(text: str, settings: Settings) -> Enrollment:
    """Set this desktop up from the link in `text`; ProvisioningError or
    credentials.CredentialStoreError say why not."""
    link = parse_link(text)
    credentials.check_store()  # before the code is spent: its secret needs somewhere to go
    authority = fetch_authority(link) if link.ca_sha256 else ""
    enrollment = redeem(link, authority)
    save_enrollment(enrollment, settings)
    log.info("set up from a link as agent %s on %s", enrollment.agent, enrollment.server)
    return enrollment


# -- the authority, fetched without the code -----------------------------------------

def fetch_authority(link: EnrollmentLink) -> str:
    """The PEM text of the authority the link's fingerprint names."""
    parts = urlsplit(link.authority_url)
    host = parts.hostname or ""
    if parts.scheme == "https":
        # Not verified, on purpose: nothing vouches for the service yet. What
        # makes this authority trustworthy is its fingerprint in the link,
        # checked below; the code is sent only over a verified connection.
        unverified = ssl.create_default_context()
        unverified.check_hostname = False
        unverified.verify_mode = ssl.CERT_NONE
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            host, parts.port, timeout=TIMEOUT_SECONDS, context=unverified)
    else:
        connection = http.client.HTTPConnection(host, parts.port, timeout=TIMEOUT_SECONDS)
    try:
        connection.request("GET", parts.path)
        response = connection.getresponse()
        body = response.read(MAX_AUTHORITY_BYTES + 1)
    except (OSError, http.client.HTTPException) as error:
        log.info("fetching the authority from %s failed: %s", link.address, error)
        raise ProvisioningError(f"Cannot reach the desk service at {link.address}: is the link's address "
                                "right, and is this computer on the network?") from None
    finally:
        connection.close()
    if response.status != 200:
        said = _sentence(body) or f"it answered {response.status}"
        raise ProvisioningError(f"The desk service at {link.address} did not hand out its certificate authority: "
                                f"{said}.")
    pem = body.decode("ascii", errors="replace")
    if not hmac.compare_digest(hashlib.sha256(_only_certificate(pem, link.address)).hexdigest(),
                               link.ca_sha256 or ""):
        raise ProvisioningError(f"The desk service at {link.address} is not the one this link was made for: its "
                                "certificate authority does not match.")
    return pem


def _sentence(body: bytes) -> str:
    """The desk service's {"error": sentence}, if that is what `body` is."""
    try:
        said = json.loads(body).get("error")
    except (ValueError, AttributeError):
        return ""
    return said.rstrip(".") if isinstance(said, str) else ""


def _only_certificate(pem: str, address: str) -> bytes:
    """The DER form of the one certificate in `pem`."""
    found = _PEM_CERTIFICATE.findall(pem)
    if len(found) != 1:
        raise ProvisioningError(f"The desk service at {address} sent {len(found) or 'no'} certificates where its "
                                "certificate authority belongs.")
    try:
        return ssl.PEM_cert_to_DER_cert(found[0])
    except ValueError:
        raise ProvisioningError(f"The desk service at {address} sent a damaged certificate authority.") from None


# -- the code, over a verified connection -------------------------------------------------

def redeem(link: EnrollmentLink, authority: str) -> Enrollment:
    """Send the code (verified against `authority`, or the system's when
    "") and read the configuration the service answers with."""
    session = pinned_session(desk_context(ca_pem=authority))
    try:
        response = session.post(link.enroll_url, json={"version": ENROLLMENT_VERSION}, timeout=TIMEOUT_SECONDS)
    except requests.Timeout:
        raise ProvisioningError(f"The desk service at {link.address} did not answer within "
                                f"{TIMEOUT_SECONDS:g} s; if it does not work again, ask for a new link.") from None
    except requests.exceptions.SSLError as error:  # before ConnectionError: it is one
        log.info("set-up link: TLS with %s failed: %s", link.address, error)
        advice = ("its certificate was not issued by the authority the set-up link names." if authority else
                  "no authority this computer trusts issued its certificate; a set-up link for it ends in "
                  "#ca-sha256= and 64 letters and digits: copy the whole link.")
        raise ProvisioningError(describe_tls_failure(error, link.address, "", advice)) from None
    except requests.ConnectionError:
        raise ProvisioningError(f"Cannot reach the desk service at {link.address}.") from None
    finally:
        session.close()
    if response.status_code >= 400:
        raise ProvisioningError(error_text(response))
    try:
        data = response.json()
    except ValueError:
        raise ProvisioningError(f"The desk service at {link.address} answered the link with something that is "
                                "not a set-up.") from None
    return parse_enrollment(data, link, authority)


def parse_enrollment(data: object, link: EnrollmentLink, authority: str) -> Enrollment:
    """The answer, checked: ProvisioningError when this desktop cannot use it."""
    try:
        return _enrollment(data, link, authority)
    except (SettingError, TrustError, TypeError) as error:
        raise ProvisioningError(f"The desk service sent a set-up this AgentDesk cannot use: {error}") from None


def _enrollment(data: object, link: EnrollmentLink, authority: str) -> Enrollment:
    if not isinstance(data, dict) or not isinstance(data.get("sip"), dict):
        raise TypeError("it holds no SIP account")
    version = data.get("version")
    if not isinstance(version, int) or version < 1:
        raise TypeError(f"its version {version!r} is not a set-up version")
    if version > ENROLLMENT_VERSION:
        log.info("the set-up is version %d; this AgentDesk reads version %d of it", version, ENROLLMENT_VERSION)
    sip = data["sip"]
    secret = sip.get("secret")
    if not isinstance(secret, str) or not secret:
        raise TypeError("it holds no SIP secret")
    ca_pem = _text(data, "tls_ca_pem") or authority
    if ca_pem:
        desk_context(ca_pem=ca_pem)  # raises TrustError unless it is an authority
    settings, locked = data.get("settings", {}), data.get("locked", [])
    if not isinstance(settings, dict) or not isinstance(locked, list):
        raise TypeError("its settings are not an object and a list of locked names")
    return Enrollment(
        agent=_text(data, "agent"), name=_text(data, "name"),
        server=BY_KEY["server"].validate(_text(sip, "server")), user=BY_KEY["user"].validate(_text(sip, "user")),
        transport=BY_KEY["transport"].validate(_text(sip, "transport")),
        desk_url=BY_KEY["desk_url"].validate(_text(data, "desk_url") or link.base_url),
        ca_pem=ca_pem, settings=settings, locked=locked, secret=secret,
    )


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key) or ""  # missing or null: none
    if not isinstance(value, str):
        raise TypeError(f"{key} is not text")
    return value


# -- storing it ---------------------------------------------------------------------------

IDENTITY = ("server", "user", "transport", "desk_url", "tls_ca_file", "display_name")


def save_enrollment(enrollment: Enrollment, settings: Settings) -> None:
    """The secret into the keyring first (when that fails, nothing else
    changed), then the authority, the administrator's settings and the
    account. A setting the administrator provisions starts at their value:
    the agent's own earlier choice of it is forgotten."""
    old = settings.get("user"), settings.get("server")
    credentials.save_password(enrollment.user, enrollment.server, enrollment.secret)
    ca_file = save_authority(settings.path.parent, enrollment.ca_pem) if enrollment.ca_pem else ""
    settings.provision(enrollment.settings, enrollment.locked)
    provisioned = settings.provisioned.values
    for key in provisioned:
        settings.reset(key)
    account = {"server": enrollment.server, "user": enrollment.user, "transport": enrollment.transport,
               "desk_url": enrollment.desk_url, "tls_ca_file": ca_file, "display_name": enrollment.name}
    for key in IDENTITY:
        if not (settings.is_locked(key) or key in provisioned):
            settings.set(key, account[key])
    settings.save()
    if all(old) and old != (enrollment.user, enrollment.server):
        credentials.delete_password(*old)  # the account this desktop had before: no secret left behind


def save_authority(folder: Path, pem: str) -> str:
    """The authority as pbx-ca.pem in `folder`, written atomically; its full path."""
    path = private_folder(folder).resolve() / CA_FILE_NAME
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "w", encoding="ascii", opener=private_opener) as out:
        out.write(pem if pem.endswith("\n") else pem + "\n")
    os.replace(temporary, path)
    return str(path)


def describe(enrollment: Enrollment, settings: Settings) -> list[str]:
    """What was set up, for `agentdesk provision` to print (never the secret)."""
    who = f"{enrollment.agent} ({enrollment.name})" if enrollment.name else enrollment.agent
    trusted = settings.get("tls_ca_file") or "the system's authorities"
    return [
        f"Set up agent {who}: extension {enrollment.user} on {enrollment.server} over "
        f"{settings.get('transport').upper()}.",
        f"Desk service: {settings.get('desk_url')} (trusting {trusted}).",
        *provisioned_lines(settings),
        f"The SIP password is in the keyring ({credentials.backend_name()}).",
    ]


def provisioned_lines(settings: Settings) -> list[str]:
    provisioned = settings.provisioned
    locked = sorted(provisioned.locked)
    free = sorted(set(provisioned.values) - provisioned.locked)
    return [f"Set by your administrator, locked: {', '.join(locked) or 'none'}.",
            f"Set by your administrator, yours to change: {', '.join(free) or 'none'}."]
