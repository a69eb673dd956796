"""Registration against the bundled Asterisk: visible there, clear failures,
recovery when the PBX comes back."""

from __future__ import annotations

from typing import Any

from tests.helpers.pbx import Pbx


def test_registration_is_visible_in_asterisk(make_agent: Any, pbx: Pbx) -> None:
    agent = make_agent("1001")
    pbx.wait_registered("1001")
    assert agent.window.header.state.text() == "Ready"
    assert agent.window.header.state.property("state") == "registered"
