"""The pure AMI layer: the parser on transcripts recorded from the bundled
Asterisk 22 (tests/data/ami/README.md) and on damaged input, and the
action encoder."""

from __future__ import annotations

import logging
import random
from pathlib import Path

import pytest

from agentdesk.server.ami.protocol import (
    MAX_MESSAGE_BYTES,
    AmiInjectionError,
    AmiMessage,
    AmiParser,
    encode_action,
)

DATA = Path(__file__).resolve().parents[2] / "data" / "ami"
BANNER = "Asterisk Call Manager/11.0.0"


def transcript(name: str) -> bytes:
    return (DATA / name).read_bytes()


def parse(data: bytes, chunk: int = 0) -> tuple[AmiParser, list[AmiMessage]]:
    """Everything in `data`, fed whole or `chunk` bytes at a time."""
    parser = AmiParser()
    step = chunk or len(data) or 1
    messages = [m for start in range(0, len(data), step) for m in parser.feed(data[start : start + step])]
    return parser, messages


def named(messages: list[AmiMessage], name: str) -> list[AmiMessage]:
    return [message for message in messages if message.name == name]


@pytest.fixture(scope="module")
def session() -> list[AmiMessage]:
    parser, messages = parse(transcript("queue-session.ami"))
    assert parser.banner == BANNER
    return messages


def test_rejected_login_transcript() -> None:
    parser, messages = parse(transcript("login-rejected.ami"))
    assert parser.banner == BANNER
    assert messages == [
        AmiMessage((("Response", "Error"), ("ActionID", "login-1"), ("Message", "Authentication failed")))
    ]
    reply = messages[0]
    assert (reply.kind, reply.name, reply.action_id, reply.get("message")) == (
        "response", "Error", "login-1", "Authentication failed",
    )  # fmt: skip


def test_no_banner_until_the_whole_line_is_there() -> None:
    parser = AmiParser()
    assert parser.feed(b"Asterisk Call Man") == []
    assert parser.banner == ""
    assert parser.feed(b"ager/11.0.0\r\n") == []
    assert parser.banner == BANNER


def test_queue_status_reply_with_members_and_callers(session: list[AmiMessage]) -> None:
    status_id = "status-1"
    reply = [m for m in session if m.action_id == status_id]
    assert reply[0].kind == "response" and reply[0].get("EventList") == "start"
    assert reply[-1].name == "QueueStatusComplete" and reply[-1].ends_list
    assert {m.get("Queue") for m in named(reply, "QueueParams")} >= {"support", "sales"}
    member = next(m for m in named(reply, "QueueMember") if m.get("Name") == "1019")
    assert (member.get("Location"), member.get("Paused"), member.get("PausedReason")) == ("PJSIP/1019", "1", "Lunch")
    caller = named(reply, "QueueEntry")[0]
    assert (caller.get("Queue"), caller.get("Position")) == ("support", "1")
    assert (caller.get("CallerIDNum"), caller.get("CallerIDName")) == ("+4915112345678", "Ada Lovelace")


def test_member_added_and_paused_events(session: list[AmiMessage]) -> None:
    added = named(session, "QueueMemberAdded")[0]
    assert (added.kind, added.action_id) == ("event", "")
    assert (added.get("Queue"), added.get("Interface"), added.get("MemberName")) == ("support", "PJSIP/1019", "1019")
    paused = named(session, "QueueMemberPause")[0]
    assert (paused.get("Paused"), paused.get("PausedReason")) == ("1", "Lunch")
    assert named(session, "QueueMemberRemoved")[0].get("Interface") == "PJSIP/1019"


def test_error_responses(session: list[AmiMessage]) -> None:
    errors = [m for m in session if m.kind == "response" and m.name == "Error"]
    by_id = {m.action_id: m.get("Message") for m in errors}
    assert by_id["remove-2"].startswith("Unable to remove interface")
    assert by_id["bogus-1"].startswith("Invalid/unknown command: NoSuchAction")


