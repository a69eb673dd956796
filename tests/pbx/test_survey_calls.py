"""The post-call survey on the real Asterisk (pbx/asterisk/extensions_survey.conf)
with real SIP parties: a customer phone calls the support queue, agent 1001's
phone (a queue member named by its agent ID, as the desk service adds it)
answers and hangs up, and the customer answers the survey by keypad. An HTTP
stub stands in for the desk service (the real one is stopped for the module).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest

from tests.helpers.callbackstub import CUSTOMER
from tests.helpers.callers import dialplan_global
from tests.helpers.party import SipParty
from tests.helpers.pbx import SERVER, Pbx
from tests.helpers.surveystub import (
    SurveyStub,
    channel_app,
    channel_uniqueid,
    press_when_asked,
    wait_playing,
)
from tests.helpers.waiting import wait_until

pytestmark = pytest.mark.pbx

AGENT = "1001"
MakeParty = Callable[..., SipParty]


@pytest.fixture
def desk(pbx: Pbx, without_desk: None) -> Iterator[SurveyStub]:
    """The survey on for support, the stub in the desk service's place, and
    agent 1001's phone in the queue, for one test."""
    stub = SurveyStub()
    pbx.cli(f"queue add member PJSIP/{AGENT} to support penalty 0 as {AGENT}")
    try:
        with dialplan_global(pbx, "DESK_URL", stub.url), dialplan_global(pbx, "QUEUE_SURVEY_support", "yes"), \
                dialplan_global(pbx, "SURVEY_KEY_SECONDS", "2"):
            yield stub
    finally:
        pbx.cli(f"queue remove member PJSIP/{AGENT} from support")
        stub.close()


def token(pbx: Pbx) -> str:
    return str(json.loads((pbx.home / "state" / "service-secrets.json").read_text(encoding="utf-8"))["pbx_token"])


def served_call(make_party: MakeParty, pbx: Pbx) -> tuple[SipParty, SipParty, str]:
    """The customer calls support and agent 1001 answers: (customer, agent,
    the customer channel's UNIQUEID)."""
    customer, agent = make_party(CUSTOMER), make_party(AGENT)
    customer.call(f"sip:7001@{SERVER}")
    customer.wait_state("CONFIRMED")
    agent.wait("incoming", timeout=15)
    agent.answer()
    agent.wait_state("CONFIRMED")
    return customer, agent, channel_uniqueid(pbx, f"PJSIP/{CUSTOMER}-")


def agent_hangs_up(agent: SipParty) -> None:
    agent.send("hangup")
    agent.wait_state("DISCONNECTED")


def test_the_customer_rates_the_call_after_the_agent_hangs_up(
    pbx: Pbx, make_party: MakeParty, desk: SurveyStub
) -> None:
    customer, agent, uniqueid = served_call(make_party, pbx)
    agent_hangs_up(agent)
    assert customer.state == "CONFIRMED"  # the customer stays on the line
    press_when_asked(pbx, customer, CUSTOMER, "survey-rate", "4")
    press_when_asked(pbx, customer, CUSTOMER, "survey-resolved", "1")
    wait_playing(pbx, CUSTOMER, "Playback", "survey-thanks")
    customer.wait_state("DISCONNECTED", timeout=15)
    posted = desk.wait_posted()
    assert posted["path"] == "/pbx/v1/surveys" and posted["token"] == token(pbx)
    assert {k: posted[k] for k in ("call", "linkedid", "queue", "agent", "phone", "number", "language")} == {
        "call": uniqueid, "linkedid": uniqueid, "queue": "support", "agent": AGENT, "phone": AGENT,
        "number": CUSTOMER, "language": "en"}
    assert (posted["score"], posted["resolved"], posted["asked"]) == ("4", "1", "yes")
    assert int(posted["started"]) <= int(posted["finished"])
    assert len(desk.posts) == 1


