"""The after-call work of this desktop, wired together: the wrap-up panel,
the drafts on disk and the outbox that sends them.

The desk service starts a wrap-up when a queue call ends (`wrapup` event,
or the snapshot's "wrapup" after a restart); the panel opens with it. Every
change the agent makes is written to the call's draft file at once (only
the newest, if the disk is still busy with the last one). "Done" moves the
record into the outbox and closes the panel; "Save" sends a copy and keeps
the panel. After signing in, the outbox is sent again and any unfinished
draft is offered again, even when the service says the wrap-up has ended:
the record is still wanted. A record the service refuses comes back into
the panel with the service's sentence.

Keys while the panel shows: Ctrl+1..Ctrl+9 dispositions, Ctrl+Return
Done, Ctrl+S Save (see panel.py).

A callback call's wrap-up (its ID names the task) has the call's outcome
picker as its record (`host_outcome`, from the callbacks side): the panel
holds the picker, the note typed there is kept in the call's draft, and
saving the outcome (`outcome_closed`) is the end of that record. A picker
whose wrap-up the service does not report (wrap-up off) still shows in the
panel, once no live wrap-up is in it; a callback wrap-up without its picker
(the desktop started again) asks for it (`outcome_wanted`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QObject, Signal

from agentdesk.contract.ids import task_of_wrapup
from agentdesk.contract.queues import DeskSnapshot, ModelError
from agentdesk.contract.states import WRAPUP_ENDED
from agentdesk.contract.wrapups import WrapUpView, dump_wrapup_view, parse_wrapup_view

from ...link.wrapup_outbox import WrapUpOutbox
from ...link.wrapups import WrapUpDraft
from ...tasks import TaskRunner
from ..callbacks.outcome_picker import OutcomePicker
from .panel import Clock, WrapUpPanel

log = logging.getLogger("agentdesk.desktop.ui.wrapup")


class WrapUpDesk(QObject):
    """Owns `panel`. Fed by the composition root: `snapshot` (signed in:
    who I am, my active wrap-up), `wrapup_changed` (the service's news).

    Signals: `showing(bool)` while the panel holds a wrap-up (its Ctrl+digit
    keys are taken then); `disposition_chosen(str uniqueid, str code)` when
    the agent finished a record; `outcome_wanted(str task)` for a callback
    wrap-up without its picker. `status(str)` shows a passing message.
    Invariant: one draft per call; the draft file is never written again
    once the record went to the outbox."""

    showing = Signal(bool)
    disposition_chosen = Signal(str, str)
    outcome_wanted = Signal(str)

    def __init__(self, outbox: WrapUpOutbox, disk: TaskRunner, clock: Clock, status: Callable[[str], None],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.outbox = outbox
        self.files = outbox.files
        self._disk = disk
        self._status = status
        self.panel = WrapUpPanel(clock)
        self.me = ""
        self.drafts: dict[str, WrapUpDraft] = {}  # calls whose record the agent still owes or edits
        self.current = ""  # the call on the panel
        self._signed_in_as = ""
        self._unwritten: dict[str, WrapUpDraft] = {}
        self._finishing: set[str] = set()  # calls whose finished record went to the outbox
        self._held_view: dict[str, Any] | None = None  # the first snapshot's wrap-up, until the disk is read
        self._writing = False
        self.pickers: dict[str, OutcomePicker] = {}  # callback task -> its outcome picker, until saved
        self.current_task = ""  # the task whose picker the panel shows without a wrap-up
        self._wire()

    def _wire(self) -> None:
        self.panel.edited.connect(self._edited)
        self.panel.done_requested.connect(self.done)
        self.panel.save_requested.connect(self.save)
        self.outbox.sending.connect(lambda uid: self._report(uid, self.tr("Sending…"), "sending"))
        self.outbox.sent.connect(self._sent)
        self.outbox.waiting.connect(self._waiting)
        self.outbox.refused.connect(self._refused)

    # -- the desk service -----------------------------------------------------------------------
    def snapshot(self, snapshot: DeskSnapshot) -> None:
        """Signed in (again): send what is left, offer unfinished drafts once."""
        self.me = snapshot.me.agent
        if self._signed_in_as != self.me:
            # The outbox and the drafts are read first (in this order: one disk worker), so the
            # snapshot's wrap-up meets the records already written for it.
            self._signed_in_as = self.me
            self._held_view = snapshot.wrapup
            self.outbox.resend_stored(self.me)
            me = self.me
            self._disk.run(lambda: self.files.drafts(me), self._restore,
                           lambda error: self._restore_failed(error))
            return
        self.outbox.retry_now()
        self._snapshot_wrapup(snapshot.wrapup)

    def _snapshot_wrapup(self, data: dict[str, Any] | None) -> None:
        if data is None:
            return
        try:
            self.wrapup_changed(parse_wrapup_view(data))
        except ModelError as error:
            log.warning("the snapshot's wrap-up is unreadable: %s", error)

    def _restore_failed(self, error: Exception) -> None:
        log.error("cannot read the wrap-up drafts: %s", error)
        self._restore([])

    def wrapup_changed(self, view: WrapUpView) -> None:
        if view.agent != self.me:
            return  # a team lead sees everyone's; the panel is for one's own
        if view.active and (view.uniqueid in self._finishing or self.outbox.finishing(view.uniqueid)):
            return  # the agent pressed Done; the record on its way ends it
        draft = self.drafts.get(view.uniqueid)
        if view.active and draft is None:
            draft = self.drafts[view.uniqueid] = WrapUpDraft.for_view(view)
        if draft is not None:
            self.drafts[view.uniqueid] = replace(draft, view=dump_wrapup_view(view))
        if view.uniqueid == self.current:
            self.panel.update_view(view)
            if not view.active and not self._owed(view.uniqueid):
                self._close_current()
        elif view.active and not self._current_is_live():
            self._show(view.uniqueid)
        elif not view.active and draft is not None and not draft.touched:
            self._forget(view.uniqueid)

    def _restore(self, drafts: list[WrapUpDraft]) -> None:
        for stored in drafts:
            known = self.drafts.get(stored.uniqueid)
            if known is not None and known.revision >= stored.revision:
                continue
            # Not known to be running: shown as over until the service says otherwise.
            ended = replace(stored.shown_view(), state=WRAPUP_ENDED)
            view = known.view if known is not None else dump_wrapup_view(ended)
            self.drafts[stored.uniqueid] = replace(stored, view=view)
            log.info("restored the unfinished wrap-up of call %s", stored.uniqueid)
            if stored.uniqueid == self.current:
                self._show(stored.uniqueid)
        held, self._held_view = self._held_view, None
        self._snapshot_wrapup(held)
        if not self.current:
            self._show_next()

    # -- the agent's work -----------------------------------------------------------------------
    def _edited(self) -> None:
        draft = self.drafts.get(self.current)
        if draft is None:
            return
        draft = self.drafts[self.current] = draft.changed(problem="", **self.panel.entered())
        self._write(draft)

    def save(self) -> None:
        """Send a copy now; the wrap-up keeps running and the draft stays."""
        if task_of_wrapup(self.current):
            return  # a callback call's record is its outcome
        draft = self._current_record()
        if draft is not None:
            self.outbox.submit(replace(draft, finish=False), keep_draft=True)

    def done(self) -> None:
        """Send the record and end the wrap-up; the panel moves on."""
        if task_of_wrapup(self.current):
            return  # a callback call's record is its outcome
        draft = self._current_record()
        if draft is None:
            return
        view = draft.shown_view()
        if view.dispositions and not draft.disposition:
            self.panel.show_problem(self.tr("Choose a disposition first (Ctrl+1…Ctrl+%1).")
                                    .replace("%1", str(min(len(view.dispositions), 9))))
            return
        self._unwritten.pop(draft.uniqueid, None)  # the outbox copy replaces the draft file
        self.drafts.pop(draft.uniqueid, None)
        self._finishing.add(draft.uniqueid)
        self.outbox.submit(replace(draft, finish=True))
        self.disposition_chosen.emit(draft.uniqueid, draft.disposition)
        self._status(self.tr("Wrap-up saved; sending it to the desk service…"))
        self._close_current()

    def _current_record(self) -> WrapUpDraft | None:
        draft = self.drafts.get(self.current)
        if draft is None:
            return None
        draft = self.drafts[self.current] = draft.changed(problem="", **self.panel.entered())
        return draft

    def unsaved_work(self) -> str:
        """Nothing is lost on quitting (drafts are on disk), so nothing to confirm."""
        return ""

    # -- the disk ---------------------------------------------------------------------------------
    def _write(self, draft: WrapUpDraft) -> None:
        self._unwritten[draft.uniqueid] = draft
        if not self._writing:
            self._write_next()

    def _write_next(self) -> None:
        if not self._unwritten:
            self._writing = False
            return
        self._writing = True
        uniqueid = next(iter(self._unwritten))
        draft = self._unwritten.pop(uniqueid)
        self._disk.run(lambda: self.files.save_draft(draft), lambda _none: self._write_next(),
                       lambda error: self._write_failed(draft, error))

    def _write_failed(self, draft: WrapUpDraft, error: Exception) -> None:
        log.error("cannot keep the wrap-up draft of call %s on disk: %s", draft.uniqueid, error)
        self._report(draft.uniqueid, self.tr("Cannot save the draft on this computer: %1").replace(
            "%1", str(error)), "error")
        self._write_next()

    def _forget(self, uniqueid: str) -> None:
        """A wrap-up that ended with nothing entered: no draft to keep."""
        self.drafts.pop(uniqueid, None)
        self._unwritten.pop(uniqueid, None)
        me = self.me
        self._disk.run(lambda: self.files.drop_draft(me, uniqueid))

    # -- the outbox ---------------------------------------------------------------------------
    def _sent(self, uniqueid: str, reply: dict[str, Any]) -> None:
        self._report(uniqueid, self.tr("Saved at the desk service"), "sent")
        if uniqueid != self.current:
            self._status(self.tr("Wrap-up sent to the desk service"))
        view = reply.get("wrapup")
        if isinstance(view, dict):
            try:
                self.wrapup_changed(parse_wrapup_view(view))
            except ModelError as error:
                log.warning("the saved wrap-up's view is unreadable: %s", error)

    def _waiting(self, uniqueid: str, why: str) -> None:
        self._report(uniqueid, self.tr("Kept on this computer; sending again soon (%1)").replace("%1", why),
                     "sending")

    def _refused(self, draft: WrapUpDraft) -> None:
        self._finishing.discard(draft.uniqueid)
        self.drafts[draft.uniqueid] = draft
        self._status(self.tr("The desk service refused a wrap-up: %1").replace("%1", draft.problem))
        if self.current == draft.uniqueid or not self._current_is_live():
            self._show(draft.uniqueid)

    def _report(self, uniqueid: str, text: str, kind: str) -> None:
        if uniqueid == self.current:
            self.panel.show_status(text, kind)

    # -- the panel --------------------------------------------------------------------------------
    def _owed(self, uniqueid: str) -> bool:
        draft = self.drafts.get(uniqueid)
        if task_of_wrapup(uniqueid):
            return task_of_wrapup(uniqueid) in self.pickers  # until the outcome is saved
        return draft is not None and (draft.touched or bool(draft.problem))

    def _current_is_live(self) -> bool:
        return self.panel.view is not None and self.panel.view.active

    def _show(self, uniqueid: str) -> None:
        draft = self.drafts[uniqueid]
        self.current, self.current_task = uniqueid, ""
        task_id = task_of_wrapup(uniqueid)
        picker = self.pickers.get(task_id)
        if picker is not None and draft.notes and not picker.note.text():
            picker.note.setText(draft.notes)  # typed before, kept in the draft
        self.panel.show_wrapup(draft.shown_view(), draft, picker)
        self.showing.emit(True)
        if task_id and picker is None and draft.shown_view().active:
            self.outcome_wanted.emit(task_id)

    # -- callback calls -------------------------------------------------------------------------
    def host_outcome(self, task_id: str, picker: OutcomePicker) -> None:
        """The outcome picker of a callback call, shown in that call's wrap-up."""
        if self.pickers.get(task_id) is not picker:
            self.pickers[task_id] = picker
            picker.note.textChanged.connect(lambda text: self._outcome_note(task_id, text))
        if task_of_wrapup(self.current) == task_id:
            self._show(self.current)
        elif not self._current_is_live() and not self.current_task:
            self._show_picker(task_id)

    def outcome_closed(self, task_id: str) -> None:
        """The outcome was saved (or given up on): that call's record is done."""
        self.pickers.pop(task_id, None)
        for uniqueid in [uid for uid in self.drafts if task_of_wrapup(uid) == task_id]:
            self._forget(uniqueid)
        if task_of_wrapup(self.current) == task_id or self.current_task == task_id:
            self._close_current()

    def _show_picker(self, task_id: str) -> None:
        self.current, self.current_task = "", task_id
        picker = self.pickers[task_id]
        self.panel.show_outcome(picker, picker.customer.text())
        self.showing.emit(True)

    def _outcome_note(self, task_id: str, text: str) -> None:
        for uniqueid, draft in list(self.drafts.items()):
            if task_of_wrapup(uniqueid) == task_id and draft.notes != text:
                self.drafts[uniqueid] = draft.changed(notes=text)
                self._write(self.drafts[uniqueid])

    def _close_current(self) -> None:
        self.current_task = ""
        uniqueid, self.current = self.current, ""
        if uniqueid in self.drafts and not self._owed(uniqueid):
            self._forget(uniqueid)
        self.panel.clear()
        self._show_next()

    def _show_next(self) -> None:
        owed = [uid for uid, draft in self.drafts.items() if self._owed(uid) or draft.shown_view().active]
        with_wrapup = {task_of_wrapup(uid) for uid in self.drafts}
        alone = [task_id for task_id in self.pickers if task_id not in with_wrapup]
        if owed:
            self._show(owed[0])
        elif alone:
            self._show_picker(alone[0])
        else:
            self.showing.emit(False)
