"""pbx/run's configuration generation and checks (no Asterisk needed)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "pbx"))

from pbxtool import confgen, directory, engine, rootfs
from pbxtool.layout import DIRECTORY_FILE, Layout, Network, PbxError, make_network


def test_the_directory_has_the_agents_and_team_leads() -> None:
    users = directory.read_directory(DIRECTORY_FILE)
    extensions = {u.extension for u in users}
    assert {str(n) for n in range(1001, 1021)} | {"1901", "1902", "1903"} == extensions
    assert {u.role for u in users if u.extension.startswith("19")} == {"teamlead"}


def test_a_bad_directory_line_is_reported(tmp_path: Path) -> None:
    bad = tmp_path / "directory.csv"
    bad.write_text("1001,Name,boss\n")
    with pytest.raises(PbxError, match="role of 1001"):
        directory.read_directory(bad)


def test_loopback_binds_sip_and_media_to_loopback() -> None:
    text = confgen.transports_conf(Network())
    assert text.count("bind = 127.0.0.1:5060") == 2
    assert "media_address = 127.0.0.1" in text and "bind_rtp_to_media_address = yes" in text
    public = confgen.transports_conf(Network(bind="0.0.0.0"))
    assert "media_address" not in public


def test_demo_secrets_are_marked_and_random_ones_are_strong() -> None:
    users = directory.read_directory(DIRECTORY_FILE)
    demo = confgen.users_conf(users, directory.demo_secrets(users))
    assert "DEMO SECRETS" in demo and "password = demo-1001" in demo
    real = directory.random_secrets(users)
    assert len(set(real.sip.values())) == len(users) and all(len(p) >= 20 for p in real.sip.values())
    assert "DEMO" not in confgen.users_conf(users, real)


def test_network_settings_are_checked() -> None:
    with pytest.raises(PbxError, match="IP address"):
        make_network("localhost", None, None)
    with pytest.raises(PbxError, match="RTP port range"):
        make_network(None, None, "20000-10000")


def test_without_root_and_without_mmdebstrap_it_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rootfs, "check_mirror", lambda mirror: None)
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    monkeypatch.setattr("shutil.which", lambda name: None)
    layout = Layout(tmp_path, Network())
    with pytest.raises(PbxError, match="mmdebstrap"):
        rootfs.provision(layout)


def test_without_debootstrap_as_root_it_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rootfs, "check_mirror", lambda mirror: None)
    monkeypatch.setattr("os.geteuid", lambda: 0)
    monkeypatch.setattr("shutil.which", lambda name: None)
    with pytest.raises(PbxError, match="apt-get install debootstrap"):
        rootfs.provision(Layout(tmp_path, Network()))


def test_the_rootfs_engine_mounts_privately_and_drops_root(tmp_path: Path) -> None:
    rootfs_engine = engine.Engine("rootfs", engine.ROOTFS_ASTERISK, "/var/lib/agentdesk-pbx", "/etc/x")
    command = rootfs_engine.command(Layout(tmp_path, Network()), "-rx", "core show uptime")
    assert command[:4] == ["unshare", "--mount", "--propagation", "private"]
    assert command[-3:] == ["-C", "/var/lib/agentdesk-pbx/etc/asterisk.conf", "-rx", "core show uptime"][-3:]
