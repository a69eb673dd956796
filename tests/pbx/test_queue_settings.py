"""pbx/queues.ini: checked, and turned into Asterisk settings (no Asterisk needed)."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from agentdesk.pbxtool import (
    callers,
    confgen,
    directory,
    queues,
)
from agentdesk.pbxtool.layout import DIRECTORY_FILE, PBX_DIR, PbxError

SHIPPED = queues.read_queues()


def write_ini(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "queues.ini"
    path.write_text("[DEFAULT]\n" + _defaults() + text, encoding="utf-8")
    return path


def _defaults() -> str:
    knobs = {knob: "5" for knob in queues.SECONDS_KNOBS}
    knobs.update(strategy="ringall", overflow="voicemail", when_no_agents="wait")
    return "".join(f"{key} = {value}\n" for key, value in knobs.items())


def test_the_shipped_queues_each_get_their_own_strategy() -> None:
    text = queues.queues_conf(SHIPPED)
    sections = dict(re.findall(r"^\[(\w+)\]\(queue-defaults\)\n((?:[^\[\n].*\n)*)", text, re.M))
    assert set(sections) == {"support", "sales"}
    assert "strategy = leastrecent" in sections["support"] and "strategy = rrmemory" in sections["sales"]
    # The template must not name a strategy: it would win over the queue's own.
    static = (PBX_DIR / "asterisk" / "queues.conf").read_text(encoding="utf-8")
    template = static.split("[queue-defaults](!)", 1)[1]
    assert not re.search(r"^\s*strategy\s*=", template, re.M)


def test_every_knob_reaches_asterisk(tmp_path: Path) -> None:
    (queue,) = queues.read_queues(write_ini(tmp_path, (
        "[billing]\nextension = 7005\nstrategy = fewestcalls\nring_seconds = 12\nretry_seconds = 2\n"
        "wrapup_seconds = 30\nservice_level_seconds = 20\nannounce_seconds = 45\nmax_wait_seconds = 600\n"
        "max_callers = 7\noverflow = hangup\nwhen_no_agents = overflow\nsticky_ring_seconds = 8\n"
    )))
    conf = queues.queues_conf([queue])
    for line in ("strategy = fewestcalls", "timeout = 12", "retry = 2", "wrapuptime = 30", "servicelevel = 20",
                 "announce-frequency = 45", "maxlen = 7", f"joinempty = {queues.EMPTY_WHEN}"):
        assert f"\n{line}\n" in conf, line
    assert queue.title == "Billing"
    dialplan = queues.dialplan_globals([queue])
    for line in ("QUEUE_MAX_WAIT_billing = 600", "QUEUE_OVERFLOW_billing = hangup", "QUEUE_STICKY_RING_billing = 8",
                 "QUEUE_EXTENSION_billing = 7005"):
        assert line in dialplan.splitlines()
    assert queues.dialplan_numbers([queue]) == "exten => 7005,1,Goto(queue-inbound,billing,1)\n"


@pytest.mark.parametrize(
    ("section", "complaint"),
    [
        ("[support]\nextension = 7001\nstrategy = fastest\n", "strategy must be one of"),
        ("[support]\nextension = 7001\nring_secs = 10\n", "unknown setting 'ring_secs'"),
        ("[support]\nextension = 7001\nmax_callers = -1\n", "max_callers must be a whole number"),
        ("[support]\nextension = 601\n", "extension must be a free number"),
        ("[support]\nextension = 7001\noverflow = queue:nowhere\n", "'nowhere' is not another queue"),
        ("[support]\nextension = 7001\noverflow = queue:support\n", "is not another queue"),
        ("[Support]\nextension = 7001\n", "lowercase letters"),
        ("[aa]\nextension = 7001\n[bb]\nextension = 7001\n", "same extension"),
        ("[support]\nextension = 7001\ntitle = Sales, Inc\n", "title must be plain text"),
    ],
)
def test_a_mistake_names_the_queue_and_the_knob(tmp_path: Path, section: str, complaint: str) -> None:
    with pytest.raises(PbxError, match=re.escape(complaint)):
        queues.read_queues(write_ini(tmp_path, section))


def test_a_queue_number_cannot_hide_a_person() -> None:
    users = directory.read_people(DIRECTORY_FILE)
    queues.check_against_users(SHIPPED, (u.extension for u in users))
    with pytest.raises(PbxError, match="belongs to a user"):
        queues.check_against_users(SHIPPED, [SHIPPED[0].extension])


def test_each_queue_has_a_mailbox_with_its_own_pin() -> None:
    users = directory.read_people(DIRECTORY_FILE)
    mailboxes = [q.extension for q in SHIPPED]
    demo = directory.add_mailbox_pins(directory.demo_secrets(users), mailboxes)
    real = directory.add_mailbox_pins(directory.random_secrets(users), mailboxes)
    assert demo.voicemail_pin["7001"] == "7001" and real.voicemail_pin["7001"].isdigit()
    assert real.voicemail_pin["7001"] != "7001" or real.voicemail_pin["7002"] != "7002"
    text = confgen.voicemail_users_conf(users, real, SHIPPED)
    assert f"7001 => {real.voicemail_pin['7001']},Support queue" in text.splitlines()
    table = directory.secrets_table(users, real, [(q.extension, q.title) for q in SHIPPED])
    assert f"7002,Sales,queue mailbox,,{real.voicemail_pin['7002']}" in table.splitlines()


def test_demo_customers_rotate_with_their_own_tones() -> None:
    plan = callers.CallerPlan(queue=SHIPPED[0], patience=40, talk=10)
    customers = callers.read_customers()
    rng = random.Random(1)
    made = [callers.make_customer(plan, index, customers, rng) for index in range(callers.TONES)]
    assert [m.number for m in made[: len(customers)]] == [number for number, _ in customers]
    assert made[len(customers)].number == made[0].number
    tones = [m.tone_hz for m in made]
    assert len(set(tones)) == callers.TONES and 1004 not in tones and min(tones) == 450
    assert {(m.patience, m.talk) for m in made} == {(40, 10)}


def test_impatient_callers_give_up_early_and_a_given_caller_is_used() -> None:
    plan = callers.CallerPlan(queue=SHIPPED[0], patience=60, abandon_share=1.0, number="+74951234567")
    customer = callers.make_customer(plan, 3, callers.read_customers(), random.Random(2))
    assert callers.SHORTEST_PATIENCE <= customer.patience <= 20
    assert (customer.number, customer.name) == ("+74951234567", "Olga Smirnova")  # named from the CRM
    text = callers.call_file(customer, "7001")
    assert "Channel: Local/7001@customers/n\n" in text and 'CallerID: "Olga Smirnova" <+74951234567>' in text
    assert f"Setvar: DEMO_PATIENCE={customer.patience}\n" in text


@pytest.mark.parametrize(
    "plan",
    [
        {"count": 0},
        {"abandon_share": 1.5},
        {"number": "+7 (495)"},
        {"name": 'Bobby "Tables"'},
        {"number": "+74951234567", "name": "line\nbreak"},
    ],
)
def test_unsafe_or_senseless_caller_plans_are_refused(plan: dict[str, object]) -> None:
    with pytest.raises(PbxError):
        callers.check(callers.CallerPlan(queue=SHIPPED[0], **plan))  # type: ignore[arg-type]
