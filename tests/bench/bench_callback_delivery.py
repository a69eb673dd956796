#!/usr/bin/env python3
"""Callbacks with 10,000 open tasks (the targets: the task list
within 100 ms; the next due task reaches a free agent within 200 ms).

The bundled PBX and desk service (fresh desk database) on the test ports.
Team lead 1901 switches callbacks on and creates BENCH_TASKS tasks (default
10,000) through the desk API as agents do (POST /api/v1/callbacks,
same_agent false; agents' requests are not rate-limited), 4 threads at a
time: DUE_NOW[queue] due at once, the rest booked over the next six days.

1. List, desk side: GET /api/v1/callbacks (all open tasks: what a desktop
   fetches at sign-in) and ?queue=, as the team lead and as an agent of one
   queue; ms to the parsed JSON and to the desktop's task views, over
   BENCH_REPEATS (default 20). The desktop's own open/filter/paint timing
   is tests/bench/bench_callback_list.py.
2. Delivery: agent 1001 is a SIP party (no auto-answer) in the support
   queue; due tasks wait there as placeholders. BENCH_DELIVERIES rounds
   (default 20) each, to the INVITE with X-AgentDesk-Callback at the phone
   (the party's `incoming` event, stamped with time.time() when read):
   - unpaused: from PUT .../pause {"paused": false} returning (and sent);
   - call ended: the agent is unpaused while on a direct call from 1002
     (no queue wrap-up follows it); from the phone's DISCONNECTED event
     when 1002 hangs up (and from the hang-up).
   Each offer is skipped through the API while the agent is paused again.
   A round starts once the placeholders are back and the first one is past
   its announcement: app_queue announces position and hold time on joining,
   on moving up and every announce_seconds, and rings nobody for a caller
   meanwhile (BENCH_QUIET=0: do not wait for that); then 0.2-1.2 s at
   random, out of step with app_queue's once-a-second look for free agents.
   Each round is classed by what its placeholder did meanwhile, from
   Asterisk's full log (Announcements.cause).
3. Clean-up: every open task is cancelled, callbacks are switched off.

Figures only, no assertions. Run: .venv/bin/python tests/bench/bench_callback_delivery.py
(AGENTDESK_TEST_PORT_OFFSET moves the test PBX's ports).
"""

from __future__ import annotations

import json
import os
import random
import re
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
import requests

from agentdesk.contract.callbacks import parse_task_list
from tests.bench.common import REPO, median, percentile, record
from tests.helpers.baresip import sip_secret
from tests.helpers.callbackflow import Lead
from tests.helpers.callbackstub import waiting_channels
from tests.helpers.desk import DeskUser
from tests.helpers.party import SipParty
from tests.helpers.pbx import SERVER, Pbx
from tests.helpers.waiting import wait_until

T = TypeVar("T")
TASKS = int(os.environ.get("BENCH_TASKS", "10000"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "20"))
DELIVERIES = int(os.environ.get("BENCH_DELIVERIES", "20"))
AGENT, COLLEAGUE = "1001", "1002"
QUEUE, OTHER_QUEUE = "support", "sales"
DUE_NOW = {QUEUE: 2 * DELIVERIES + 10, OTHER_QUEUE: 40}  # the rest is booked for later days
PLACEHOLDERS = 3  # dispatch.SLOTS: due tasks the desk keeps in an Asterisk queue
FILL_THREADS = 4
OFFER_WITHIN = 10.0  # seconds; later counts as a failed round
PAUSE_REASON = "Break"
# BENCH_QUIET=0: each round starts as soon as the placeholders are back, while
# the first of them may still hear its announcement (the line just moved).
QUIET = os.environ.get("BENCH_QUIET", "1") != "0"
QUIET_AFTER_MOVE = 2.5  # app_queue announces a new position within a second (its 1 s re-check)
LIST_TARGET_MS, DELIVERY_TARGET_MS = 100.0, 200.0  # the targets in the docstring
HEADLINE = {"unpaused": "from PUT returned", "call ended": "from call end at agent"}  # each kind's first figure
Offer = tuple[dict[str, float], str]  # milliseconds per figure; what the placeholder did meanwhile
PLACEHOLDER = r"Local/[0-9a-f]{12}@callback-line-[0-9a-f]+"
PLACEHOLDER_SOUND = re.compile(rf"<({PLACEHOLDER});2> Playing '|({PLACEHOLDER});1 is ringing")


