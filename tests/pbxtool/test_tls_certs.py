"""The PBX's own authority and server certificate (agentdesk/pbxtool/tls.py),
and an administrator's certificate used instead."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography import x509

from agentdesk.pbxtool import tls
from agentdesk.pbxtool.layout import Layout, Network, PbxError
from tests.helpers.tlskit import issue, make_authority


def layout_in(tmp_path: Path) -> Layout:
    layout = Layout(tmp_path, Network())
    layout.state.mkdir(parents=True)
    return layout


def names_in(path: Path) -> set[str]:
    info = tls.describe(path)
    assert info is not None
    return set(info.names)


def test_the_first_start_makes_an_authority_and_a_certificate_for_the_pbx_names(tmp_path: Path) -> None:
    layout = layout_in(tmp_path)
    tls.ensure(layout, tls.default_names("127.0.0.1", ("pbx.example.com",)), None)
    assert {"127.0.0.1", "localhost", "pbx.example.com"} <= names_in(layout.server_cert_file)
    assert stat.S_IMODE(layout.ca_key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(layout.server_key_file.stat().st_mode) == 0o640
    server, authority = x509.load_pem_x509_certificates(layout.server_cert_file.read_bytes())
    server.verify_directly_issued_by(authority)  # the chain is served whole
    assert authority == x509.load_pem_x509_certificate(layout.ca_cert_file.read_bytes())
    assert not tls.is_given(layout)


def test_the_authority_is_kept_and_the_certificate_follows_the_names(tmp_path: Path) -> None:
    layout = layout_in(tmp_path)
    tls.ensure(layout, ("127.0.0.1",), None)
    authority, first = layout.ca_cert_file.read_bytes(), layout.server_cert_file.read_bytes()
    tls.ensure(layout, ("127.0.0.1",), None)
    assert layout.server_cert_file.read_bytes() == first  # nothing changed: nothing reissued
    tls.ensure(layout, ("127.0.0.1", "10.1.2.3"), None)
    assert "10.1.2.3" in names_in(layout.server_cert_file)
    assert layout.ca_cert_file.read_bytes() == authority  # desktops keep trusting the same authority


def test_an_administrators_certificate_is_used_and_checked(tmp_path: Path) -> None:
    layout = layout_in(tmp_path)
    ca_cert, ca_key = make_authority(tmp_path, "Public authority")
    cert, key = issue(tmp_path, ca_cert, ca_key, "192.0.2.10", (-1, 90))
    tls.ensure(layout, ("192.0.2.10",), (cert, key))
    assert tls.is_given(layout) and layout.server_cert_file.read_bytes() == cert.read_bytes()
    other_cert, other_key = issue(tmp_path / "..", ca_cert, ca_key, "192.0.2.11", (-1, 90))
    with pytest.raises(PbxError, match="does not belong to the certificate"):
        tls.ensure(layout, (), (cert, other_key))
    expired, expired_key = issue(tmp_path, ca_cert, ca_key, "192.0.2.12", (-90, -1))
    with pytest.raises(PbxError, match="expired on"):
        tls.ensure(layout, (), (expired, expired_key))
    with pytest.raises(PbxError, match="cannot read"):
        tls.ensure(layout, (), (tmp_path / "missing.pem", key))
    assert other_cert.exists()
