#!/usr/bin/env python3
"""Wrap-up timing: how soon after a queue call the agent is held
for after-call work, and how soon Done makes them ready again.

The bundled PBX and desk service (fresh desk database) on the test ports.
Team lead 1901 switches wrap-up on for every queue with a 120 s limit (PUT
/api/v1/test/wrapup), so only the agent's Done ends it. Agent 1004 is in
support and sales; their phone is a SIP party answering by itself; their
desktop is a simulated one (the desk's event stream, read in a thread).
Asterisk's side is an AMI connection of its own (the desk service's AMI
user, agent events only): QueueMemberPause and AgentComplete of 1004,
stamped with time.time() when read.

Each of BENCH_ROUNDS rounds (default 15, after one warm-up round that is
shown but not counted) a customer with a new random number (a repeat
caller would ring the agent directly) calls support through `pbx/run
callers`, is answered and hangs up after TALK seconds. Then:

(a) start, from the agent's phone seeing the call DISCONNECTED (its
    call_state event, stamped when read): to Asterisk's AgentComplete; to
    QueueMemberPause Paused 1 with reason "wrap-up" in the first queue and
    in both; to the desk's `wrapup` event (state active) at the desktop.
(b) finish, 0.5-1.5 s later (the agent types), from PUT
    /api/v1/wrapups/{uniqueid} {"disposition", "finish": true} being sent
    (the desktop's Done): to its HTTP reply; to QueueMemberPause Paused 0
    in the first queue and in both (the agent ready again).

Asterisk sends the agent's BYE and its AgentComplete at about the same
moment, so an AMI figure can be slightly negative. Figures only, no
assertions. Run: .venv/bin/python tests/bench/bench_wrapup.py
(AGENTDESK_TEST_PORT_OFFSET moves the test PBX's ports).
"""

from __future__ import annotations

import json
import os
import random
import socket
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
import requests

from agentdesk.desktop.link.sse import SseParser
from tests.bench.bench_callback_delivery import StampedParty, load_average
from tests.bench.common import REPO, median, percentile, record
from tests.helpers.baresip import sip_secret
from tests.helpers.callbackflow import Lead
from tests.helpers.callbackstub import Ami
from tests.helpers.callers import customers_ended, place_callers
from tests.helpers.desk import DeskUser
from tests.helpers.party import PartyError
from tests.helpers.pbx import SERVER, Pbx

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "15"))
AGENT = "1004"
QUEUES = ("support", "sales")
TALK = 2  # seconds the customer talks before hanging up
LIMIT = 120  # the wrap-up limit: far longer than a round, only Done ends it
WITHIN = 20.0  # seconds; later counts as a failed round
WRAPUP_REASON = "wrap-up"
START_FIGURES = ("AgentComplete (AMI)", "paused, first queue", "paused, all queues", "desk `wrapup` event")
FINISH_FIGURES = ("HTTP reply", "ready, first queue", "ready, all queues")
Figures = dict[str, float]  # milliseconds per figure


class AgentEvents(Ami):
    """Asterisk's word on the agent: an AMI connection (the desk service's
    user) receiving agent-class events, read in a thread and stamped."""

    def __init__(self, pbx: Pbx) -> None:
        super().__init__(pbx)
        reply = self.action("Events", EventMask="agent")
        if reply.get("Response") != "Success":
            raise RuntimeError(f"AMI refused agent events: {reply}")
        self.socket.settimeout(None)  # quiet minutes between rounds are fine
        self.seen: list[tuple[float, dict[str, str]]] = []
        self.closing = False
        threading.Thread(target=self._listen, daemon=True).start()

    def _listen(self) -> None:
        try:
            while True:
                event = self._read_message()
                if event.get("MemberName") == AGENT or event.get("Interface") == f"PJSIP/{AGENT}":
                    self.seen.append((time.time(), event))
        except (OSError, AssertionError) as error:
            if not self.closing:
                print(f"  AMI listener stopped: {error}", flush=True)

    def mark(self) -> int:
        return len(self.seen)

    def first(self, since: int, name: str) -> float:
        """When the first `name` event after `since` arrived."""
        return self._wait(since, lambda e: e.get("Event") == name, 1, name)[0]

    def pauses(self, since: int, paused: bool) -> list[float]:
        """When QueueMemberPause events after `since` showed the agent
        paused for wrap-up (or ready) in each queue, first queue first."""
        def match(event: dict[str, str]) -> bool:
            if event.get("Event") != "QueueMemberPause" or event.get("Paused") != ("1" if paused else "0"):
                return False
            return not paused or event.get("PausedReason", event.get("Reason")) == WRAPUP_REASON

        return self._wait(since, match, len(QUEUES), "paused for wrap-up" if paused else "ready")

    def _wait(self, since: int, match: Callable[[dict[str, str]], bool], count: int, what: str) -> list[float]:
        deadline = time.monotonic() + WITHIN
        while time.monotonic() < deadline:
            found: dict[str, float] = {}
            for at, event in self.seen[since:]:
                if match(event):
                    found.setdefault(event.get("Queue", ""), at)
            if len(found) >= count:
                return sorted(found.values())
            time.sleep(0.005)
        raise TimeoutError(f"AMI: {AGENT} not {what} in {count} queue(s) within {WITHIN} s")

    def close(self) -> None:
        self.closing = True
        try:
            self.socket.shutdown(socket.SHUT_RDWR)
        except OSError as error:  # already gone
            print(f"  AMI connection already closed: {error}", flush=True)
        self.socket.close()


