"""Live call quality from the stream readings the SIP stack takes: the
tracker (loss over the last readings, not since the call began; hold; a
stream made anew; the other party's reports), and the phone's call logic
reading a connected call every two seconds and summing it up when it ends
(on a fake stack whose readings the tests write)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from agentdesk.contract.quality import FAIR, GOOD, POOR
from agentdesk.desktop.phone.core import PhoneCore
from agentdesk.desktop.phone.model import CallSnapshot, CallState, Direction
from agentdesk.desktop.phone.quality import Factor
from agentdesk.desktop.phone.qualitytrack import (
    CallQualityTracker,
    QualityReport,
    QualitySummary,
    StreamSample,
    srtp_answer,
    transport_of_contact,
)
from agentdesk.desktop.phone.qualitywatch import POLL_SECONDS
from tests.helpers.fakes import FakePhoneEvents, FakeStack

PER_READING = 100  # packets in two seconds of 20 ms frames


class Stream:
    """A call's stream counters, advanced reading by reading as pjmedia would."""

    def __init__(self, codec: str = "PCMU") -> None:
        self.codec = codec
        self.received = self.lost = self.sent = 0
        self.remote_reports = self.remote_lost = 0
        self.jitter_ms = 2.0
        self.rtt_ms: float | None = 1.0

    def advance(self, loss_pct: float = 0.0, remote_loss_pct: float | None = None,
                packets: int = PER_READING) -> StreamSample:
        lost = round(packets * loss_pct / 100)
        self.received += packets - lost
        self.lost += lost
        self.sent += packets
        if remote_loss_pct is not None:  # their receiver report arrived in this interval
            self.remote_reports += 1
            self.remote_lost += round(packets * remote_loss_pct / 100)
        return self.reading()

    def reading(self) -> StreamSample:
        return StreamSample(self.codec, self.received, self.lost, 0, self.jitter_ms, 40.0, self.rtt_ms, self.sent,
                            self.remote_reports, self.remote_lost, 1.0, "udp", "no", "abc-123@pbx")


def feed(tracker: CallQualityTracker, readings: Iterator[StreamSample] | list[StreamSample]) -> list[QualityReport]:
    reports = []
    for reading in readings:
        report = tracker.add(reading)
        if report is not None:
            reports.append(report)
    return reports


def test_a_clean_call_is_good_and_its_summary_says_so() -> None:
    stream, tracker = Stream(), CallQualityTracker(1)
    reports = feed(tracker, [stream.advance() for _ in range(10)])
    assert len(reports) == 10
    assert {r.level for r in reports} == {GOOD}
    assert reports[-1].mos == pytest.approx(4.4, abs=0.05) and reports[-1].loss_pct == 0
    summary = tracker.summary()
    assert summary is not None
    assert (summary.level, summary.reason, summary.samples, summary.codec) == (GOOD, "", 10, "PCMU")
    assert summary.loss_pct == 0 and summary.mos_min == pytest.approx(summary.mos_avg)
    assert (summary.transport, summary.srtp, summary.sip_call_id) == ("udp", "no", "abc-123@pbx")
    assert summary.rtt_avg_ms == 1.0 and summary.jitter_max_ms == 2.0


def test_a_burst_of_loss_shows_at_once_and_is_forgotten_once_over() -> None:
    stream, tracker = Stream(), CallQualityTracker(1)
    feed(tracker, [stream.advance() for _ in range(30)])  # a clean minute
    burst = feed(tracker, [stream.advance(loss_pct=20) for _ in range(2)])
    # Loss of the last readings (40 of 500 packets), not of the whole call (40 of 3200).
    assert burst[-1].loss_pct == pytest.approx(8.0)
    assert burst[-1].level == POOR
    assert burst[-1].estimate.factor is Factor.LOSS and burst[-1].reason == "packet loss 8 %"
    after = feed(tracker, [stream.advance() for _ in range(5)])
    assert after[-1].level == GOOD and after[-1].loss_pct == 0
    summary = tracker.summary()
    assert summary is not None
    assert summary.loss_pct == pytest.approx(100 * 40 / 3700)
    assert summary.level == GOOD  # on average the call was fine...
    assert summary.mos_min < 3.6 and summary.reason == "packet loss 8 %"  # ...but not all of it


def test_steady_loss_makes_the_whole_call_poor() -> None:
    stream, tracker = Stream("PCMA"), CallQualityTracker(1)
    reports = feed(tracker, [stream.advance(loss_pct=8) for _ in range(6)])
    assert {r.level for r in reports} == {POOR}
    summary = tracker.summary()
    assert summary is not None and summary.level == POOR and summary.mos_avg < 3.6
    assert summary.loss_pct == pytest.approx(8.0)


def test_nothing_arriving_on_hold_is_not_counted_as_loss() -> None:
    stream, tracker = Stream(), CallQualityTracker(1)
    feed(tracker, [stream.advance() for _ in range(3)])
    held = stream.reading()
    assert tracker.add(held) is None and tracker.add(held) is None
    report = tracker.add(stream.advance())
    assert report is not None and report.loss_pct == 0 and report.level == GOOD


def test_a_stream_made_anew_starts_counting_again() -> None:
    stream, tracker = Stream(), CallQualityTracker(1)
    feed(tracker, [stream.advance() for _ in range(5)])
    fresh = Stream()  # a re-INVITE: pjsua made the stream again, its counters start at zero
    report = tracker.add(fresh.advance(loss_pct=2))
    assert report is not None and report.loss_pct == pytest.approx(2 * 100 / 500)  # no negative counts
    summary = tracker.summary()
    assert summary is not None and summary.samples == 6


