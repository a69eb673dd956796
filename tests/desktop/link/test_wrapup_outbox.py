"""The wrap-up drafts and outbox on disk and the sender: crash-safe writes,
retrying until the desk service acknowledges, a refused record kept for the
agent, and never a second send after an acknowledgement."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agentdesk.contract.wrapups import dump_wrapup_view, parse_survey, parse_wrapup_view
from agentdesk.desktop.link.api import DeskError
from agentdesk.desktop.link.wrapup_outbox import WrapUpOutbox, worth_retrying
from agentdesk.desktop.link.wrapups import WrapUpDraft, WrapUpFiles, write_durably
from agentdesk.desktop.tasks import TaskRunner
from tests.helpers.fakes import FakeWrapUpDesk

AGENT = "1001"
CALL = "1800000000.42"


def draft(**fields: Any) -> WrapUpDraft:
    values: dict[str, Any] = {"agent": AGENT, "uniqueid": CALL, "disposition": "Sale",
                              "notes": "سلام <b>world</b>", "revision": 1}
    return WrapUpDraft(**{**values, **fields})


@pytest.fixture
def files(tmp_path: Path) -> WrapUpFiles:
    return WrapUpFiles(tmp_path / "wrapups")


@pytest.fixture
def desk() -> FakeWrapUpDesk:
    return FakeWrapUpDesk()


@pytest.fixture
def outbox(qtbot: Any, files: WrapUpFiles, desk: FakeWrapUpDesk) -> Iterator[WrapUpOutbox]:
    disk = TaskRunner(workers=1)
    box = WrapUpOutbox(files, desk.send, disk, retry_delays=(0.02, 0.05))
    yield box
    box.stop()
    disk.shutdown()


# -- files ------------------------------------------------------------------------------------
def test_a_draft_survives_on_disk_as_typed(files: WrapUpFiles) -> None:
    record = draft(uniqueid="1800000000.42/../x", follow_up_at=1_800_086_400.0, follow_up_topic="Call back")
    files.save_draft(record)
    assert files.drafts(AGENT) == [record]
    assert files.drafts("1002") == []


def test_a_crash_while_writing_leaves_the_old_draft(files: WrapUpFiles, monkeypatch: pytest.MonkeyPatch) -> None:
    files.save_draft(draft(notes="first"))

    def crash(*_args: Any) -> None:
        raise OSError("power cut")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        files.save_draft(draft(notes="second", revision=2))
    monkeypatch.undo()
    assert [d.notes for d in files.drafts(AGENT)] == ["first"]  # the half-written temp file is ignored


def test_writes_reach_the_disk_before_the_rename(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    steps: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace
    def fsync(fd: int) -> None:
        steps.append("fsync")
        real_fsync(fd)

    def rename(source: Any, target: Any) -> None:
        steps.append("replace")
        real_replace(source, target)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", rename)
    write_durably(tmp_path / "a.json", {"x": 1})
    assert steps == ["fsync", "replace", "fsync"]  # the data, then the folder entry
    assert json.loads((tmp_path / "a.json").read_text()) == {"x": 1}


def test_an_unreadable_record_is_left_alone(files: WrapUpFiles, error_log: Any) -> None:
    error_log.allowed = True
    files.save_draft(draft())
    path = next((files.folder / AGENT / "drafts").glob("*.json"))
    path.write_text("{not json")
    assert files.drafts(AGENT) == []
    assert path.exists()


def test_an_acknowledgement_of_an_older_copy_keeps_the_newer(files: WrapUpFiles) -> None:
    files.submit(draft(revision=1))
    files.submit(draft(revision=2, notes="better"))
    assert not files.acknowledged(draft(revision=1))
    assert [d.notes for d in files.outbox(AGENT)] == ["better"]
    assert files.acknowledged(draft(revision=2))
    assert files.outbox(AGENT) == []


# -- sending ------------------------------------------------------------------------------------
def test_a_record_is_sent_again_until_acknowledged_then_removed(
    qtbot: Any, outbox: WrapUpOutbox, desk: FakeWrapUpDesk, files: WrapUpFiles
) -> None:
    desk.script = [DeskError("cannot reach the desk service", 0), DeskError("bad gateway", 502),
                   DeskError("service unavailable", 503)]
    with qtbot.waitSignal(outbox.sent, timeout=5000) as sent:
        outbox.submit(draft(finish=True))
    assert sent.args[0] == CALL
    assert len(desk.sent) == 4
    assert all(r.record_id == desk.sent[0].record_id for r in desk.sent)  # the same record each time
    assert desk.sent[-1].body()["finish"] is True
    assert files.outbox(AGENT) == [] and files.drafts(AGENT) == []
    with qtbot.assertNotEmitted(outbox.sending, wait=200):
        outbox.retry_now()
        outbox.resend_stored(AGENT)
    assert len(desk.sent) == 4


def test_a_refused_record_goes_back_to_the_drafts_with_the_reason(
    qtbot: Any, outbox: WrapUpOutbox, desk: FakeWrapUpDesk, files: WrapUpFiles
) -> None:
    desk.script = [DeskError("'Gift' is not a disposition of the support queue", 400)]
    with qtbot.waitSignal(outbox.refused, timeout=5000) as refused:
        outbox.submit(draft(disposition="Gift", finish=True))
    kept = refused.args[0]
    assert kept.problem == "'Gift' is not a disposition of the support queue"
    assert kept.disposition == "Gift" and not kept.finish
    assert files.outbox(AGENT) == []
    assert [d.problem for d in files.drafts(AGENT)] == [kept.problem]
    with qtbot.assertNotEmitted(outbox.sending, wait=200):
        outbox.retry_now()
    assert len(desk.sent) == 1


def test_the_outbox_left_by_a_crash_is_sent_on_sign_in(
    qtbot: Any, outbox: WrapUpOutbox, desk: FakeWrapUpDesk, files: WrapUpFiles
) -> None:
    files.submit(draft(notes="typed before the crash"))
    files.submit(WrapUpDraft("1002", "other", disposition="Sale"))  # another agent's: not mine to send
    with qtbot.waitSignal(outbox.sent, timeout=5000):
        outbox.resend_stored(AGENT)
    assert [r.notes for r in desk.sent] == ["typed before the crash"]
    assert files.outbox(AGENT) == [] and len(files.outbox("1002")) == 1


def test_one_request_per_call_at_a_time_and_the_newest_copy_wins(
    qtbot: Any, outbox: WrapUpOutbox, desk: FakeWrapUpDesk, files: WrapUpFiles
) -> None:
    desk.hold = True
    outbox.submit(draft(revision=1), keep_draft=True)
    qtbot.waitUntil(lambda: len(desk.sent) == 1, timeout=5000)
    outbox.submit(draft(revision=2, notes="final", finish=True))
    qtbot.waitUntil(lambda: files.outbox(AGENT) and files.outbox(AGENT)[0].revision == 2, timeout=5000)
    assert len(desk.sent) == 1  # the second waits for the first
    desk.hold = False
    done, _failed = desk.held.pop()
    with qtbot.waitSignals([outbox.sent, outbox.sent], timeout=5000):
        done({"saved": True})
    assert [r.revision for r in desk.sent] == [1, 2]
    assert files.outbox(AGENT) == []
    assert outbox.pending == 0


def test_the_link_coming_back_sends_at_once(qtbot: Any, files: WrapUpFiles, desk: FakeWrapUpDesk) -> None:
    disk = TaskRunner(workers=1)
    box = WrapUpOutbox(files, desk.send, disk, retry_delays=(60.0,))
    desk.script = [DeskError("cannot reach the desk service", 0)]
    with qtbot.waitSignal(box.waiting, timeout=5000):
        box.submit(draft())
    with qtbot.waitSignal(box.sent, timeout=2000):
        box.retry_now()
    assert len(desk.sent) == 2
    box.stop()
    disk.shutdown()


@pytest.mark.parametrize(("status", "again"), [(0, True), (500, True), (503, True), (401, True), (400, False),
                                                (403, False), (404, False), (409, False)])
def test_which_failures_are_worth_retrying(status: int, again: bool) -> None:
    assert worth_retrying(DeskError("x", status)) is again


# -- what the service sends ----------------------------------------------------------------------
def test_the_wrapup_view_and_survey_parse() -> None:
    view = parse_wrapup_view({"agent": "1001", "uniqueid": CALL, "queue": "support", "queue_title": "Support",
                              "number": "09121110001", "deadline_at": 100, "warning_at": 90, "now": 80,
                              "dispositions": ["Sale", "Info"], "disposition_required": True, "extra": 1})
    assert view.active and view.dispositions == ("Sale", "Info") and view.deadline_at == 100.0
    assert parse_wrapup_view(dump_wrapup_view(view)) == view
    survey = parse_survey({"uniqueid": CALL, "agent": "1001", "score": 4, "resolved": 1, "status": "answered"})
    assert survey.score == 4 and survey.resolved is True
    assert parse_survey({"uniqueid": CALL, "score": None, "status": "no_answer"}).score is None
