"""The agent's wrap-up record, kept on disk until the desk service has it
(the wrap-up view and survey results themselves: agentdesk/contract/wrapups.py).

Files (pure, no Qt; call them off the GUI thread): every record lives in
the user's data folder under wrapups/<agent>/, one JSON file per call
(`drafts/<uniqueid>.json` while the agent edits it, `outbox/<uniqueid>.json`
once submitted and until the service acknowledged it). Each write is a
temporary file, fsync'd, then renamed over the old one, so a crash leaves
either the old or the new record, never half of one. A submitted record is
in the outbox before its draft is removed: at every moment it is on disk.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from agentdesk.contract.queues import ModelError
from agentdesk.contract.states import MAX_DISPOSITION, MAX_NOTES, MAX_TOPIC
from agentdesk.contract.wrapups import WrapUpView, dump_wrapup_view, parse_wrapup_view

from ..private_files import private_folder, private_opener

log = logging.getLogger("agentdesk.desktop.link")



@dataclass(frozen=True)
class WrapUpDraft:
    """What the agent entered for one call. `record_id` names this record in
    the logs; `revision` grows with every change, so an acknowledgement of
    an older copy never deletes a newer one. `view` is the wrap-up as last
    seen (to show it again after a restart); `problem` the service's refusal."""

    agent: str
    uniqueid: str
    disposition: str = ""
    notes: str = ""
    first_contact_resolved: bool = False
    follow_up_at: float | None = None  # None: no follow-up
    follow_up_topic: str = ""
    finish: bool = False  # end the wrap-up when it arrives
    record_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    revision: int = 0
    problem: str = ""
    view: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def for_view(cls, view: WrapUpView) -> WrapUpDraft:
        return cls(view.agent, view.uniqueid, view=dump_wrapup_view(view))

    def shown_view(self) -> WrapUpView:
        """The wrap-up to show: as last seen, or what the record itself says."""
        try:
            return parse_wrapup_view({**self.view, "agent": self.agent, "uniqueid": self.uniqueid})
        except (ModelError, ValueError, TypeError) as error:
            log.warning("a stored wrap-up view is unreadable: %s", error)
            return WrapUpView(self.agent, self.uniqueid)

    @property
    def touched(self) -> bool:
        """Whether the agent entered anything at all."""
        return bool(self.disposition or self.notes or self.first_contact_resolved
                    or self.follow_up_at is not None or self.follow_up_topic)

    def changed(self, **changes: Any) -> WrapUpDraft:
        return replace(self, revision=self.revision + 1, **changes)

    def body(self) -> dict[str, Any]:
        """The PUT /api/v1/wrapups/{uniqueid} body."""
        follow_up = None
        if self.follow_up_at is not None:
            follow_up = {"at": self.follow_up_at, "topic": self.follow_up_topic[:MAX_TOPIC]}
        return {"disposition": self.disposition[:MAX_DISPOSITION], "notes": self.notes[:MAX_NOTES],
                "first_contact_resolved": self.first_contact_resolved, "follow_up": follow_up,
                "finish": self.finish, "record_id": self.record_id}

    def json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WrapUpDraft:
        at = data.get("follow_up_at")
        return cls(
            agent=str(data["agent"]), uniqueid=str(data["uniqueid"]),
            disposition=str(data.get("disposition") or ""), notes=str(data.get("notes") or ""),
            first_contact_resolved=bool(data.get("first_contact_resolved")),
            follow_up_at=None if at is None else float(at),
            follow_up_topic=str(data.get("follow_up_topic") or ""), finish=bool(data.get("finish")),
            record_id=str(data.get("record_id") or uuid.uuid4()), revision=int(data.get("revision") or 0),
            problem=str(data.get("problem") or ""),
            view=dict(data.get("view") or {}),
        )


def write_durably(path: Path, data: dict[str, Any]) -> None:
    """Replace `path` with `data` so that a crash at any point leaves the
    old or the new content: temp file, fsync, rename, fsync the folder."""
    private_folder(path.parent)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "w", encoding="utf-8", opener=private_opener) as out:
        json.dump(data, out, ensure_ascii=False, sort_keys=True)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


class WrapUpFiles:
    """The drafts and the outbox of the agents of one data folder (blocking
    file work; one writer at a time, e.g. a single-worker task runner)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, kind: str, agent: str, uniqueid: str) -> Path:
        return self.folder / quote(agent, safe="") / kind / f"{quote(uniqueid, safe='')}.json"

    def save_draft(self, draft: WrapUpDraft) -> None:
        write_durably(self._path("drafts", draft.agent, draft.uniqueid), draft.json())

    def drop_draft(self, agent: str, uniqueid: str) -> None:
        self._path("drafts", agent, uniqueid).unlink(missing_ok=True)

    def submit(self, draft: WrapUpDraft, keep_draft: bool = False) -> None:
        """Into the outbox; the draft goes unless the agent keeps editing it."""
        write_durably(self._path("outbox", draft.agent, draft.uniqueid), draft.json())
        if not keep_draft:
            self.drop_draft(draft.agent, draft.uniqueid)

    def acknowledged(self, draft: WrapUpDraft) -> bool:
        """The service has this copy: it leaves the outbox, unless a newer
        copy replaced it meanwhile. True if it was removed."""
        path = self._path("outbox", draft.agent, draft.uniqueid)
        stored = self._read(path)
        if stored is not None and stored.revision > draft.revision:
            return False
        path.unlink(missing_ok=True)
        return True

    def refused(self, draft: WrapUpDraft, problem: str) -> WrapUpDraft:
        """The service will not take it as it is: back to the drafts with the
        reason, for the agent to fix (a newer draft being edited is kept)."""
        kept = replace(draft, problem=problem, finish=False)
        current = self._read(self._path("drafts", draft.agent, draft.uniqueid))
        if current is not None and current.revision > draft.revision:
            kept = replace(current, problem=problem)
        self.save_draft(kept)
        self._path("outbox", draft.agent, draft.uniqueid).unlink(missing_ok=True)
        return kept

    def drafts(self, agent: str) -> list[WrapUpDraft]:
        return list(self._all("drafts", agent))

    def outbox(self, agent: str) -> list[WrapUpDraft]:
        return list(self._all("outbox", agent))

    def _all(self, kind: str, agent: str) -> Iterator[WrapUpDraft]:
        folder = self.folder / quote(agent, safe="") / kind
        if not folder.is_dir():
            return
        dated = []
        for path in folder.glob("*.json"):
            try:
                dated.append((path.stat().st_mtime, path))
            except FileNotFoundError:
                continue  # saved and dropped by the disk worker meanwhile
        for _, path in sorted(dated):
            draft = self._read(path)
            if draft is not None and draft.uniqueid == unquote(path.stem):
                yield draft

    @staticmethod
    def _read(path: Path) -> WrapUpDraft | None:
        try:
            return WrapUpDraft.from_json(json.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as error:
            log.error("the wrap-up record %s is unreadable and is left alone: %s", path.name, error)
            return None
