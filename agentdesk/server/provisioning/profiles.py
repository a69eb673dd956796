"""A desktop's whole configuration, as the desk service hands it out
(agentdesk/contract/provisioning.py has its shape): at enrollment with the
SIP secret, afterwards (GET PROVISIONING_PATH) the same without it.

The "sip" block's transport is the person's: tls for people marked tls in
the directory (the PBX gives them encrypted audio only, which only a
desktop on TLS accepts), else the administrator's "transport" setting,
else the site's default (addresses.py); the settings' "transport", when
provisioned, says the same.
"""

from __future__ import annotations

from typing import Any

from agentdesk.contract.provisioning import ENROLLMENT_VERSION
from agentdesk.server.directory import Person

from ..store import ScopeSettings
from .addresses import SiteAddresses
from .authority import Authority

TLS = "tls"


def desktop_profile(person: Person, addresses: SiteAddresses, authority: Authority | None,
                    settings: ScopeSettings, origin: str, host: str, secret: str | None = None) -> dict[str, Any]:
    """The configuration of `person`'s desktop; `origin` and `host` are the
    ones the request came to (used where the site names none)."""
    transport = transport_of(person, addresses, settings)
    values = dict(settings.settings)
    if "transport" in values:
        values["transport"] = transport
    sip: dict[str, Any] = {"server": addresses.sip_server(transport, host), "transport": transport,
                           "user": person.agent}
    if secret is not None:
        sip["secret"] = secret
    return {
        "version": ENROLLMENT_VERSION,
        "agent": person.agent,
        "name": person.name,
        "sip": sip,
        "desk_url": addresses.desk_url_for(origin),
        "tls_ca_pem": authority.pem if authority is not None else None,
        "settings": values,
        "locked": sorted(settings.locked),
    }


def transport_of(person: Person, addresses: SiteAddresses, settings: ScopeSettings) -> str:
    offered = addresses.offered()
    if person.secure and TLS in offered:
        return TLS
    wanted = settings.settings.get("transport")
    return wanted if isinstance(wanted, str) and wanted in offered else addresses.transport
