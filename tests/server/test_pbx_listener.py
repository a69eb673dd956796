"""The dialplan's questions (/pbx/v1/...) are served only by the PBX-only
application (its own listener on loopback), with one token check that
reads the X-PBX-Token header and nothing else; the desktops' application
(which also serves the public callback form) does not have them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentdesk.server.config import ConfigError, load_config
from tests.helpers.deskcerts import issue_server, make_authority
from tests.helpers.offline import TOKEN, OfflineDesk, run_offline, write_config

PBX_ROUTES = [
    ("GET", "/pbx/v1/route?queue=support&number=09120000001&call=1.1"),
    ("GET", "/pbx/v1/callbacks/check?queue=support&number=09120000001"),
    ("GET", "/pbx/v1/callbacks/request?queue=support&number=09120000001&call=1.1"),
    ("GET", "/pbx/v1/callbacks/dial?task=0a1b2c3d4e5f&phone=1001"),
    ("GET", "/pbx/v1/callbacks/dialled?task=0a1b2c3d4e5f&phone=1001&status=BUSY"),
    ("POST", "/pbx/v1/surveys?call=1.1"),
]


def test_the_desktops_listener_has_no_pbx_route(tmp_path: Path) -> None:
    async def scenario(desk: OfflineDesk) -> list[tuple[str, int]]:
        found = []
        for method, path in PBX_ROUTES:
            async with desk.desk.request(method, path, headers={"X-PBX-Token": TOKEN}) as reply:
                found.append((path, reply.status))
        return found

    assert all(status == 404 for _, status in run_offline(tmp_path, scenario)), "a /pbx/v1 route on the desktops' app"


def test_the_pbx_listener_serves_only_pbx_routes(tmp_path: Path) -> None:
    async def scenario(desk: OfflineDesk) -> tuple[int, int, int]:
        headers = {"X-PBX-Token": TOKEN}
        async with desk.pbx.get("/api/v1/health", headers=headers) as health:
            pass
        async with desk.pbx.get("/callback", headers=headers) as form:
            pass
        async with desk.desk.get("/api/v1/health") as desk_health:
            pass
        return health.status, form.status, desk_health.status

    assert run_offline(tmp_path, scenario) == (404, 404, 200)


def test_one_token_check_reads_only_the_header(tmp_path: Path) -> None:
    async def scenario(desk: OfflineDesk) -> dict[str, list[tuple[int, str]]]:
        asks: dict[str, dict[str, str]] = {"none": {}, "wrong": {"X-PBX-Token": TOKEN[:-1] + "x"},
                                           "in the URL": {}, "right": {"X-PBX-Token": TOKEN}}
        found: dict[str, list[tuple[int, str]]] = {}
        for name, headers in asks.items():
            found[name] = []
            for method, path in PBX_ROUTES:
                url = f"{path}&token={TOKEN}" if name == "in the URL" else path
                async with desk.pbx.request(method, url, headers=headers) as reply:
                    found[name].append((reply.status, await reply.text()))
        return found

    found = run_offline(tmp_path, scenario)
    for refused in ("none", "wrong", "in the URL"):
        assert all(status == 403 and "wrong PBX token" in text for status, text in found[refused]), found[refused]
    # Let through, each route answers its question: no VIP and no sticky agent; a
    # callable number; a request without a caller's call; an unknown task; noted; noted.
    assert found["right"] == [(200, "0,"), (200, "ok,09120000001"), (200, "invalid,,"), (200, "taken,,"),
                              (200, "ok"), (200, "ok")]


def test_the_pbx_listener_defaults_to_loopback_next_to_the_http_port(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path))
    assert (config.pbx_host, config.pbx_port) == ("127.0.0.1", config.http_port + 1)
    moved = load_config(write_config(tmp_path, pbx_listener={"host": "::1", "port": 18999}))
    assert (moved.pbx_host, moved.pbx_port) == ("::1", 18999)


@pytest.mark.parametrize("listener", [
    {"host": "0.0.0.0"}, {"host": "192.0.2.7", "port": 18481}, {"host": "pbx.example.com"},
    {"port": 18480}, {"port": 70000}, "127.0.0.1:18481",
])
def test_a_pbx_listener_off_loopback_or_on_the_http_port_is_refused(tmp_path: Path, listener: object) -> None:
    with pytest.raises(ConfigError, match="pbx_listener"):
        load_config(write_config(tmp_path, pbx_listener=listener))


def test_pbx_run_points_the_dialplan_at_the_pbx_listener(tmp_path: Path) -> None:
    from agentdesk.pbxtool.layout import Layout, Network
    from agentdesk.pbxtool.service import ServiceSecrets, desk_config, extensions_globals_conf

    network = Network(bind="0.0.0.0", desk_port=8480)
    secrets = ServiceSecrets("ami-secret-0123456789", TOKEN)
    layout = Layout(tmp_path, network)
    without_certificate = desk_config(layout, network, secrets)
    assert "tls" not in without_certificate
    (tmp_path / "bare.json").write_text(json.dumps({**without_certificate, "directory": "d", "secrets": "s"}))
    with pytest.raises(ConfigError, match=r"0\.0\.0\.0 without a certificate; plain HTTP is only for loopback"):
        load_config(tmp_path / "bare.json")
    issue_server(layout.tls_dir, make_authority(tmp_path / "authority"))  # what pbx/run start makes
    written = desk_config(layout, network, secrets)
    assert written["tls"] == {"certificate": str(layout.server_cert_file), "key": str(layout.server_key_file)}
    assert written["http"] == {"host": "0.0.0.0", "port": 8480}
    assert written["pbx_listener"] == {"host": "127.0.0.1", "port": 8481}
    assert "DESK_URL = http://127.0.0.1:8481\n" in extensions_globals_conf(network, secrets)
    (tmp_path / "desk.json").write_text(json.dumps({**written, "directory": "d", "secrets": "s"}))
    config = load_config(tmp_path / "desk.json")
    assert (config.pbx_host, config.pbx_port) == ("127.0.0.1", 8481)
    assert config.tls is not None and config.tls.key == layout.server_key_file
