"""What the stack starts pjsua2 with. The jitter buffer is set for home
networks: deep enough for Wi-Fi jitter, bounded, and never trimmed below
its minimum (trimming emptied it at every lost packet; see
pjstack._keep_jitter_buffer_depth). The call slots are all the build has."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pjsua2 as pj

from agentdesk.desktop.phone.core import MAX_CALLS
from agentdesk.desktop.phone.pjstack import SipStack

CONFIG_SITE = Path(__file__).resolve().parents[3] / "installers" / "pjsua2" / "config_site.h"


def started_settings() -> tuple[dict[str, int], dict[str, int]]:
    """The media and user-agent settings the stack starts pjsua2 with, read
    back through pjsua2's own JSON (inside a created library, as
    SipStack.start() makes them: pjlib's memory pools exist only between
    libCreate and libDestroy)."""
    endpoint = pj.Endpoint()
    endpoint.libCreate()
    try:
        config = SipStack("test")._endpoint_config()
        media, agent = as_json(config.medConfig), as_json(config.uaConfig)
        del config
    finally:
        endpoint.libDestroy()
    return numbers(media), numbers(agent)


def as_json(part: Any) -> str:
    document = pj.JsonDocument()
    document.writeObject(part)
    return str(document.saveString())


def numbers(text: str) -> dict[str, int]:
    return {key: int(value) for key, value in re.findall(r'"(\w+)"\s*:\s*(-?\d+)\b', text)}


def test_buffer_is_held_at_its_depth_and_bounded() -> None:
    settings, _ = started_settings()
    assert settings["jbDiscardAlgo"] == pj.PJMEDIA_JB_DISCARD_NONE, json.dumps(settings)
    assert settings["jbMinPre"] == settings["jbInit"] == 60
    assert settings["jbMaxPre"] <= settings["jbMax"] * 4 // 5  # pjmedia caps prefetch at 4/5 of capacity
    assert settings["jbMax"] <= 300  # the most a drifting call can lag by


def test_pjsua_has_every_call_slot_the_build_was_made_with() -> None:
    """Calls ending and offers being refused hold a slot too: pjsua must not
    run out before the phone's own rule (core.MAX_CALLS) decides."""
    built = re.search(r"^#define PJSUA_MAX_CALLS (\d+)$", CONFIG_SITE.read_text(encoding="utf-8"), re.MULTILINE)
    assert built, CONFIG_SITE
    _, agent = started_settings()
    assert agent["maxCalls"] == int(built.group(1)) > 4 * MAX_CALLS