class StampedParty(SipParty):
    """A SIP party whose events carry the wall-clock time they were read ("at_local")."""

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            event["at_local"] = time.time()
            if event.get("event") == "call_state":
                self.state = event["state"]
            self.history.append(event)
            self.events.put(event)

    def drain(self) -> None:
        while not self.events.empty():
            self.events.get()


class Announcements:
    """What Asterisk plays to the placeholders, from its full log: a prompt
    is logged on the ;2 half as it starts, and with the queue's `r` option
    the ;1 half is "ringing" again once the whole announcement is over."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.offset = 0
        self.last: dict[str, tuple[str, float]] = {}  # channel -> ("ringing" | "playing", when)
        self.since = 0.0

    def watch(self) -> None:
        """From now on (the line is about to move): what each placeholder does."""
        self.offset = self.log.stat().st_size
        self.last = {}
        self.since = time.monotonic()

    def _read(self) -> None:
        with self.log.open("rb") as log:
            log.seek(self.offset)
            text = log.read()
        self.offset += len(text)
        for match in PLACEHOLDER_SOUND.finditer(text.decode(errors="replace")):
            playing, ringing = match.groups()
            self.last[playing or ringing] = ("playing" if playing else "ringing", time.monotonic())

    def wait_quiet(self, channel: Callable[[], str], timeout: float = 40.0) -> None:
        """Until `channel` (looked up each time; the ;2 name) is past its
        announcement, or has not begun one QUIET_AFTER_MOVE seconds after the move."""

        def quiet() -> bool:
            self._read()
            kind, at = self.last.get(channel().removesuffix(";2"), ("", self.since))
            if kind == "ringing":
                return time.monotonic() - at >= 0.5  # not the ringing before a joining caller's first prompt
            return kind == "" and time.monotonic() - at >= QUIET_AFTER_MOVE

        wait_until(quiet, timeout, "the first placeholder without an announcement")

    def mark(self) -> int:
        return self.log.stat().st_size

    def cause(self, task: str, mark: int) -> str:
        """What the task's placeholder did between `mark` and ringing the agent:
        joined (placed after the agent was free: app_queue rings at once on
        joining), announcement (a prompt, or its end, after the mark), or
        re-check (nothing: app_queue looks for a free agent once a second)."""
        with self.log.open("rb") as log:
            log.seek(mark)
            text = log.read().decode(errors="replace")
        if f'Queue("Local/{task}@callback-line-' in text:
            return "joined"
        if re.search(rf"Local/{task}@callback-line-[0-9a-f]+(;2> Playing|;1 is ringing)", text):
            return "announcement"
        return "re-check"


# -- filling the desk ------------------------------------------------------------------
def task_bodies(total: int, now: float) -> list[dict[str, Any]]:
    """`total` tasks with distinct numbers: DUE_NOW per queue due at once (listed
    first, so they get the earlier places in line), the rest spread over six days."""
    due: list[tuple[str, float | None]] = [(queue, None) for queue, count in DUE_NOW.items() for _ in range(count)]
    later = total - len(due)
    spacing = 6 * 86400 / max(later, 1)
    booked: list[tuple[str, float | None]] = [(QUEUE if i % 3 else OTHER_QUEUE, now + 3600 + i * spacing)
                                              for i in range(later)]
    bodies = []
    for serial, (queue, due_at) in enumerate(due + booked):
        body: dict[str, Any] = {"queue": queue, "number": f"0912{4000000 + serial:07d}", "same_agent": False,
                                "name": f"Bench customer {serial}", "topic": "benchmark"}
        if due_at is not None:
            body["due_at"] = due_at
        bodies.append(body)
    return bodies


def fill(lead: Lead, total: int) -> float:
    """Creates the tasks through the API; seconds it took."""
    bodies = task_bodies(total, time.time())
    first = sum(DUE_NOW.values())
    began = time.monotonic()
    in_order = requests.Session()
    in_order.headers["Authorization"] = f"Bearer {lead.token}"
    for body in bodies[:first]:  # one after the other: their places in line
        post_task(in_order, lead.url, body)
    in_threads(lead, bodies[first:], lambda session, body: post_task(session, lead.url, body))
    return time.monotonic() - began


def post_task(session: requests.Session, url: str, body: dict[str, Any]) -> None:
    reply = session.post(f"{url}/api/v1/callbacks", json=body, timeout=30)
    if reply.status_code != 201:
        raise RuntimeError(f"task not created ({reply.status_code}): {reply.text}")


def cancel_all(lead: Lead) -> tuple[int, int]:
    """Every open task cancelled; (tasks, refusals)."""
    refused: list[str] = []

    def cancel(session: requests.Session, task_id: str) -> None:
        reply = session.post(f"{lead.url}/api/v1/callbacks/{task_id}/cancel", json={"reason": "benchmark over"},
                             timeout=30)
        if reply.status_code != 200:
            refused.append(task_id)

    ids = [t["id"] for t in lead.tasks()]
    in_threads(lead, ids, cancel)
    return len(ids), len(refused)


def in_threads(user: DeskUser, items: list[T], work: Callable[[requests.Session, T], None]) -> None:
    """work(session, item) for every item, FILL_THREADS at a time, one signed-in session per thread."""
    local = threading.local()

    def run(item: T) -> None:
        if not hasattr(local, "session"):
            local.session = requests.Session()
            local.session.headers["Authorization"] = f"Bearer {user.token}"
        work(local.session, item)

    with ThreadPoolExecutor(FILL_THREADS) as pool:
        list(pool.map(run, items))


# -- the list, desk side --------------------------------------------------------------
ListRow = tuple[str, list[float], list[float], int, int]  # name, ms to JSON, ms to task views, tasks, bytes


def time_list(user: DeskUser, query: str) -> tuple[list[float], list[float], int, int]:
    """Milliseconds to the parsed JSON and to the desktop's task views
    (agentdesk.desktop.link), over REPEATS; tasks and bytes of the last."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {user.token}"
    session.get(f"{user.url}/api/v1/callbacks{query}", timeout=30)  # a warm connection, like a desktop's
    to_json, to_views, count, size = [], [], 0, 0
    for _ in range(REPEATS):
        began = time.perf_counter()
        reply = session.get(f"{user.url}/api/v1/callbacks{query}", timeout=30)
        data = reply.json()
        to_json.append((time.perf_counter() - began) * 1000)
        count = len(parse_task_list(data)[0])
        to_views.append((time.perf_counter() - began) * 1000)
        size = len(reply.content)
    return to_json, to_views, count, size


