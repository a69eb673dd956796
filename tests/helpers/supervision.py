"""Who hears whom on a supervised call: the customer, the agent and the
team lead each play their own tone and report what they hear. Shared by
tests/pbx/test_supervise_dialplan.py (the dialplan driven by AMI) and
tests/integration/test_supervision.py (driven by the desk service)."""

from __future__ import annotations

import contextlib
import threading
import time

from tests.helpers.callbackstub import Ami
from tests.helpers.party import SipParty
from tests.helpers.pbx import Pbx
from tests.helpers.waiting import wait_until

CUSTOMER_TONE, AGENT_TONE, LEAD_TONE = 700, 1400, 1100
TONES: list[float] = [CUSTOMER_TONE, AGENT_TONE, LEAD_TONE]
# Shares of the energy at one tone. Whoever hears two voices hears each at
# about half (0.2-0.8 was seen once): "heard" is well below that, "absent"
# well above the noise.
HEARD = 0.15
ABSENT = 0.05


def hearing(customer: SipParty, agent: SipParty, lead: SipParty) -> dict[str, dict[int, float]]:
    """What the three hear over the same 1.5 s: listener -> tone -> share."""
    parties = {"customer": customer, "agent": agent, "lead": lead}
    for party in parties.values():
        party.send("listen", seconds=1.5, freqs=TONES)
    heard = {name: party.wait("heard", timeout=8) for name, party in parties.items()}
    return {name: {int(tone): heard[name][str(tone)] for tone in TONES} for name in heard}


def assert_mode(customer: SipParty, agent: SipParty, lead: SipParty, mode: str) -> None:
    """The lead hears both; the agent hears the lead in whisper and barge,
    the customer only in barge; the two keep hearing each other."""
    share = hearing(customer, agent, lead)
    to_agent, to_customer = mode in ("whisper", "barge"), mode == "barge"
    assert share["lead"][CUSTOMER_TONE] > HEARD and share["lead"][AGENT_TONE] > HEARD, (mode, share)
    assert share["agent"][CUSTOMER_TONE] > HEARD and share["customer"][AGENT_TONE] > HEARD, (mode, share)
    lead_at_agent, lead_at_customer = share["agent"][LEAD_TONE], share["customer"][LEAD_TONE]
    assert (lead_at_agent > HEARD) if to_agent else (lead_at_agent < ABSENT), (mode, share)
    assert (lead_at_customer > HEARD) if to_customer else (lead_at_customer < ABSENT), (mode, share)


def assert_talking(customer: SipParty, agent: SipParty) -> None:
    share = {name: party.hear(TONES) for name, party in (("customer", customer), ("agent", agent))}
    assert share["customer"][str(AGENT_TONE)] > 0.5 and share["agent"][str(CUSTOMER_TONE)] > 0.5, share
    assert share["customer"][str(LEAD_TONE)] < ABSENT and share["agent"][str(LEAD_TONE)] < ABSENT, share


class EventAmi(Ami):
    """The desk service's AMI user with call events on, collected by a
    reader thread (actions go through another connection)."""

    def __init__(self, pbx: Pbx) -> None:
        super().__init__(pbx)
        self.events: list[dict[str, str]] = []
        reply = self.action("Events", EventMask="call")
        assert reply.get("Response") == "Success", reply
        self.reading = True
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        with contextlib.suppress(OSError, AssertionError):
            while self.reading:
                message = self._read_message()
                if "Event" in message:
                    message["_at"] = str(time.time())
                    self.events.append(message)

    def named(self, name: str) -> list[dict[str, str]]:
        return [event for event in list(self.events) if event.get("Event") == name]

    def wait_event(self, name: str, count: int = 1, timeout: float = 15.0) -> dict[str, str]:
        wait_until(lambda: len(self.named(name)) >= count, timeout, f"{count}. {name}")
        return self.named(name)[count - 1]

    def stop(self) -> None:
        self.reading = False
        self.socket.close()
