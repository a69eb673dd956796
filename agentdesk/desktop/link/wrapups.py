"""After-call work as the desk service shows it (the wrap-up view, survey
results) and the agent's wrap-up record, kept on disk until the service
has it.

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

log = logging.getLogger("agentdesk.desktop.link")

MAX_DISPOSITION = 60
MAX_NOTES = 4000
MAX_TOPIC = 200


@dataclass(frozen=True)
class WrapUpView:
    """One agent's wrap-up of one queue call (the service's wrap-up view).
    Times are the service's epoch seconds; `now` is its clock when sent."""

    agent: str
    uniqueid: str
    linkedid: str = ""
    queue: str = ""
    queue_title: str = ""
    number: str = ""
    name: str = ""
    started_at: float = 0.0
    deadline_at: float = 0.0
    warning_at: float = 0.0
    limit_seconds: int = 0
    then: str = "ready"  # ready | paused: where the agent goes when it ends
    disposition_required: bool = False
    dispositions: tuple[str, ...] = ()
    state: str = "active"  # active | ended
    end_reason: str = ""
    saved: bool = False  # the service has the record
    overtime: bool = False
    now: float = 0.0

    @property
    def active(self) -> bool:
        return self.state == "active"

    def json(self) -> dict[str, Any]:
        data = asdict(self)
        data["dispositions"] = list(self.dispositions)
        return data


@dataclass(frozen=True)
class SurveyResult:
    """The caller's rating of a call (the `survey` event)."""

    uniqueid: str
    linkedid: str = ""
    queue: str = ""
    agent: str = ""
    number: str = ""
    score: int | None = None  # 1-5, None: not given
    resolved: bool | None = None
    status: str = ""  # answered | partial | no_answer
    finished_at: float = 0.0


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    return "" if value is None else str(value)


def _float(data: dict[str, Any], key: str) -> float:
    value = data.get(key)
    if value is None or value == "":
        return 0.0
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ModelError(f"wrap-up field {key!r} is not a number: {value!r}")
    try:
        return float(value)
    except ValueError as error:
        raise ModelError(f"wrap-up field {key!r} is not a number: {value!r}") from error


def parse_wrapup_view(data: Any) -> WrapUpView:
    """The service's wrap-up view; ModelError if it names no call or agent."""
    if not isinstance(data, dict) or not _text(data, "uniqueid") or not _text(data, "agent"):
        raise ModelError("a wrap-up names no call or agent")
    codes = data.get("dispositions") or []
    if not isinstance(codes, list):
        raise ModelError("a wrap-up's dispositions are not a list")
    return WrapUpView(
        agent=_text(data, "agent"), uniqueid=_text(data, "uniqueid"), linkedid=_text(data, "linkedid"),
        queue=_text(data, "queue"), queue_title=_text(data, "queue_title") or _text(data, "queue"),
        number=_text(data, "number"), name=_text(data, "name"), end_reason=_text(data, "end_reason"),
        started_at=_float(data, "started_at"), deadline_at=_float(data, "deadline_at"),
        warning_at=_float(data, "warning_at"), now=_float(data, "now"),
        limit_seconds=int(_float(data, "limit_seconds")),
        then=_text(data, "then") or "ready",
        disposition_required=bool(data.get("disposition_required", False)),
        dispositions=tuple(str(code) for code in codes),
        state=_text(data, "state") or "active",
        saved=bool(data.get("saved", False)),
        overtime=bool(data.get("overtime", False)),
    )


def parse_survey(data: Any) -> SurveyResult:
    if not isinstance(data, dict) or not _text(data, "uniqueid"):
        raise ModelError("a survey result names no call")
    score, resolved = data.get("score"), data.get("resolved")
    return SurveyResult(
        **{key: _text(data, key) for key in ("uniqueid", "linkedid", "queue", "agent", "number", "status")},
        score=None if score is None else int(score),
        resolved=None if resolved is None else bool(resolved),
        finished_at=_float(data, "finished_at"),
    )


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
        return cls(view.agent, view.uniqueid, view=view.json())

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
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "w", encoding="utf-8") as out:
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
        for path in sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime):
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