def list_figures(lead: Lead, agent: DeskUser) -> list[ListRow]:
    rows = []
    for who, user in (("team lead", lead), (f"agent {AGENT} ({QUEUE})", agent)):
        for query in ("", f"?queue={QUEUE}", f"?queue={OTHER_QUEUE}"):
            rows.append((f"{who}: open{query.replace('?', ' ')}", *time_list(user, query)))
    return rows


# -- delivery ------------------------------------------------------------------------------
class Delivery:
    """Agent 1001's phone and desk, 1002 for the calls before a callback."""

    def __init__(self, pbx: Pbx) -> None:
        self.pbx = pbx
        self.phone = StampedParty("agent")
        self.phone.register(AGENT, SERVER, password=sip_secret(pbx.home, AGENT))
        self.colleague = StampedParty("colleague")
        self.colleague.register(COLLEAGUE, SERVER, password=sip_secret(pbx.home, COLLEAGUE))
        self.desk = DeskUser(AGENT)
        self.desk.join(QUEUE)
        self.desk.pause(PAUSE_REASON)
        self.failures: list[str] = []
        self.announcements = Announcements(pbx.log_dir() / "full.log")

    def placeholders_ready(self) -> None:
        """The desk service has put its placeholders back into the queue and
        (QUIET) the first of them is not in the middle of an announcement:
        app_queue plays "you are next... hold time..." to every caller on
        joining, when its position changes and every announce_seconds, and
        rings no agent for it meanwhile."""
        wait_until(lambda: len(self.placeholders()) >= PLACEHOLDERS, 15, "the callback placeholders in the queue")
        if QUIET:
            self.announcements.wait_quiet(lambda: self.placeholders()[0])
        time.sleep(random.uniform(0.2, 1.2))

    def placeholders(self) -> list[str]:
        return [c for c in waiting_channels(self.pbx, QUEUE) if "@callback-line-" in c]

    def offered(self) -> tuple[float, str]:
        """When the callback's INVITE reached the agent's phone; its task."""
        while True:
            event = self.phone.wait("incoming", timeout=OFFER_WITHIN)
            task = event["headers"].get("x-agentdesk-callback", "")
            if task:
                return float(event["at_local"]), task
            self.failures.append(f"an INVITE without a callback: {event['remote']}")

    def skip(self, task: str) -> None:
        """Paused first, so the next placeholder does not ring at once."""
        self.desk.pause(PAUSE_REASON)
        self.announcements.watch()
        reply = self.desk.call("POST", f"/api/v1/callbacks/{task}/skip", {"reason": "benchmark"})
        if reply.status_code != 200:
            self.failures.append(f"skip {reply.status_code}: {reply.text[:80]}")
        self.phone.wait_state("DISCONNECTED", timeout=10)

    def after_unpause(self) -> Offer:
        self.placeholders_ready()
        self.phone.drain()
        mark = self.announcements.mark()
        sent = time.time()
        self.desk.unpause()
        returned = time.time()
        rang, task = self.offered()
        self.skip(task)
        figures = {"from PUT returned": (rang - returned) * 1000, "from PUT sent": (rang - sent) * 1000}
        return figures, self.announcements.cause(task, mark)

    def after_call(self) -> Offer:
        self.phone.drain()
        self.announcements.watch()
        self.colleague.call(f"sip:{AGENT}@{SERVER}")
        self.phone.wait("incoming", timeout=10)
        self.phone.answer()
        self.colleague.wait_state("CONFIRMED")
        self.desk.unpause()  # busy on a call: the queue does not ring the phone
        self.placeholders_ready()
        self.phone.drain()
        mark = self.announcements.mark()
        hung_up = time.time()
        self.colleague.send("hangup")
        ended = float(self.phone.wait("call_state", timeout=10, state="DISCONNECTED")["at_local"])
        rang, task = self.offered()
        self.colleague.wait_state("DISCONNECTED")
        self.skip(task)
        figures = {"from call end at agent": (rang - ended) * 1000, "from hang-up sent": (rang - hung_up) * 1000}
        return figures, self.announcements.cause(task, mark)

    def rounds(self, kind: str, one: Callable[[], Offer]) -> list[Offer]:
        results: list[Offer] = []
        for index in range(DELIVERIES):
            try:
                results.append(one())
                first = next(iter(results[-1][0].values()))
                print(f"  {kind} {index + 1}/{DELIVERIES}: offered after {first:.1f} ms ({results[-1][1]})",
                      flush=True)
            except (AssertionError, TimeoutError) as error:
                self.failures.append(f"{kind}: {str(error).splitlines()[0][:160]}")
                print(f"  {kind} {index + 1}/{DELIVERIES}: failed: {self.failures[-1]}", flush=True)
                self.recover()
        return results

    def recover(self) -> None:
        for party in (self.phone, self.colleague):
            party.send("hangup")
        self.desk.pause(PAUSE_REASON)
        time.sleep(1)

    def close(self) -> None:
        self.desk.call("PUT", f"/api/v1/agents/{AGENT}/queues/{QUEUE}", {"logged_in": False})
        self.desk.call("PUT", f"/api/v1/agents/{AGENT}/pause", {"paused": False})
        self.desk.close()
        self.phone.close()
        self.colleague.close()