class StampedDesk(DeskUser):
    """A simulated desktop whose events carry the time they were read ("at_local")."""

    def _read(self, response: requests.Response) -> None:
        parser = SseParser()
        try:
            for chunk in response.iter_content(chunk_size=None):
                for event in parser.feed(chunk):
                    data = json.loads(event.data)
                    if isinstance(data, dict):
                        data["at_local"] = time.time()
                    with self._lock:
                        self.events.append((event.name, data))
        except (requests.RequestException, OSError, AttributeError) as error:
            if self._stream is not None and not self._stream.raw.closed:  # not close(): urllib3 says None.read
                print(f"  desk event stream ended: {error}", flush=True)


class WrapUpRounds:
    """Agent 1004's phone, desktop and Asterisk's view of them."""

    def __init__(self, pbx: Pbx) -> None:
        self.pbx = pbx
        self.ami = AgentEvents(pbx)
        self.phone = StampedParty("agent")
        self.phone.register(AGENT, SERVER, password=sip_secret(pbx.home, AGENT))
        self.phone.send("auto_answer", on=True)
        self.desk = StampedDesk(AGENT)
        for queue in QUEUES:
            self.desk.join(queue)
        self.desk.unpause()
        self.desk.listen()
        self.failures: list[str] = []

    def serve(self, number: str) -> tuple[Figures, dict[str, Any]]:
        """A customer of support answered and gone: (a)'s figures and the wrap-up view."""
        self.phone.drain()
        mark = self.ami.mark()
        place_callers("support", patience=30, talk=TALK, number=number)
        self.phone.wait("incoming", timeout=WITHIN)
        ended = float(self.phone.wait("call_state", timeout=WITHIN, state="DISCONNECTED")["at_local"])
        completed = self.ami.first(mark, "AgentComplete")
        paused = self.ami.pauses(mark, paused=True)
        view = self.desk.wait_event(lambda name, data: name == "wrapup" and data.get("number") == number
                                    and data.get("state") == "active", timeout=WITHIN)
        figures = dict(zip(START_FIGURES, ((at - ended) * 1000 for at in (completed, paused[0], paused[-1],
                                                                          float(view["at_local"]))), strict=True))
        return figures, view

    def finish(self, view: dict[str, Any]) -> Figures:
        """The desktop's Done: the record with finish=true; (b)'s figures."""
        body = {"disposition": (view.get("dispositions") or ["Resolved"])[0], "notes": "benchmark",
                "first_contact_resolved": True, "follow_up": None, "finish": True, "record_id": os.urandom(8).hex()}
        mark = self.ami.mark()
        sent = time.time()
        reply = self.desk.call("PUT", f"/api/v1/wrapups/{view['uniqueid']}", body)
        returned = time.time()
        if reply.status_code != 200:
            raise AssertionError(f"PUT wrap-up {reply.status_code}: {reply.text[:120]}")
        ended = (reply.json().get("wrapup") or {}).get("state")
        if ended != "ended":
            raise AssertionError(f"PUT wrap-up with finish left it {ended!r}")
        ready = self.ami.pauses(mark, paused=False)
        return dict(zip(FINISH_FIGURES, ((at - sent) * 1000 for at in (returned, ready[0], ready[-1])), strict=True))

    def one(self) -> tuple[Figures, Figures]:
        number = f"0912{random.randrange(10**6, 10**7)}"  # new: a repeat caller skips the queue
        with customers_ended(self.pbx):
            start, view = self.serve(number)
        time.sleep(random.uniform(0.5, 1.5))  # the agent picks a disposition
        return start, self.finish(view)

    def rounds(self) -> list[tuple[Figures, Figures]]:
        results: list[tuple[Figures, Figures]] = []
        for index in range(ROUNDS + 1):
            label = "warm-up" if index == 0 else f"{index}/{ROUNDS}"
            try:
                start, finish = self.one()
            except (AssertionError, TimeoutError, PartyError, requests.RequestException) as error:
                self.failures.append(str(error).splitlines()[0][:160])
                print(f"  round {label}: failed: {self.failures[-1]}", flush=True)
                self.recover()
                continue
            print(f"  round {label}: paused in all queues {start['paused, all queues']:.1f} ms after the call "
                  f"ended, ready {finish['ready, all queues']:.1f} ms after Done", flush=True)
            if index:
                results.append((start, finish))
        return results

    def recover(self) -> None:
        """A failed round leaves no call and no wrap-up behind."""
        self.phone.send("hangup")
        view = self.desk.snapshot().get("wrapup")
        if view:
            reply = self.desk.call("POST", f"/api/v1/wrapups/{view['uniqueid']}/finish")
            print(f"  left-over wrap-up finished: {reply.status_code}", flush=True)
        self.desk.call("PUT", f"/api/v1/agents/{AGENT}/pause", {"paused": False})
        time.sleep(1)

    def close(self) -> None:
        for queue in QUEUES:
            self.desk.call("PUT", f"/api/v1/agents/{AGENT}/queues/{queue}", {"logged_in": False})
        self.desk.call("PUT", f"/api/v1/agents/{AGENT}/pause", {"paused": False})
        self.desk.close()
        self.phone.close()
        self.ami.close()


