"""The desktop's server-sent events parser."""

from __future__ import annotations

from agentdesk.desktop.link.sse import MAX_EVENT_BYTES, SseParser


def test_events_split_across_chunks_and_line_endings() -> None:
    parser = SseParser()
    assert parser.feed(b"id: 7\r\nevent: queue\r\nda") == []
    events = parser.feed(b'ta: {"a":\ndata: 1}\n\n: keep-alive\n\nevent: agent\rdata: x\r\r')
    assert [(e.name, e.data, e.event_id) for e in events] == [("queue", '{"a":\n1}', "7"), ("agent", "x", "7")]


def test_comments_and_unknown_fields_are_ignored() -> None:
    parser = SseParser()
    assert parser.feed(b": hello\nretry: 5\nfoo: bar\n\n") == []
    assert [e.name for e in parser.feed(b"data: plain\n\n")] == ["message"]


def test_an_over_long_event_is_dropped_and_the_next_one_arrives() -> None:
    parser = SseParser()
    big = b"data: " + b"x" * (MAX_EVENT_BYTES // 2) + b"\n"
    assert parser.feed(b"event: queue\n" + big + big + big + b"\n") == []
    assert [e.data for e in parser.feed(b"event: agent\ndata: ok\n\n")] == ["ok"]