# -- report --------------------------------------------------------------------------------
def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def print_list(rows: list[ListRow]) -> None:
    print(f"\nTask list, desk side: GET /api/v1/callbacks to parsed JSON / to the desktop's task views, "
          f"{REPEATS} repeats (ms)")
    print(f"{'':40}{'tasks':>6}{'kB':>6}{'JSON p50':>10}{'p95':>7}{'max':>7}{'views p50':>11}{'p95':>7}")
    for name, to_json, to_views, count, size in rows:
        print(f"{name:40}{count:>6}{size / 1024:>6.0f}{median(to_json):>10.1f}{percentile(to_json, 0.95):>7.1f}"
              f"{max(to_json):>7.1f}{median(to_views):>11.1f}{percentile(to_views, 0.95):>7.1f}")
        if name.endswith(": open"):  # all open tasks: what a desktop fetches at sign-in
            p95 = percentile(to_views, 0.95)
            record("callback_delivery", f"list, {name}: to task views p95", p95, "ms",
                   f"within {LIST_TARGET_MS:.0f} ms", p95 <= LIST_TARGET_MS)


def print_delivery(runs: dict[str, list[Offer]], failures: list[str]) -> None:
    print(f"\nDelivery: the callback's INVITE at the free agent's phone, {DELIVERIES} rounds each (ms)")
    print(f"{'':44}{'p50':>8}{'p95':>8}{'max':>8}{'min':>8}{'ok':>5}")
    for kind, results in runs.items():
        for figure in (results[0][0] if results else {}):
            values = [figures[figure] for figures, _ in results]
            print(f"{kind + ': ' + figure:44}{median(values):>8.1f}{percentile(values, 0.95):>8.1f}"
                  f"{max(values):>8.1f}{min(values):>8.1f}{len(values):>5}")
    print("What the placeholder did after the agent was free (rounds, p50 / max ms of the first figure):")
    for kind, results in runs.items():
        causes = {cause: [next(iter(figures.values())) for figures, c in results if c == cause]
                  for cause in ("re-check", "announcement", "joined")}
        print(f"  {kind}: " + "; ".join(f"{cause} {len(values)} ({median(values):.0f} / {max(values):.0f})"
                                        for cause, values in causes.items() if values))
    for kind, results in runs.items():
        p95 = percentile([figures[HEADLINE[kind]] for figures, _ in results], 0.95)  # nan: no round offered
        record("callback_delivery", f"delivery, {kind}: {HEADLINE[kind]} p95", p95, "ms",
               f"within {DELIVERY_TARGET_MS:.0f} ms", p95 <= DELIVERY_TARGET_MS)
    if failures:
        print(f"{len(failures)} failed: " + "; ".join(sorted(set(failures))))


