"""`pbx/run enroll` on the bundled PBX: the administrator's command asks
the running desk service for links (agents named, or a roll-out CSV),
prints them as CSV, and a printed link redeems, as a desktop does it,
for the agent's real SIP account: the authority it names first, then the
code over a connection verified against it. Neither the code nor the
secret reaches the service's log."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import ssl
from pathlib import Path

import pytest
import requests

from agentdesk.contract.provisioning import FINGERPRINT_FRAGMENT
from tests.helpers.pbx import DESK_CA_FILE, DESK_URL, SIP_PORT, Pbx

pytestmark = pytest.mark.pbx


def test_pbx_run_enroll_prints_links_that_redeem_once(pbx: Pbx, tmp_path: Path) -> None:
    log, console = pbx.desk_log(), pbx.log_dir() / "desk-console.log"
    sheet = tmp_path / "roll-out.csv"
    sheet.write_text("room,agent\nA1,1003\n", encoding="utf-8")
    result = pbx.run("enroll", "1002", "--csv", str(sheet), "--hours", "2", timeout=60)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["agent"], r["name"]) for r in rows] == [("1002", "Dmitri Volkov"), ("1003", "Maryam Ahmadi")]
    link, _, fragment = rows[0]["link"].partition("#")
    assert link.startswith(f"{DESK_URL}/enroll/")

    # As the desktop: the authority first (no code sent), checked against the link's fingerprint.
    pem = requests.get(f"{DESK_URL}/enroll/ca.pem", verify=str(DESK_CA_FILE), timeout=10).text
    named = FINGERPRINT_FRAGMENT.fullmatch(fragment)
    assert named and named.group(1) == hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).hexdigest()
    answer = requests.post(link, verify=str(DESK_CA_FILE), timeout=10)
    assert answer.status_code == 200, answer.text
    secret = json.loads((pbx.home / "state" / "secrets.json").read_text())["sip"]["1002"]
    assert answer.json()["sip"] == {"server": f"127.0.0.1:{SIP_PORT}", "transport": "tcp", "user": "1002",
                                    "secret": secret}
    assert answer.json()["desk_url"] == DESK_URL and answer.json()["tls_ca_pem"] == DESK_CA_FILE.read_text()
    again = requests.post(link, verify=str(DESK_CA_FILE), timeout=10)
    assert again.status_code == 410 and "used already" in again.json()["error"]

    written = log.read() + console.read_text(encoding="utf-8", errors="replace")
    assert "agent 1002 enrolled a desktop" in written
    for row in rows:
        assert row["link"].split("#")[0].rsplit("/", 1)[1] not in written
    assert secret not in written


def test_pbx_run_enroll_names_who_cannot_be_enrolled(pbx: Pbx) -> None:
    result = pbx.run("enroll", "1002", "4444", timeout=60)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == "pbx/run: the desk service made no links: the directory has no agent 4444\n"