def test_what_the_other_party_reports_counts_and_is_named() -> None:
    stream, tracker = Stream(), CallQualityTracker(1)
    first = feed(tracker, [stream.advance() for _ in range(2)])
    assert first[-1].remote_loss_pct is None  # no receiver report from them yet
    reports = feed(tracker, [stream.advance(remote_loss_pct=15) for _ in range(3)])
    # Their first report covers all 300 packets sent so far, then 100 each: 45 of 500 lost.
    assert reports[-1].remote_loss_pct == pytest.approx(9.0)
    assert reports[-1].loss_pct == 0
    assert reports[-1].level == POOR and reports[-1].estimate.outbound
    assert reports[-1].reason == "packet loss 9 % towards the other party"
    summary = tracker.summary()
    assert summary is not None and summary.remote_loss_pct == pytest.approx(9.0)


def test_a_call_without_audio_has_no_summary() -> None:
    assert CallQualityTracker(1).summary() is None


@pytest.mark.parametrize(("policy", "secure_line", "answer"), [
    ("mandatory", True, "yes"), ("mandatory", False, "yes"), ("optional", True, "yes"), (None, True, "yes"),
    ("disabled", False, "no"), ("optional", False, "unknown"), (None, False, "unknown"),
])
def test_encrypted_audio_is_said_only_when_known(policy: str | None, secure_line: bool, answer: str) -> None:
    assert srtp_answer(policy, secure_line) == answer


@pytest.mark.parametrize(("contact", "transport"), [
    ("<sip:1001@127.0.0.1:5080;ob>", "udp"), ("<sip:1001@10.0.0.2:40211;transport=TCP;ob>", "tcp"),
    ("<sips:1001@pbx.example:5061;transport=tls>", "tls"), ("<sips:1001@pbx.example>", "tls"),
    ("<sip:1001@h;transport=sctp>", "unknown"), ("", "unknown"),
])
def test_the_calls_transport_comes_from_its_contact(contact: str, transport: str) -> None:
    assert transport_of_contact(contact) == transport


# -- the phone's call logic, reading a connected call on the SIP thread --------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr("agentdesk.desktop.phone.timers.time.monotonic", fake)
    return fake


def connected_call(readings: list[StreamSample]) -> tuple[PhoneCore, FakePhoneEvents, FakeStack]:
    events, stack = FakePhoneEvents(), FakeStack(readings={7: readings})
    core = PhoneCore(events, None, stack)
    core.book.update(CallSnapshot(7, Direction.INCOMING, CallState.CONNECTING, "1002", has_audio=True))
    core.on_call_state(7, CallState.ACTIVE, 200, "OK")
    return core, events, stack


def every_two_seconds(core: PhoneCore, clock: FakeClock, times: int) -> None:
    for _ in range(times):
        clock.now += POLL_SECONDS
        core.timers.run_due()


def test_a_connected_call_is_read_every_two_seconds_and_summed_up_when_it_ends(
    clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = Stream()
    readings = [stream.advance() for _ in range(3)] + [stream.advance(loss_pct=6) for _ in range(3)]
    core, events, _ = connected_call(readings)
    assert core.timers.wait_ms(60_000) == POLL_SECONDS * 1000 + 1  # the first reading is due in two seconds
    every_two_seconds(core, clock, 6)
    assert [r.level for r in events.quality_reports] == [GOOD, GOOD, GOOD, FAIR, POOR, POOR]
    assert events.quality_reports[-1].reason == "packet loss 3.6 %"  # 18 of the last 500 packets

    ended_before_summary = []
    summarise = events.quality_summary

    def check_then_summarise(summary: QualitySummary) -> None:
        ended_before_summary.append(any(c.state is CallState.ENDED for c in events.calls))
        summarise(summary)

    monkeypatch.setattr(events, "quality_summary", check_then_summarise)
    core.on_call_state(7, CallState.ENDED, 200, "")
    assert ended_before_summary == [False]  # the summary is there when the call's end arrives
    (summary,) = events.quality_summaries
    assert summary.call_id == 7 and summary.samples == 6 and summary.mos_min < 3.6
    assert summary.reason == "packet loss 3.6 %" and summary.loss_pct == pytest.approx(3.0)


def test_no_reading_is_scheduled_without_a_connected_call(clock: FakeClock) -> None:
    core, events, _ = connected_call([])  # it ends before any audio is read
    core.on_call_state(7, CallState.ENDED, 200, "")
    every_two_seconds(core, clock, 1)
    assert core.timers.wait_ms(60_000) == 60_000  # nothing due: an idle phone sleeps
    assert not core.quality.watching
    assert events.quality_reports == [] and events.quality_summaries == []  # no audio was ever read


def test_a_call_that_lost_its_stream_is_still_summed_up(clock: FakeClock) -> None:
    stream = Stream()
    core, events, _ = connected_call([stream.advance(), stream.advance()])
    every_two_seconds(core, clock, 3)  # the third reading finds no stream (the fake has none left)
    assert len(events.quality_reports) == 2
    core.on_call_state(7, CallState.ENDED, 200, "")
    assert [s.samples for s in events.quality_summaries] == [2]
