"""A team lead's phone rung by a supervision session: the PBX's
X-AgentDesk-Supervise header reaches the call's snapshot (only from the
PBX's own address, like every x-agentdesk header), and the phone itself
never answers it: the desktop decides."""

from __future__ import annotations

import pytest

from agentdesk.desktop.phone.core import PhoneCore, supervision_offer
from tests.helpers.fakes import FakePhoneEvents, FakeStack

PBX = ("127.0.0.1", 5060)
SESSION = "0c75f17b3f5fb5d8"


def ring(core: PhoneCore, headers: dict[str, str], source: tuple[str, int] = PBX) -> int:
    contact = f"sip:1901@127.0.0.1:40000;adflow={core._flow_token}"
    return core.on_incoming(1, '"Listen: Sara Karimi" <sip:1001@pbx>', source, headers, "sip-1", contact)


def lead_phone() -> PhoneCore:
    core = PhoneCore(FakePhoneEvents(), None, FakeStack())
    core._pbx_flows = {PBX}
    core.auto_answer = True
    return core


def test_the_supervision_session_reaches_the_call_and_the_phone_does_not_answer_it() -> None:
    core = lead_phone()
    assert ring(core, {"x-agentdesk-supervise": SESSION}) == 180
    call = core.book.calls[1]
    assert (call.supervision, call.remote_name, call.queue) == (SESSION, "Listen: Sara Karimi", "")
    assert core.timers.wait_ms(10_000) == 10_000  # no auto-answer timer


def test_a_call_from_anyone_but_the_pbx_is_refused_before_its_headers_count() -> None:
    core = lead_phone()
    assert ring(core, {"x-agentdesk-supervise": SESSION}, ("127.0.0.1", 40000)) == 403
    assert core.book.calls == {}


@pytest.mark.parametrize(("value", "expected"), [
    (SESSION, SESSION),
    (f" {SESSION} ", SESSION),
    ("", ""),
    ("abc;def", ""),
    ("a" * 65, ""),
    ("٣٤٥", ""),
])
def test_supervision_header_values(value: str, expected: str) -> None:
    assert supervision_offer({"x-agentdesk-supervise": value}) == expected


def test_an_ordinary_call_has_no_supervision() -> None:
    core = lead_phone()
    assert ring(core, {"x-agentdesk-queue": "support"}) == 180
    assert core.book.calls[1].supervision == ""
