"""The "wrapup" section of desk-service.json (written by agentdesk/pbxtool from
pbx/queues.ini, or by hand): each queue's after-call work policy.

    "wrapup": {"support": {"wrapup_limit_seconds": 30, "wrapup_warning_seconds": 10,
                           "wrapup_then": "ready", "disposition_required": false,
                           "dispositions": ["Resolved", "Sale"]}}

A queue not listed gets the defaults. A bad value raises ValueError naming
the knob ("wrapup.support.wrapup_then: ..."), unknown knobs too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from agentdesk.contract.states import THEN_PAUSED, THEN_READY

MAX_DISPOSITIONS = 9  # hotkeys Ctrl+1 .. Ctrl+9
DEFAULT_DISPOSITIONS = ("Resolved", "Information given", "Complaint", "Sale", "Escalated", "Wrong number")


@dataclass(frozen=True)
class WrapUpPolicy:
    """How one queue's calls are wrapped up.

    limit_seconds 0 means no wrap-up after this queue's calls. At the end of
    the limit the agent becomes ready (then="ready") or stays paused
    (then="paused"); with disposition_required the agent stays paused past
    the limit until a disposition is saved.
    """

    limit_seconds: int = 30
    warning_seconds: int = 10
    then: str = THEN_READY
    disposition_required: bool = False
    dispositions: tuple[str, ...] = DEFAULT_DISPOSITIONS

    def json(self) -> dict[str, Any]:
        return {
            "limit_seconds": self.limit_seconds,
            "warning_seconds": self.warning_seconds,
            "then": self.then,
            "disposition_required": self.disposition_required,
            "dispositions": list(self.dispositions),
        }


# desk-service.json's knob names -> WrapUpPolicy's fields
_KNOBS = {
    "wrapup_limit_seconds": "limit_seconds",
    "wrapup_warning_seconds": "warning_seconds",
    "wrapup_then": "then",
    "disposition_required": "disposition_required",
    "dispositions": "dispositions",
}
assert set(_KNOBS.values()) == {f.name for f in fields(WrapUpPolicy)}


def parse_wrapup_settings(data: Mapping[str, Any]) -> dict[str, WrapUpPolicy]:
    if not isinstance(data, Mapping):
        raise ValueError("wrapup: must be an object of queues")
    return {str(queue): _policy(f"wrapup.{queue}", knobs) for queue, knobs in data.items()}


def _policy(where: str, knobs: Any) -> WrapUpPolicy:
    if not isinstance(knobs, Mapping):
        raise ValueError(f"{where}: must be an object")
    unknown = sorted(set(knobs) - set(_KNOBS))
    if unknown:
        raise ValueError(f"{where}.{unknown[0]}: unknown setting")
    default = WrapUpPolicy()
    limit = _seconds(f"{where}.wrapup_limit_seconds", knobs.get("wrapup_limit_seconds", default.limit_seconds))
    warning = _seconds(f"{where}.wrapup_warning_seconds", knobs.get("wrapup_warning_seconds", default.warning_seconds))
    then = knobs.get("wrapup_then", default.then)
    if then not in (THEN_READY, THEN_PAUSED):
        raise ValueError(f"{where}.wrapup_then: must be ready or paused, not {then!r}")
    required = knobs.get("disposition_required", default.disposition_required)
    if not isinstance(required, bool):
        raise ValueError(f"{where}.disposition_required: must be true or false")
    return WrapUpPolicy(limit, warning, then, required, _dispositions(where, knobs.get("dispositions")))


def _seconds(where: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 3600:
        raise ValueError(f"{where}: must be whole seconds from 0 to 3600, not {value!r}")
    return value


def _dispositions(where: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return DEFAULT_DISPOSITIONS
    if not isinstance(value, list) or not all(isinstance(code, str) and 0 < len(code.strip()) <= 40 for code in value):
        raise ValueError(f"{where}.dispositions: must be a list of 1-40 character codes")
    codes = tuple(code.strip() for code in value)
    if not 1 <= len(codes) <= MAX_DISPOSITIONS or len(set(codes)) != len(codes):
        raise ValueError(f"{where}.dispositions: must be 1 to {MAX_DISPOSITIONS} different codes")
    return codes