def print_figures(title: str, names: tuple[str, ...], rows: list[Figures]) -> None:
    print(f"\n{title} ({len(rows)} rounds, ms)")
    print(f"{'':36}{'p50':>8}{'p95':>8}{'max':>8}{'min':>8}")
    for name in names:
        values = [row[name] for row in rows]
        low = min(values) if values else float("nan")
        high = max(values) if values else float("nan")
        print(f"{'  to ' + name:36}{median(values):>8.1f}{percentile(values, 0.95):>8.1f}{high:>8.1f}{low:>8.1f}")


def measure(pbx: Pbx) -> None:
    lead = Lead()
    lead.ok("PUT", "/api/v1/test/wrapup", {"enabled": True, "limit_seconds": LIMIT})
    rounds: WrapUpRounds | None = None
    try:
        rounds = WrapUpRounds(pbx)
        results = rounds.rounds()
        print_figures("(a) Wrap-up start, from the call's end at the agent's phone (DISCONNECTED)", START_FIGURES,
                      [start for start, _ in results])
        print_figures("(b) Finish, from PUT /api/v1/wrapups/{uniqueid} with finish=true sent", FINISH_FIGURES,
                      [finish for _, finish in results])
        if rounds.failures:
            print(f"{len(rounds.failures)} failed: " + "; ".join(sorted(set(rounds.failures))))
        for part, name in ((0, "paused, all queues"), (1, "ready, all queues")):  # no target stated
            values = [row[part][name] for row in results]
            record("wrapup", f"{name} p50", median(values), "ms", "", None)
            record("wrapup", f"{name} p95", percentile(values, 0.95), "ms", "", None)
    finally:
        if rounds is not None:
            rounds.close()
        lead.ok("PUT", "/api/v1/test/wrapup", {"enabled": False})
        lead.close()
        print("\nwrap-up switched off")


def main() -> int:
    pbx = Pbx()
    pbx.forget_desk_data()  # a fresh desk database: every number a first-time caller
    pbx.start()
    load_before = load_average()
    try:
        measure(pbx)
    finally:
        pbx.stop()
    print(f"load average {load_before} before, {load_average()} after; {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    os.chdir(REPO)
    sys.exit(main())
