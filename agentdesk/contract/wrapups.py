"""After-call work on the wire: one agent's wrap-up of one queue call (the
`wrapup` event, the snapshot's "wrapup") and the caller's survey result (the
`survey` event), as frozen plain data with their dump_* (desk service) and
parse_* (desktop) functions. Times are the service's epoch seconds; a
wrap-up's `now` is the service's clock when it was sent.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from .queues import ModelError
from .states import THEN_READY, WRAPUP_ACTIVE


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
    then: str = THEN_READY  # THEN_READY | THEN_PAUSED: where the agent goes when it ends
    disposition_required: bool = False
    dispositions: tuple[str, ...] = ()
    state: str = WRAPUP_ACTIVE  # WRAPUP_ACTIVE | WRAPUP_ENDED
    end_reason: str = ""
    saved: bool = False  # the service has the record
    overtime: bool = False
    now: float = 0.0

    @property
    def active(self) -> bool:
        return self.state == WRAPUP_ACTIVE



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
        then=_text(data, "then") or THEN_READY,
        disposition_required=bool(data.get("disposition_required", False)),
        dispositions=tuple(str(code) for code in codes),
        state=_text(data, "state") or WRAPUP_ACTIVE,
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


def dump_wrapup_view(view: WrapUpView) -> dict[str, Any]:
    data = asdict(view)
    data["dispositions"] = list(view.dispositions)
    return data


def dump_survey(result: SurveyResult) -> dict[str, Any]:
    return asdict(result)