def test_an_event_with_a_response_header_is_an_event(session: list[AmiMessage]) -> None:
    """OriginateResponse carries both Event: and Response:."""
    originated = named(session, "OriginateResponse")[0]
    assert (originated.kind, originated.get("Response"), originated.action_id) == ("event", "Success", "orig-1")


@pytest.mark.parametrize("chunk", [1, 7, 100, 4096])
def test_any_chunking_gives_the_same_messages(chunk: int, session: list[AmiMessage]) -> None:
    assert parse(transcript("queue-session.ami"), chunk)[1] == session


def test_random_chunking_gives_the_same_messages(session: list[AmiMessage]) -> None:
    data = transcript("queue-session.ami")
    rng = random.Random(4475)
    parser, messages, start = AmiParser(), [], 0
    while start < len(data):
        end = start + rng.randint(1, 300)
        messages += parser.feed(data[start:end])
        start = end
    assert messages == session


def test_bare_lf_line_ends_give_the_same_messages(session: list[AmiMessage]) -> None:
    assert parse(transcript("queue-session.ami").replace(b"\r\n", b"\n"))[1] == session


def test_duplicate_headers_are_kept_in_order_and_found_in_any_case() -> None:
    data = b"Event: VarSet\r\nChanVariable: a=1\r\nchanvariable: b=2\r\nValue:  spaced \r\n\r\n"
    message = parse(data)[1][0]
    assert message.get_all("CHANVARIABLE") == ["a=1", "b=2"]
    assert message.get("ChanVariable") == "a=1"
    assert message.get("Value") == " spaced "  # only the separator's space goes
    assert message.get("Missing", "none") == "none" and message.get_all("Missing") == []
    assert AmiMessage((("Output", "x"),)).kind == "other"


def test_invalid_utf8_becomes_replacement_characters() -> None:
    message = parse(b"Event: Newchannel\r\nCallerIDName: Jos\xe9 \xff\xfe\r\n\r\n")[1][0]
    assert message.get("CallerIDName") == "Jos\ufffd \ufffd\ufffd"


def test_lines_without_colon_are_logged_and_skipped(caplog: pytest.LogCaptureFixture) -> None:
    data = b"\x00\x01\xfe junk\r\nEvent: Hangup\r\nthis line has none\r\nCause: 16\r\n\r\n"
    with caplog.at_level(logging.WARNING, "agentdesk.server.ami"):
        messages = parse(data)[1]
    assert messages == [AmiMessage((("Event", "Hangup"), ("Cause", "16")))]
    assert [r.getMessage() for r in caplog.records] == [
        "AMI line without a colon skipped: '\\x00\\x01\ufffd junk'",
        "AMI line without a colon skipped: 'this line has none'",
    ]


def test_blank_lines_between_messages_are_ignored() -> None:
    assert [m.name for m in parse(b"\r\n\r\nEvent: A\r\n\r\n\r\n\n\nEvent: B\r\n\r\n")[1]] == ["A", "B"]


def test_an_over_long_message_is_dropped_and_the_next_one_parsed(caplog: pytest.LogCaptureFixture) -> None:
    huge = b"Event: Flood\r\n" + b"".join(b"Line%d: %s\r\n" % (n, b"x" * 1000) for n in range(1200))
    data = b"Event: Before\r\n\r\n" + huge + b"\r\nEvent: After\r\n\r\n"
    with caplog.at_level(logging.WARNING, "agentdesk.server.ami"):
        messages = parse(data, 65536)[1]
    assert [m.name for m in messages] == ["Before", "After"]
    assert [r.getMessage() for r in caplog.records] == [f"AMI message over {MAX_MESSAGE_BYTES} bytes dropped"]


