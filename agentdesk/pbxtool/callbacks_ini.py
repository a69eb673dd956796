"""desk-service.json's "callbacks": pbx/callbacks.ini (the knobs of every
queue) plus each queue's policy from pbx/queues.ini.

The file's text becomes the JSON the desk service reads (numbers, lists),
and the desk service's own parser checks it: one set of rules, whichever
way the settings arrive; a mistake names this file and the knob.
"""

from __future__ import annotations

import configparser
from pathlib import Path

from agentdesk.server.callbacks.settings import CALLBACK_KNOBS, parse_callback_settings

from .layout import PBX_DIR, PbxError
from .queues import QueueSettings, callback_policy

CALLBACKS_FILE = PBX_DIR / "callbacks.ini"
LISTS = frozenset({"web_queues", "web_origins"})
TEXTS = frozenset({"region", "hours"})
IN_QUEUES_INI = frozenset({"queues"})  # each queue's policy is pbx/queues.ini's


def callback_settings(queues: list[QueueSettings], path: Path = CALLBACKS_FILE) -> dict[str, object]:
    """The "callbacks" section, checked as the desk service checks it."""
    parser = configparser.ConfigParser(inline_comment_prefixes=None, interpolation=None, default_section="none")
    try:
        with path.open(encoding="utf-8") as handle:
            parser.read_file(handle)
    except (OSError, configparser.Error) as error:
        raise PbxError(f"{path}: {error}") from None
    if parser.sections() != ["callbacks"]:
        raise PbxError(f"{path}: needs exactly one section, [callbacks]")
    section = parser["callbacks"]
    where = f"{path} [callbacks]"
    unknown = sorted(set(section) - (CALLBACK_KNOBS - IN_QUEUES_INI))
    if unknown:
        raise PbxError(f"{where}: unknown setting {unknown[0]!r}")
    settings: dict[str, object] = {knob: _value(where, knob, text.strip()) for knob, text in section.items()}
    settings["queues"] = {q.name: callback_policy(q) for q in queues}
    try:
        parse_callback_settings(settings)
    except ValueError as error:
        raise PbxError(f"{where}: {error}") from None
    return settings


def _value(where: str, knob: str, text: str) -> object:
    if knob in LISTS:
        return [item.strip() for item in text.split(",") if item.strip()]
    if knob in TEXTS:
        return text
    if text in ("yes", "no"):
        return text == "yes"
    try:
        return int(text) if text.isdigit() else float(text)
    except ValueError:
        raise PbxError(f"{where}: {knob} must be a number, not {text!r}") from None
