"""The jitter buffer is set for home networks: deep enough for Wi-Fi
jitter, bounded, and never trimmed below its minimum (trimming emptied it
at every lost packet; see pjstack._keep_jitter_buffer_depth)."""

from __future__ import annotations

import json
import re

import pjsua2 as pj

from agentdesk.desktop.phone.pjstack import SipStack


def media_settings() -> dict[str, int]:
    """The media settings the stack starts pjsua2 with, read back through
    pjsua2's own JSON (inside a created library, as SipStack.start() makes
    them: pjlib's memory pools exist only between libCreate and libDestroy)."""
    endpoint = pj.Endpoint()
    endpoint.libCreate()
    try:
        config = SipStack("test")._endpoint_config()
        document = pj.JsonDocument()
        document.writeObject(config.medConfig)
        text = document.saveString()
        del document, config
    finally:
        endpoint.libDestroy()
    return {key: int(value) for key, value in re.findall(r'"(jb\w+)"\s*:\s*(-?\d+)', text)}


def test_buffer_is_held_at_its_depth_and_bounded() -> None:
    settings = media_settings()
    assert settings["jbDiscardAlgo"] == 0, json.dumps(settings)  # PJMEDIA_JB_DISCARD_NONE
    assert settings["jbMinPre"] == settings["jbInit"] == 60
    assert settings["jbMaxPre"] <= settings["jbMax"] * 4 // 5  # pjmedia caps prefetch at 4/5 of capacity
    assert settings["jbMax"] <= 300  # the most a drifting call can lag by
