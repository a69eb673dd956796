"""desk-service.json's "monitor": pbx/monitor.ini (the floor's thresholds,
the listen notice and who sees each queue).

The file's text becomes the JSON the desk service reads (pairs of numbers,
lists, yes/no), and the desk service's own parser checks it: one set of
rules, whichever way the settings arrive; a mistake names this file, the
section (queue) and the knob.
"""

from __future__ import annotations

import configparser
from pathlib import Path

from agentdesk.server.monitor.settings import (
    LISTEN_NOTICE,
    MONITOR_KNOBS,
    PAUSE_REASONS,
    TEAM_LEADS,
    parse_monitor_settings,
)

from .layout import PBX_DIR, PbxError
from .queues import QueueSettings

MONITOR_FILE = PBX_DIR / "monitor.ini"
DEFAULTS = "DEFAULT"


def monitor_settings(queues: list[QueueSettings], path: Path = MONITOR_FILE) -> dict[str, object]:
    """The "monitor" section, checked as the desk service checks it. A
    server installed before monitor mode has no monitor.ini: the defaults."""
    if not path.exists():
        return {}
    parser = configparser.ConfigParser(inline_comment_prefixes=None, interpolation=None, default_section=DEFAULTS)
    try:
        with path.open(encoding="utf-8") as handle:
            parser.read_file(handle)
    except (OSError, configparser.Error) as error:
        raise PbxError(f"{path}: {error}") from None
    names = {q.name for q in queues}
    for section in parser.sections():
        if section not in names:
            raise PbxError(f"{path} [{section}]: there is no queue {section!r} in queues.ini")
    settings: dict[str, object] = {
        "defaults": _section(f"{path} [{DEFAULTS}]", dict(parser.defaults())),
        # A queue's section lists only its own knobs; the defaults come from "defaults".
        "queues": {name: _section(f"{path} [{name}]", _own(parser, name)) for name in parser.sections()},
    }
    try:
        parse_monitor_settings(settings)
    except ValueError as error:
        raise PbxError(f"{path}: {error}") from None
    return settings


def _own(parser: configparser.ConfigParser, section: str) -> dict[str, str]:
    defaults = parser.defaults()
    return {knob: text for knob, text in parser.items(section)
            if knob not in defaults or defaults[knob] != text}


def _section(where: str, knobs: dict[str, str]) -> dict[str, object]:
    unknown = sorted(set(knobs) - MONITOR_KNOBS)
    if unknown:
        raise PbxError(f"{where}: unknown setting {unknown[0]!r}")
    return {knob: _value(where, knob, text.strip()) for knob, text in knobs.items()}


def _value(where: str, knob: str, text: str) -> object:
    if knob == LISTEN_NOTICE:
        if text not in ("yes", "no"):
            raise PbxError(f"{where}: {knob} must be yes or no, not {text!r}")
        return text == "yes"
    if knob == TEAM_LEADS:
        return [lead.strip() for lead in text.split(",") if lead.strip()]
    if knob == PAUSE_REASONS:
        return dict(_reason(where, item.strip()) for item in text.split(",") if item.strip())
    return _pair(where, knob, text)


def _pair(where: str, knob: str, text: str) -> list[float]:
    parts = [part.strip() for part in text.split(",")]
    if len(parts) != 2:
        raise PbxError(f"{where}: {knob} must be two numbers \"amber, red\", not {text!r}")
    return [_number(where, knob, part) for part in parts]


def _reason(where: str, item: str) -> tuple[str, list[float]]:
    reason, _, numbers = item.rpartition(" ")
    reason, _, amber = reason.rpartition(" ")
    if not reason.strip():
        raise PbxError(f"{where}: {PAUSE_REASONS} needs \"<reason> <amber> <red>\" items, not {item!r}")
    return reason.strip(), [_number(where, PAUSE_REASONS, amber), _number(where, PAUSE_REASONS, numbers)]


def _number(where: str, knob: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise PbxError(f"{where}: {knob} must be numbers, not {text!r}") from None
    return int(value) if value.is_integer() else value
