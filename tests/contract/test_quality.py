"""The call-quality record on the wire (agentdesk/contract/quality.py): what
the desktop writes reads back unchanged, and a malformed record is refused
with a sentence naming the field."""

from __future__ import annotations

from typing import Any

import pytest

from agentdesk.contract.quality import CallQuality, dump_call_quality, is_sip_call_id, parse_call_quality
from agentdesk.contract.queues import ModelError

QUALITY = CallQuality("1800000000.42", 1_800_000_000.0, 1_800_000_095.5, "fair", "packet loss 6 %", 3.71, 3.92,
                      4.8, None, 3.5, 12.0, 21.4, "PCMU", "udp", "no", 47)


def test_a_record_reads_back_unchanged() -> None:
    assert parse_call_quality(dump_call_quality(QUALITY)) == QUALITY
    other = CallQuality("", 1.0, 2.0, "good", "", 4.4, 4.4, 0.0, 0.0, 0.0, 0.0, None, "G722", "tls", "yes", 1)
    assert parse_call_quality(dump_call_quality(other)) == other


@pytest.mark.parametrize(("change", "message"), [
    ({"level": "excellent"}, "'level' must be one of good, fair, poor"),
    ({"mos_avg": 5.0}, "'mos_avg' must be a number from 1 to 4.5"),
    ({"mos_min": 4.0}, "'mos_min' must not be above 'mos_avg'"),
    ({"loss_pct": -1}, "'loss_pct' must be a number from 0 to 100"),
    ({"loss_pct": "6"}, "'loss_pct' must be a number"),
    ({"loss_pct": True}, "'loss_pct' must be a number"),
    ({"remote_loss_pct": float("nan")}, "'remote_loss_pct' must be a number"),
    ({"ended_at": 1.0}, "'ended_at' must not be before 'started_at'"),
    ({"srtp": "maybe"}, "'srtp' must be one of yes, no, unknown"),
    ({"transport": "carrier pigeon"}, "'transport' must be one of udp, tcp, tls, unknown"),
    ({"codec": ""}, "'codec' must be a non-empty text"),
    ({"queue_call": "not a call id!"}, "'queue_call' must be the queue call's ID or empty"),
    ({"samples": 0}, "'samples' must be a whole number of at least 1"),
    ({"jitter_avg_ms": 20.0}, "'jitter_avg_ms' must not be above 'jitter_max_ms'"),
])
def test_a_malformed_record_is_refused_with_a_sentence(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ModelError) as refused:
        parse_call_quality({**dump_call_quality(QUALITY), **change})
    assert str(refused.value).startswith(message)


def test_a_missing_field_is_refused_too() -> None:
    body = dump_call_quality(QUALITY)
    del body["mos_min"]
    with pytest.raises(ModelError, match="'mos_min' must be a number"):
        parse_call_quality(body)


def test_sip_call_ids_are_words() -> None:
    assert is_sip_call_id("7c1e0a52-3f7e-4f4e-9d7a-2c1f0e9d8b11")
    assert is_sip_call_id("a84b4c76e66710@pc33.atlanta.example.com")
    assert not is_sip_call_id("") and not is_sip_call_id("two words") and not is_sip_call_id("x" * 201)