def test_a_wrong_key_is_asked_again_and_silence_twice_ends_the_question(
    pbx: Pbx, make_party: MakeParty, desk: SurveyStub
) -> None:
    customer, agent, _ = served_call(make_party, pbx)
    agent_hangs_up(agent)
    press_when_asked(pbx, customer, CUSTOMER, "survey-rate", "9")
    wait_playing(pbx, CUSTOMER, "Playback", "survey-invalid")
    press_when_asked(pbx, customer, CUSTOMER, "survey-rate", "2")
    wait_playing(pbx, CUSTOMER, "Read", "survey-resolved")  # then silence: not valid, again, silence
    wait_playing(pbx, CUSTOMER, "Playback", "survey-invalid")
    wait_playing(pbx, CUSTOMER, "Read", "survey-resolved")
    wait_playing(pbx, CUSTOMER, "Playback", "survey-thanks", timeout=20)
    customer.wait_state("DISCONNECTED", timeout=15)
    posted = desk.wait_posted()
    assert (posted["score"], posted["resolved"], posted["asked"]) == ("2", "", "yes")


def test_a_customer_who_hangs_up_during_the_survey_is_posted_unrated(
    pbx: Pbx, make_party: MakeParty, desk: SurveyStub
) -> None:
    with dialplan_global(pbx, "QUEUE_LANGUAGE_support", "ru"):  # the queue's language picks the prompts
        customer, agent, uniqueid = served_call(make_party, pbx)
        agent_hangs_up(agent)
        wait_playing(pbx, CUSTOMER, "Read", "survey-rate")
        assert "/prompts/ru/survey-rate," in channel_app(pbx, f"PJSIP/{CUSTOMER}-")[1]
        customer.send("hangup")
        posted = desk.wait_posted()
    assert (posted["call"], posted["score"], posted["resolved"], posted["language"]) == (uniqueid, "", "", "ru")
    wait_until(lambda: not pbx.cli("core show channels concise").strip(), 10, "every channel gone")
    assert len(desk.posts) == 1


def test_a_customer_who_hangs_up_first_is_not_surveyed(pbx: Pbx, make_party: MakeParty, desk: SurveyStub) -> None:
    customer, agent, _ = served_call(make_party, pbx)
    customer.send("hangup")
    agent.wait_state("DISCONNECTED")
    customer.wait_state("DISCONNECTED")
    wait_until(lambda: not pbx.cli("core show channels concise").strip(), 10, "every channel gone")
    assert desk.posts == []


def test_without_the_survey_the_call_ends_when_the_agent_hangs_up(
    pbx: Pbx, make_party: MakeParty, desk: SurveyStub
) -> None:
    with dialplan_global(pbx, "QUEUE_SURVEY_support", "no"):
        customer, agent, _ = served_call(make_party, pbx)
        customer.wait_state("CONFIRMED")
        agent_hangs_up(agent)
        customer.wait_state("DISCONNECTED", timeout=10)
    assert desk.posts == []


def test_the_agents_transfer_to_55_runs_the_survey_for_the_transferring_agent(
    pbx: Pbx, make_party: MakeParty, desk: SurveyStub
) -> None:
    customer, agent, uniqueid = served_call(make_party, pbx)
    with dialplan_global(pbx, "QUEUE_SURVEY_support", "no"):  # the agent's choice, whatever the queue says
        agent.transfer(f"sip:*55@{SERVER}")
        assert agent.wait_transfer_done()["code"] == 200
        press_when_asked(pbx, customer, CUSTOMER, "survey-rate", "5")
        press_when_asked(pbx, customer, CUSTOMER, "survey-resolved", "2")
        customer.wait_state("DISCONNECTED", timeout=20)
    posted = desk.wait_posted()
    assert (posted["call"], posted["agent"], posted["phone"], posted["queue"]) == (uniqueid, AGENT, AGENT, "support")
    assert (posted["score"], posted["resolved"]) == ("5", "2")


def test_a_result_the_desk_service_does_not_take_is_kept_in_astdb(
    pbx: Pbx, make_party: MakeParty, desk: SurveyStub
) -> None:
    desk.status = 503
    with dialplan_global(pbx, "QUEUE_SURVEY_RESOLVED_support", "no"):
        customer, agent, uniqueid = served_call(make_party, pbx)
        agent_hangs_up(agent)
        press_when_asked(pbx, customer, CUSTOMER, "survey-rate", "3")
        customer.wait_state("DISCONNECTED", timeout=15)
    try:
        wait_until(lambda: pbx.db_get("survey-pending", uniqueid), 10, "the result kept in AstDB")
        fields = (pbx.db_get("survey-pending", uniqueid) or "").split("|")
        assert fields[:3] == [uniqueid, "support", AGENT] and fields[3:9] == [AGENT, CUSTOMER, "en", "3", "", ""]
        assert len(desk.posts) == 1
    finally:
        pbx.db_del("survey-pending", uniqueid)
