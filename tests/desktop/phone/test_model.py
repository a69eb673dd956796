from __future__ import annotations

import pytest

from agentdesk.desktop.phone.model import parse_remote


@pytest.mark.parametrize(
    ("remote", "expected"),
    [
        ('"Dmitri Volkov" <sip:1002@127.0.0.1>', ("1002", "Dmitri Volkov", "sip:1002@127.0.0.1")),
        ("<sip:+982155550101@pbx;user=phone>", ("+982155550101", "", "sip:+982155550101@pbx;user=phone")),
        ("sip:600@pbx", ("600", "", "sip:600@pbx")),
        ('"A \\"quoted\\" name" <sip:7@x>', ("7", 'A "quoted" name', "sip:7@x")),
        ('Plain Name <sips:bob@example.com>', ("bob", "Plain Name", "sips:bob@example.com")),
        ('"<b>x</b>" <sip:1@x>', ("1", "<b>x</b>", "sip:1@x")),
    ],
)
def test_remote_party_is_split_into_number_name_and_uri(remote: str, expected: tuple[str, str, str]) -> None:
    assert parse_remote(remote) == expected
