"""What the PBX shares with the desk service, and nobody else.

The desk service alone holds the Asterisk Manager Interface. Its AMI secret
and the token the dialplan uses to ask it questions (VIP, sticky agent) are
random from the first start, kept in the state folder's
service-secrets.json (mode 600), and handed to the service in
desk-service.json (mode 600). Neither ever reaches a desktop.
"""

from __future__ import annotations

import ipaddress
import json
import os
import secrets
import socket
from dataclasses import dataclass
from pathlib import Path

from . import tls
from .layout import DIRECTORY_FILE, Layout, Network

AMI_USER = "agentdesk-desk"


@dataclass(frozen=True)
class ServiceSecrets:
    ami_secret: str
    pbx_token: str


def load_service_secrets(path: Path) -> ServiceSecrets:
    """The stored secrets, created at random on first use."""
    if path.exists():
        data = json.loads(path.read_text(encoding="utf-8"))
        return ServiceSecrets(data["ami_secret"], data["pbx_token"])
    return rotate_service_secrets(path)


def rotate_service_secrets(path: Path) -> ServiceSecrets:
    """New random secrets, stored (they reach Asterisk and the desk service
    at the next start, when the config is made from them)."""
    value = ServiceSecrets(secrets.token_urlsafe(24), secrets.token_urlsafe(24))
    write_private(path, json.dumps({"ami_secret": value.ami_secret, "pbx_token": value.pbx_token}))
    return value


def manager_network_conf(network: Network) -> str:
    # AMI never leaves loopback, whatever address SIP binds to.
    return f"enabled = yes\nport = {network.ami_port}\nbindaddr = 127.0.0.1\n"


def manager_users_conf(value: ServiceSecrets) -> str:
    return (
        f"[{AMI_USER}]\n"
        f"secret = {value.ami_secret}\n"
        "deny = 0.0.0.0/0.0.0.0\n"
        "permit = 127.0.0.1/255.255.255.255\n"
        "read = call,agent,user,reporting\n"
        "write = agent,call,originate,user,reporting\n"
        "writetimeout = 5000\n"
    )


def extensions_globals_conf(network: Network, value: ServiceSecrets) -> str:
    # The dialplan asks the desk service's PBX-only listener, never the
    # desktops' one. A CURLOPT set without a channel (here, in [globals])
    # holds for every CURL() and, unlike a dialplan global or a Set(), is
    # never logged.
    return (f"DESK_URL = http://127.0.0.1:{network.desk_pbx_port}\n"
            f"CURLOPT(httpheader) = X-PBX-Token: {value.pbx_token}\n")


def desk_config(
    layout: Layout,
    network: Network,
    value: ServiceSecrets,
    queue_titles: dict[str, str] | None = None,
    queue_extensions: dict[str, str] | None = None,
) -> dict[str, object]:
    """Everything the desk service needs to run next to this PBX (the
    queues' display titles come from pbx/queues.ini). With the PBX's server
    certificate (tls.py makes it at start), desktops reach the service over
    HTTPS with that certificate; the desk service refuses plain HTTP
    beyond loopback."""
    config: dict[str, object] = {
        "ami": {"host": "127.0.0.1", "port": network.ami_port, "username": AMI_USER, "secret": value.ami_secret},
        "http": {"host": network.bind, "port": network.desk_port},
        "pbx_token": value.pbx_token,
        "pbx_listener": {"host": "127.0.0.1", "port": network.desk_pbx_port},
        "directory": str(DIRECTORY_FILE),
        "secrets": str(layout.secrets_file),
        "spool": str(layout.state / "spool"),
        "database": os.environ.get("AGENTDESK_DESK_DATABASE", f"sqlite:///{layout.desk_dir / 'desk.sqlite3'}"),
        "log": str(layout.desk_dir / "desk.log"),
        "queue_titles": dict(queue_titles or {}),
        "queue_extensions": dict(queue_extensions or {}),
    }
    https = layout.server_cert_file.exists() and layout.server_key_file.exists()
    if https:
        files = {"certificate": str(layout.server_cert_file), "key": str(layout.server_key_file)}
        if not tls.is_given(layout) and layout.ca_cert_file.exists():
            files["authority"] = str(layout.ca_cert_file)  # what provisioned desktops pin
        config["tls"] = files
    config["provisioning"] = provisioning_addresses(layout, network, https)
    return config


def provisioning_addresses(layout: Layout, network: Network, https: bool) -> dict[str, object]:
    """What provisioned desktops are told (the desk service's
    provisioning/addresses.py): this PBX by the name desktops use for it,
    SIP over TLS for everyone, plain SIP too where it is reachable there;
    TCP then for those not marked tls, unless every agent must use TLS."""
    host = advertised_host(layout, network)
    sip = {"tls": f"{host}:{network.tls_port}"}
    plain = (network.is_loopback or network.plain_sip_public) and not layout.secure_agents
    if plain:
        sip |= {"tcp": f"{host}:{network.sip_port}", "udp": f"{host}:{network.sip_port}"}
    return {"desk_url": f"{'https' if https else 'http'}://{host}:{network.desk_port}", "sip": sip,
            "transport": "tcp" if plain else "tls"}


def advertised_host(layout: Layout, network: Network) -> str:
    """The name desktops use for this PBX (its certificate carries it,
    tls.default_names): the first --tls-name, else the bind address, else,
    listening on every address, this host's name."""
    if layout.tls_names and layout.tls_names[0].strip():
        return layout.tls_names[0].strip().lower()
    bind = ipaddress.ip_address(network.bind)
    if bind.is_unspecified:
        return socket.gethostname()
    return f"[{bind}]" if bind.version == 6 else str(bind)


def write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, path)
