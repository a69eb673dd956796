"""The one reader of pbx/directory.csv and secrets.json (agentdesk/server/directory.py),
and the desk service's view of it (people.py)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from agentdesk.contract.signin import signin_key, signin_proof
from agentdesk.server.directory import (
    DirectoryError,
    Secrets,
    parse_directory,
    read_directory,
    read_secrets,
    write_secrets,
)
from agentdesk.server.people import People
from tests.helpers.errorlog import ErrorLog

REPO_DIRECTORY = Path(__file__).resolve().parents[2] / "pbx" / "directory.csv"


def test_the_shipped_directory_reads() -> None:
    people = {p.extension: p for p in read_directory(REPO_DIRECTORY)}
    assert people["1001"].may_join("support") and people["1001"].may_join("sales")
    assert people["1901"].role == "teamlead" and people["1901"].may_join("anything")
    assert people["09121110001"].is_customer and not people["09121110001"].may_join("support")


def test_an_agent_may_join_only_the_queues_listed() -> None:
    [only, every, none] = parse_directory(
        "# comment\n\n1001,Sara,agent,support\n1002,Dmitri,agent,*\n1003,Maryam,agent,\n", "dir")
    assert only.may_join("support") and not only.may_join("sales")
    assert every.may_join("sales") and every.may_join("vip")
    assert not none.may_join("support")
    assert only.agent == "1001" and only.queues == ("support",)


def test_a_person_may_be_required_to_use_tls() -> None:
    [remote, local] = parse_directory("1020,Alexei,agent,support,tls\n1001,Sara,agent,support,\n", "dir")
    assert remote.secure and not local.secure
    assert {p.extension for p in read_directory(REPO_DIRECTORY) if p.secure} == {"1020"}


@pytest.mark.parametrize(("text", "problem"), [
    ("1001,Sara,agent\n", "needs extension,name,role,queues"),
    ("1001,Sara,agent,support,maybe\n", "security of 1001 must be 'tls' or empty"),
    ("1001,Sara,boss,\n", "role of 1001"),
    ("10a1,Sara,agent,\n", "not a number"),
    ('1001,Sara "S",agent,\n', "cannot quote"),
    ("1001,Sara,agent,Support!\n", "not a queue name"),
    ("1901,Parisa,teamlead,support\n", "only agents list queues"),
    ("1001,Sara,agent,\n1001,Sara again,agent,\n", "line 2: extension 1001 appears twice"),
])
def test_a_malformed_line_is_refused_naming_the_line(text: str, problem: str) -> None:
    with pytest.raises(DirectoryError, match=problem):
        parse_directory(text, "pbx/directory.csv")


def test_secrets_are_written_private_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "state" / "secrets.json"
    value = Secrets(False, {"1001": "s3cret"}, {"1001": "123456"})
    write_secrets(path, value)
    assert read_secrets(path) == value
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.write_text('{"demo": false, "sip": "s3cret-in-the-wrong-place"}')
    with pytest.raises(DirectoryError) as refused:
        read_secrets(path)
    assert "s3cret" not in str(refused.value)


def test_the_service_keeps_the_last_good_directory(tmp_path: Path, error_log: ErrorLog) -> None:
    directory, secrets = tmp_path / "directory.csv", tmp_path / "secrets.json"
    directory.write_text("1001,Sara,agent,support\n09121110001,Customer,customer,\n")
    write_secrets(secrets, Secrets(True, {"1001": "demo-1001", "09121110001": "x"}, {}))
    people = People(directory, secrets)
    assert [p.agent for p in people.all()] == ["1001"]  # customers never sign in
    nonce = "n" * 32
    assert people.check_proof("1001", nonce, signin_proof(signin_key("demo-1001"), nonce, "1001")) is not None
    assert people.check_proof("1001", nonce, signin_proof(signin_key("wrong"), nonce, "1001")) is None
    directory.write_text("1001,Sara,boss,\n")
    os.utime(directory, (1, 1))
    error_log.allowed = True
    assert people.get("1001") is not None  # the broken file is logged, the last good copy stays
    assert any("role of 1001" in r.getMessage() for r in error_log.records)
