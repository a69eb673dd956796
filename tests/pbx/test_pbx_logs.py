"""What Asterisk writes into its log folder keeps no secret: not the desk
service's PBX token, which travels with every question the dialplan asks
the desk service, and not the keys a caller types (a voicemail PIN, right
or wrong, digits read into a variable). Real calls on the grown test PBX
(tests/helpers/grownpbx.py), whose agent 1021 has a random 9-digit PIN."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.helpers.callers import RouteStub, dialplan_global, waiting_numbers
from tests.helpers.grownpbx import NEW_AGENT, NEW_AGENT_PIN, NEW_QUEUE, NEW_QUEUE_NUMBER, MakeParty, sip
from tests.helpers.party import SipParty
from tests.helpers.pbx import Pbx
from tests.helpers.waiting import wait_until

pytestmark = pytest.mark.pbx

CUSTOMER = "1010"
MY_VOICEMAIL, KEYPAD_TEST = "609", "603"
WRONG_PIN = "".join(str((int(digit) + 1) % 10) for digit in NEW_AGENT_PIN)
PROMPT_SECONDS = 3.0  # time for a voicemail prompt to start before keys are typed


def pbx_token(pbx: Pbx) -> str:
    return str(json.loads((pbx.home / "state" / "service-secrets.json").read_text(encoding="utf-8"))["pbx_token"])


def everything_logged(pbx: Pbx) -> dict[Path, str]:
    return {path: path.read_bytes().decode(errors="replace")
            for path in pbx.log_dir().rglob("*") if path.is_file()}


def called(party: SipParty, number: str) -> None:
    party.call(sip(number))
    party.wait_state("CONFIRMED")
    time.sleep(PROMPT_SECONDS)


def keyed(party: SipParty, keys: str) -> None:
    party.send("dtmf", digits=keys)
    time.sleep(PROMPT_SECONDS)


def test_a_queue_call_sends_the_token_but_no_log_shows_it(grown: Pbx, grown_party: MakeParty) -> None:
    token = pbx_token(grown)
    route = RouteStub()
    try:
        with dialplan_global(grown, "DESK_URL", route.url):
            customer = grown_party(CUSTOMER)
            customer.call(sip(NEW_QUEUE_NUMBER))
            wait_until(lambda: waiting_numbers(grown, NEW_QUEUE), 10, f"the customer waiting in {NEW_QUEUE}")
            customer.send("hangup")
            customer.wait_state("DISCONNECTED")
    finally:
        route.close()
    assert [header for _, header in route.requests] == [token]  # the desk service was asked, with the token
    leaks = [path.name for path, text in everything_logged(grown).items() if token in text]
    assert leaks == [], f"the PBX token is in {leaks}"


def test_no_log_shows_a_voicemail_pin_or_keys_read_by_the_dialplan(grown: Pbx, grown_party: MakeParty) -> None:
    full_log = grown.log_dir() / "full.log"
    size_before = full_log.stat().st_size
    agent = grown_party(NEW_AGENT)
    # Three wrong PINs: voicemail says goodbye (maxlogins = 3), so the keys
    # did reach the PIN check.
    called(agent, MY_VOICEMAIL)
    for _ in range(3):
        keyed(agent, f"{WRONG_PIN}#")
    agent.wait_state("DISCONNECTED", timeout=15)
    # The right PIN opens the mailbox, whose main menu ends the call on #
    # (after a wrong PIN, # would only be another empty attempt).
    called(agent, MY_VOICEMAIL)
    keyed(agent, f"{NEW_AGENT_PIN}#")
    keyed(agent, "#")
    agent.wait_state("DISCONNECTED", timeout=15)
    # The keypad test reads the keys into a variable (and keeps them in AstDB).
    called(agent, KEYPAD_TEST)
    agent.send("dtmf", digits=f"{NEW_AGENT_PIN}#")
    wait_until(lambda: grown.db_get("dtmftest", NEW_AGENT) == NEW_AGENT_PIN, 15, "the keys read by the dialplan")
    agent.send("hangup")
    assert full_log.stat().st_size > size_before  # the calls were logged, without their keys
    for secret in (NEW_AGENT_PIN, WRONG_PIN):
        leaks = [path.name for path, text in everything_logged(grown).items() if secret in text]
        assert leaks == [], f"keys a caller typed ({secret}) are in {leaks}"
