"""`pbx/run callers`: simulated customers made by the real Asterisk."""

from __future__ import annotations

import json
import signal
import subprocess
from itertools import pairwise

import pytest

from tests.helpers.callers import (
    customers_ended,
    place_callers,
    queue_sides,
    run_pbx,
    wait_waiting,
)
from tests.helpers.pbx import RUN, Pbx, pbx_env
from tests.helpers.waiting import wait_until

# The dialplan asks a stub, not the desk service (VIP answers would reorder).
pytestmark = [pytest.mark.pbx, pytest.mark.usefixtures("route")]


def test_each_caller_is_one_json_line_with_its_own_tone(pbx: Pbx) -> None:
    with customers_ended(pbx):
        placed = place_callers("sales", count=3, interval=0.3, patience=20, talk=7)
        assert [c.queue for c in placed] == ["sales"] * 3
        assert len({c.number for c in placed}) == 3
        steps = [(c.tone_hz - 450) // 75 for c in placed]  # 450 + 75*k Hz, k rotating through 16
        assert all((b - a) % 16 == 1 for a, b in pairwise(steps)), placed
        assert {(c.patience, c.talk) for c in placed} == {(20, 7)}
        waiting = wait_waiting(pbx, "sales", 3)
        assert sorted(number for number, _ in waiting) == sorted(c.number for c in placed)


def test_a_given_number_and_name_call(pbx: Pbx) -> None:
    with customers_ended(pbx):
        (caller,) = place_callers("support", patience=20, number="+15551230000", name="Grace Hopper")
        assert (caller.number, caller.name) == ("+15551230000", "Grace Hopper")
        assert wait_waiting(pbx, "support", 1) == [("+15551230000", 0)]


def test_mistakes_are_one_message_without_a_traceback(pbx: Pbx) -> None:
    for args in (["--queue", "nosuch"], ["--name", 'Bobby "Tables"'], ["--abandon-share", "2"]):
        result = run_pbx("callers", *args)
        assert result.returncode == 1 and result.stdout == "", args
        assert result.stderr.startswith("pbx/run: ") and "Traceback" not in result.stderr, result.stderr
    assert not queue_sides(pbx)


def test_a_continuous_demo_load_keeps_callers_coming_until_interrupted(pbx: Pbx) -> None:
    with customers_ended(pbx):
        # Ctrl+C as in a terminal: a test run started in the background
        # inherits SIGINT ignored, and so would the load.
        load = subprocess.Popen(
            [str(RUN), "callers", "--queue", "support", "--forever", "--interval", "0.3", "--patience", "20"],
            env=pbx_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        try:
            wait_until(lambda: len(queue_sides(pbx)) >= 3, 15, "three callers of the demo load")
        finally:
            load.send_signal(signal.SIGINT)
            try:
                out, err = load.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                load.kill()  # never left placing callers into the tests that follow
                load.communicate()
                raise
        assert load.returncode == 130 and "Traceback" not in err, err
        lines = [json.loads(line) for line in out.splitlines()]
        assert len(lines) >= 3 and {line["queue"] for line in lines} == {"support"}
        assert all(10 <= line["patience"] <= 30 for line in lines)  # varied around --patience
