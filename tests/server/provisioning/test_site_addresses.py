"""What provisioned desktops are told about where the PBX and the desk
service are: `pbx/run start` writes it into desk-service.json from its
network settings (with the PBX's own authority, which desktops pin), the
desk service reads it back, and a hand-written one that makes no sense is
refused at start, naming the key."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest

from agentdesk.pbxtool import tls
from agentdesk.pbxtool.layout import Layout, Network
from agentdesk.pbxtool.service import ServiceSecrets, desk_config
from agentdesk.server.config import ConfigError, load_config
from agentdesk.server.provisioning.addresses import SiteAddresses
from tests.helpers.offline import write_config
from tests.helpers.tlskit import issue, make_authority


def written(layout: Layout) -> dict[str, Any]:
    config = desk_config(layout, layout.network, ServiceSecrets("ami-secret-0123456789", "pbx-token-0123456789"))
    (layout.home / "desk.json").write_text(json.dumps({**config, "directory": "d", "secrets": "s"}))
    return config


def test_a_pbx_on_loopback_offers_plain_sip_and_names_its_own_authority(tmp_path: Path) -> None:
    layout = Layout(tmp_path, Network(sip_port=5160, tls_port=5162, desk_port=8490))
    layout.state.mkdir(parents=True)
    tls.ensure(layout, tls.default_names("127.0.0.1", ()), None)
    config = written(layout)
    assert config["tls"]["authority"] == str(layout.ca_cert_file)
    assert config["provisioning"] == {
        "desk_url": "https://127.0.0.1:8490", "transport": "tcp",
        "sip": {"tls": "127.0.0.1:5162", "tcp": "127.0.0.1:5160", "udp": "127.0.0.1:5160"}}
    loaded = load_config(layout.home / "desk.json")
    assert loaded.tls is not None and loaded.tls.authority == layout.ca_cert_file
    assert loaded.provisioning.offered() == ("udp", "tcp", "tls") and loaded.provisioning.transport == "tcp"


@pytest.mark.parametrize(("network", "names", "secure", "host"), [
    (Network(bind="203.0.113.5"), ("PBX.example.com",), False, "pbx.example.com"),  # plain SIP stays on loopback
    (Network(bind="0.0.0.0", plain_sip_public=True), (), True, socket.gethostname()),  # everyone on TLS
])
def test_a_pbx_on_the_network_gives_tls_by_the_name_desktops_use(
        tmp_path: Path, network: Network, names: tuple[str, ...], secure: bool, host: str) -> None:
    layout = Layout(tmp_path, network, tls_names=names, secure_agents=secure)
    layout.state.mkdir(parents=True)
    tls.ensure(layout, tls.default_names(network.bind, names), None)
    assert written(layout)["provisioning"] == {
        "desk_url": f"https://{host}:8480", "sip": {"tls": f"{host}:5061"}, "transport": "tls"}
    assert load_config(layout.home / "desk.json").provisioning.offered() == ("tls",)


def test_with_the_administrators_own_certificate_there_is_no_authority_to_pin(tmp_path: Path) -> None:
    layout = Layout(tmp_path, Network())
    layout.state.mkdir(parents=True)
    ca_cert, ca_key = make_authority(tmp_path, "Public authority")
    tls.ensure(layout, ("127.0.0.1",), issue(tmp_path, ca_cert, ca_key, "127.0.0.1", (-1, 90)))
    assert "authority" not in written(layout)["tls"]


def test_left_out_the_desk_service_answers_from_where_it_was_asked(tmp_path: Path) -> None:
    assert load_config(write_config(tmp_path)).provisioning == SiteAddresses()
    assert SiteAddresses().offered() == ("tls",)
    assert SiteAddresses().sip_server("tls", "desk.example.com") == "desk.example.com:5061"


@pytest.mark.parametrize(("provisioning", "key"), [
    ({"desk_url": "ftp://pbx.example.com"}, "provisioning.desk_url"),
    ({"desk_url": "https://pbx.example.com/path"}, "provisioning.desk_url"),
    ({"sip": {"tls": "pbx.example.com"}}, "provisioning.sip.tls"),
    ({"sip": {"tls": "pbx.example.com:70000"}}, "provisioning.sip.tls"),
    ({"sip": {"sctp": "pbx.example.com:5060"}}, "provisioning.sip.sctp"),
    ({"sip": {"tcp": "pbx.example.com:5060"}, "transport": "tls"}, "provisioning.transport"),
    ({"transport": "udp"}, "provisioning.transport"),
    ("pbx.example.com", "provisioning"),
])
def test_provisioning_settings_that_make_no_sense_are_refused(tmp_path: Path, provisioning: object, key: str) -> None:
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        load_config(write_config(tmp_path, provisioning=provisioning))