def test_an_endless_line_is_dropped_without_buffering_it(caplog: pytest.LogCaptureFixture) -> None:
    parser = AmiParser()
    with caplog.at_level(logging.WARNING, "agentdesk.server.ami"):
        assert parser.feed(b"Event: Flood\r\nData: ") == []
        for _ in range(40):  # 2.5 MiB without a line end
            assert parser.feed(b"y" * 65536) == []
            assert len(parser._buffer) <= MAX_MESSAGE_BYTES
        assert parser.feed(b"\r\nMore: z\r\n\r\nEvent: After\r\n\r\n") == [AmiMessage((("Event", "After"),))]
    assert len(caplog.records) == 1


# Written after Asterisk 1.8's action_command(): Asterisk 22 answers
# "Command" with Output: headers, but other AMI servers still do this.
FOLLOWS = (
    b"Response: Follows\r\nPrivilege: Command\r\nActionID: cmd-1\r\n"
    b"Name/username: 1001\r\n\r\n  indented line\r\n--END COMMAND--\r\n\r\n"
    b"Response: Follows\r\nActionID: cmd-2\r\nlast line--END COMMAND--\r\n\r\n"
    b"Event: After\r\n\r\n"
)


def test_response_follows_output_is_kept_as_output_headers() -> None:
    first, second, after = parse(FOLLOWS)[1]
    assert (first.kind, first.name, first.action_id) == ("response", "Follows", "cmd-1")
    assert first.get("Privilege") == "Command"
    assert first.get_all("Output") == ["Name/username: 1001", "", "  indented line"]
    assert (second.action_id, second.get_all("Output")) == ("cmd-2", ["last line"])
    assert after.name == "After"


def test_encode_action() -> None:
    data = encode_action("Originate", "ab12-3", {"Channel": "PJSIP/1001", "Variable": ["A=1", "B=ü"]})
    assert data == (
        "Action: Originate\r\nActionID: ab12-3\r\nChannel: PJSIP/1001\r\nVariable: A=1\r\nVariable: B=ü\r\n\r\n"
    ).encode()
    assert parse(data)[1][0].get_all("Variable") == ["A=1", "B=ü"]
    assert encode_action("Ping", "1", {}) == b"Action: Ping\r\nActionID: 1\r\n\r\n"


@pytest.mark.parametrize(
    ("name", "fields"),
    [
        ("QueueAdd", {"Queue": "support\r\nAction: Originate"}),
        ("QueueAdd", {"Queue": "support\nAction: Originate"}),
        ("QueueAdd", {"Queue": "support\r"}),
        ("QueueAdd", {"Variable": ["A=1", "B=2\r\n\r\nAction: Originate"]}),
        ("QueueAdd", {"Queue: support\r\nInterface": "PJSIP/1001"}),
        ("QueueAdd", {"Queue:": "support"}),
        ("QueueAdd", {"": "support"}),
        ("QueueAdd", {" Queue": "support"}),
        ("QueueAdd", {"ActionID": "mine"}),
        ("QueueAdd", {"action": "Originate"}),
        ("QueueAdd\r\nAction: Originate", {}),
    ],
)
def test_encode_action_refuses_injection(name: str, fields: dict[str, str | list[str]]) -> None:
    with pytest.raises(AmiInjectionError):
        encode_action(name, "1", fields)


def test_injection_error_is_a_value_error_and_does_not_show_the_value() -> None:
    with pytest.raises(ValueError, match="Secret contains a line break") as error:
        encode_action("Login", "1", {"Username": "desk", "Secret": "s3cr3t\r\n"})
    assert "s3cr3t" not in str(error.value)


def test_encode_action_refuses_values_that_are_not_text() -> None:
    with pytest.raises(AmiInjectionError, match="Penalty needs text"):
        encode_action("QueueAdd", "1", {"Penalty": 1})  # type: ignore[dict-item]
    with pytest.raises(AmiInjectionError, match="Variable needs text"):
        encode_action("Originate", "1", {"Variable": b"A=1"})  # type: ignore[dict-item]
