"""Where provisioned desktops reach this PBX and its desk service
(desk-service.json "provisioning"; `pbx/run start` writes it from its
network settings):

    "provisioning": {"desk_url": "https://pbx.example.com:8480",
                     "sip": {"tls": "pbx.example.com:5061", "tcp": "pbx.example.com:5060"},
                     "transport": "tcp"}

`sip` is the address desktops use for each transport the PBX offers them;
`transport` the one a desktop is given unless an administrator's setting
says another. People marked `tls` in the directory always get tls: the PBX
gives them encrypted audio only, which only a desktop on TLS accepts.
Each key may be left out: the desk URL is then the scheme, host and port
the request came to, and SIP is TLS on that host's port 5061.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from agentdesk.contract.provisioning import SIP_TRANSPORTS

DEFAULT_TRANSPORT = "tls"
DEFAULT_SIP_TLS_PORT = 5061
# A host as a Host header or a configuration may carry it: a name, an IPv4
# address or a bracketed IPv6 one, then an optional port.
HOST_PORT = re.compile(r"([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?")
DESK_URL = re.compile(r"https?://" + HOST_PORT.pattern)


@dataclass(frozen=True)
class SiteAddresses:
    desk_url: str = ""  # "": the origin each request came to
    sip: dict[str, str] = field(default_factory=dict)  # transport -> "host:port"; empty: TLS on the request's host
    transport: str = DEFAULT_TRANSPORT

    def offered(self) -> tuple[str, ...]:
        """The transports desktops may be given, in SIP_TRANSPORTS order."""
        return tuple(t for t in SIP_TRANSPORTS if t in self.sip) if self.sip else (DEFAULT_TRANSPORT,)

    def desk_url_for(self, origin: str) -> str:
        """The desk URL to hand out; `origin` is the scheme://host[:port] a request came to."""
        return self.desk_url or origin

    def sip_server(self, transport: str, host: str) -> str:
        """"host:port" for `transport` (one of offered()); `host` is the one the request came to."""
        return self.sip.get(transport) or f"{host}:{DEFAULT_SIP_TLS_PORT}"


def parse_site_addresses(data: object) -> SiteAddresses:
    """desk-service.json's "provisioning"; ValueError naming the bad key."""
    if not isinstance(data, dict):
        raise ValueError("provisioning (an object with desk_url, sip and transport)")
    desk_url = _desk_url(data.get("desk_url", ""))
    sip = _sip_addresses(data.get("sip", {}))
    offered = tuple(sip) or (DEFAULT_TRANSPORT,)
    transport = data.get("transport", DEFAULT_TRANSPORT if DEFAULT_TRANSPORT in offered else offered[0])
    if transport not in offered:
        raise ValueError(f"provisioning.transport (one of those provisioning.sip offers: {', '.join(offered)})")
    return SiteAddresses(desk_url, sip, str(transport))


def _desk_url(value: Any) -> str:
    if not isinstance(value, str) or (value and not DESK_URL.fullmatch(value.rstrip("/"))):
        raise ValueError("provisioning.desk_url (https://host:port)")
    return value.rstrip("/")


def _sip_addresses(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ValueError(f"provisioning.sip (an object of transport: \"host:port\"; transports: {SIP_TRANSPORTS})")
    addresses: dict[str, str] = {}
    for transport in SIP_TRANSPORTS:
        address = value.get(transport)
        if address is None:
            continue
        found = HOST_PORT.fullmatch(address) if isinstance(address, str) else None
        if found is None or found.group(2) is None or not 1 <= int(found.group(2)[1:]) <= 65535:
            raise ValueError(f"provisioning.sip.{transport} (\"host:port\")")
        addresses[transport] = address
    unknown = set(value) - set(SIP_TRANSPORTS)
    if unknown:
        raise ValueError(f"provisioning.sip.{sorted(unknown)[0]} (transports are {', '.join(SIP_TRANSPORTS)})")
    return addresses