def measure(pbx: Pbx) -> None:
    lead = Lead()
    lead.switch(True)
    delivery: Delivery | None = None
    try:
        seconds = fill(lead, TASKS)
        print(f"{TASKS} tasks created through the API in {seconds:.1f} s ({TASKS / seconds:.0f}/s, "
              f"{FILL_THREADS} threads); load average {load_average()}", flush=True)
        delivery = Delivery(pbx)
        rows = list_figures(lead, delivery.desk)
        runs = {"unpaused": delivery.rounds("unpaused", delivery.after_unpause),
                "call ended": delivery.rounds("call ended", delivery.after_call)}
        print_list(rows)
        print_delivery(runs, delivery.failures)
    finally:
        if delivery is not None:
            delivery.close()
        began = time.monotonic()
        cancelled, refused = cancel_all(lead)
        lead.switch(False)
        lead.close()
        print(f"\n{cancelled} open tasks cancelled in {time.monotonic() - began:.1f} s ({refused} refused); "
              "callbacks switched off")


def main() -> int:
    pbx = Pbx()
    pbx.forget_desk_data()  # a fresh desk database: only this run's tasks
    pbx.start()
    # The placeholders' prompts and rings are verbose level 3; the bundled PBX
    # makes only level 2 (level 3 carries what callers key in). This PBX's
    # callers are the bench's own, so it raises the level for this run.
    pbx.cli("core set verbose 3")
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
