"""A set-up link is checked before anything is sent: what a copied,
truncated or tampered link gets is a sentence saying what to do."""

from __future__ import annotations

import pytest

from agentdesk.desktop.provisioning.link import ProvisioningError, parse_link

CODE = "aB3_-" + "x" * 38
FINGERPRINT = "0123456789abcdef" * 4


def test_a_link_gives_the_service_the_code_and_the_fingerprint() -> None:
    link = parse_link(f"  https://desk.example.com:8480/enroll/{CODE}#ca-sha256={FINGERPRINT.upper()}\n")
    assert link.base_url == "https://desk.example.com:8480"
    assert link.address == "desk.example.com:8480"
    assert link.enroll_url == f"https://desk.example.com:8480/enroll/{CODE}"
    assert link.authority_url == "https://desk.example.com:8480/enroll/ca.pem"
    assert link.ca_sha256 == FINGERPRINT
    assert CODE not in repr(link)  # the code is a secret until it is used


def test_a_link_without_a_fingerprint_trusts_the_system_and_may_sit_under_a_path() -> None:
    link = parse_link(f"https://example.com/desk/enroll/{CODE}/")
    assert link.ca_sha256 is None
    assert link.base_url == "https://example.com/desk"
    assert link.enroll_url == f"https://example.com/desk/enroll/{CODE}"


def test_plain_http_only_reaches_this_computer() -> None:
    assert parse_link(f"http://127.0.0.1:8480/enroll/{CODE}").base_url == "http://127.0.0.1:8480"
    assert parse_link(f"http://[::1]:8480/enroll/{CODE}").address == "[::1]:8480"
    with pytest.raises(ProvisioningError, match=r"must start with https://.*only reaches a desk service on this"):
        parse_link(f"http://desk.example.com:8480/enroll/{CODE}")


@pytest.mark.parametrize(("text", "says"), [
    ("", "Paste the whole set-up link"),
    (f"ftp://desk.example.com/enroll/{CODE}", "must start with https://"),
    (f"desk.example.com:8480/enroll/{CODE}", "must start with https://"),
    ("https://desk.example.com:8480/callback", "must end in /enroll/ and a code"),
    (f"https://desk.example.com:8480/enroll/{CODE[:30]}", "code is incomplete or damaged"),
    (f"https://desk.example.com:8480/enroll/{CODE}#ca-sha256={FINGERPRINT[:40]}", "ca-sha256 part is incomplete"),
    (f"https://desk.example.com:84x0/enroll/{CODE}", "port is not a number"),
    (f"https://it:pw@desk.example.com/enroll/{CODE}", "no user name or password"),
])
def test_a_bad_link_is_refused_with_what_to_do(text: str, says: str) -> None:
    with pytest.raises(ProvisioningError, match=says) as refused:
        parse_link(text)
    assert CODE not in str(refused.value)
