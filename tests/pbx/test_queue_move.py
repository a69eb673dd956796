"""A waiting caller withdrawn from a queue (AMI QueueWithdrawCaller, as
the desk service sends it for a team lead's move) on the real Asterisk:
[queue-move] in extensions.conf puts them into the queue the
WithdrawInfo names at the position it names, and sends them back into
their own queue, never hangs them up, when the information is bad or the
queue does not exist. A moved caller's max wait in the new queue counts
from when they first began waiting."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest

from tests.helpers.callbackstub import Ami, waiting_channels
from tests.helpers.callers import customers_ended, place_callers, wait_waiting
from tests.helpers.pbx import Pbx
from tests.helpers.waiting import wait_until

pytestmark = pytest.mark.pbx


@pytest.fixture
def ami(pbx: Pbx) -> Iterator[Ami]:
    client = Ami(pbx)
    yield client
    client.close()


def said(pbx: Pbx, words: str) -> int:
    """How often Asterisk's full log has `words` (the dialplan's Verbose lines)."""
    return (pbx.log_dir() / "full.log").read_text(encoding="utf-8", errors="replace").count(words)


def max_wait(pbx: Pbx, channel: str) -> int | None:
    """The timeout the caller's Queue() runs with now (None: no limit)."""
    data = re.search(r"^\s*Data: (.*)$", pbx.cli(f"core show channel {channel}"), re.M)
    assert data is not None and data.group(1).startswith(("support,", "sales,")), data
    timeout = data.group(1).split(",")[4]
    return int(timeout) if timeout else None


def withdraw(ami: Ami, pbx: Pbx, channel: str, info: str, to: str, words: str, source: str = "support") -> None:
    before = said(pbx, words)
    reply = ami.action("QueueWithdrawCaller", Queue=source, Caller=channel, WithdrawInfo=info)
    assert reply["Response"] == "Success", reply
    wait_until(lambda: said(pbx, words) > before, 10, f"[queue-move] saying {words!r}")
    wait_until(lambda: channel in waiting_channels(pbx, to), 10, f"{channel} waiting in {to}")


def test_a_withdrawn_caller_goes_where_the_info_says_or_back_never_hung_up(pbx: Pbx, ami: Ami) -> None:
    with customers_ended(pbx):
        place_callers("sales", patience=120)
        wait_waiting(pbx, "sales", 1)
        place_callers("support", patience=120)
        wait_waiting(pbx, "support", 1)
        channel = waiting_channels(pbx, "support")[0]
        withdraw(ami, pbx, channel, "move,nosuch,1", "support", "no such move (move nosuch 1): back into support")
        withdraw(ami, pbx, channel, "move,sales,1", "sales", "moved from support to sales at position 1")
        assert waiting_channels(pbx, "sales").index(channel) == 0  # ahead of the caller already there
        assert max_wait(pbx, channel) == 300  # no join time given: the queue's whole max wait
        began = int(time.time()) - 100
        withdraw(ami, pbx, channel, f"move,support,1,{began}", "support", "moved from sales to support", "sales")
        left, waited = max_wait(pbx, channel), time.time() - began  # waited: at least what the dialplan counted
        assert left is not None and 300 - waited - 1 <= left <= 200  # 300 s from when they began waiting
        withdraw(ami, pbx, channel, f"move,sales,1,{began - 1000}", "sales", "moved from support to sales", "support")
        assert max_wait(pbx, channel) == 30  # waited past it already: the least wait left
