"""Simulated customers calling the queues, made by Asterisk itself.

Each customer is a call file whose Local channel has two halves: one dials
the queue's number in [customers], exactly the path a real customer takes;
the other, [demo-customer] in extensions.conf, is the customer. It plays a
tone of its own (450 + 75*k Hz, so a test or a listener can tell callers
apart; never 1004 Hz), gives up after `patience` seconds if no agent has
answered (queue_log ABANDON), and hangs up `talk` seconds after one did.

Names and numbers rotate through resources/demo/customers.csv; the rotation
goes on across runs (state/demo-callers.next).
"""

from __future__ import annotations

import csv
import fcntl
import json
import random
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from . import runner
from .layout import PBX_DIR, Layout, PbxError
from .queues import QueueSettings

CUSTOMERS_FILE = PBX_DIR.parent / "resources" / "demo" / "customers.csv"
FIRST_TONE_HZ = 450
TONE_STEP_HZ = 75
TONES = 16  # 450 ... 1575 Hz, then again
SHORTEST_PATIENCE = 3


@dataclass(frozen=True)
class DemoCustomer:
    """One simulated caller, as printed (one JSON line each)."""

    number: str
    name: str
    queue: str
    tone_hz: int
    patience: int
    talk: int


@dataclass(frozen=True)
class CallerPlan:
    """What `pbx/run callers` was asked for."""

    queue: QueueSettings
    count: int = 1
    interval: float = 1.5
    patience: int = 90
    talk: int = 20
    abandon_share: float = 0.0
    number: str | None = None
    name: str | None = None
    forever: bool = False


def read_customers(path: Path = CUSTOMERS_FILE) -> list[tuple[str, str]]:
    """(number, name) of the demo CRM's customers."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if line.strip() and not line.startswith("#"))
        customers = [(row["number"].strip(), row["name"].strip()) for row in rows]
    usable = [(n, name) for n, name in customers if runner.is_plain_caller_id(n, name)]
    if not usable:
        raise PbxError(f"{path}: no usable customer (number,name)")
    return usable


def tone_for(index: int) -> int:
    return FIRST_TONE_HZ + TONE_STEP_HZ * (index % TONES)


def take_indexes(layout: Layout, count: int) -> range:
    """The next `count` positions of the rotation, shared by every run."""
    path = layout.state / "demo-callers.next"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        text = handle.read().strip()
        first = int(text) if text.isdigit() else 0
        handle.seek(0)
        handle.truncate()
        handle.write(f"{first + count}\n")
    return range(first, first + count)


def make_customer(plan: CallerPlan, index: int, customers: list[tuple[str, str]], rng: random.Random) -> DemoCustomer:
    number, name = customers[index % len(customers)]
    if plan.number is not None:
        number = plan.number
        name = plan.name or dict(customers).get(number, "Demo Customer")
    elif plan.name is not None:
        name = plan.name
    patience, talk = plan.patience, plan.talk
    if plan.forever:  # a livelier demo: everybody a little different
        patience = rng.randint(max(SHORTEST_PATIENCE, patience // 2), max(SHORTEST_PATIENCE, patience * 3 // 2))
        talk = rng.randint(max(1, talk // 2), max(1, talk * 3 // 2))
    if rng.random() < plan.abandon_share:
        patience = rng.randint(SHORTEST_PATIENCE, max(SHORTEST_PATIENCE, plan.patience // 3))
    return DemoCustomer(number, name, plan.queue.name, tone_for(index), patience, talk)


def call_file(customer: DemoCustomer, extension: str) -> str:
    return (
        f"Channel: Local/{extension}@customers/n\n"
        f'CallerID: "{customer.name}" <{customer.number}>\n'
        "MaxRetries: 0\n"
        f"WaitTime: {customer.patience + 15}\n"
        "Context: demo-customer\nExtension: s\nPriority: 1\n"
        f"Setvar: DEMO_TONE_HZ={customer.tone_hz}\n"
        f"Setvar: DEMO_PATIENCE={customer.patience}\n"
        f"Setvar: DEMO_TALK={customer.talk}\n"
    )


def place(layout: Layout, customer: DemoCustomer, extension: str) -> None:
    runner.spool_call(layout, f"customer-{customer.queue}", call_file(customer, extension))


def arrivals(plan: CallerPlan, rng: random.Random) -> Iterator[float]:
    """Seconds to wait before each caller: a fixed interval, or (forever) a
    random arrival process with that mean."""
    yield 0.0
    placed = 1
    while plan.forever or placed < plan.count:
        yield rng.expovariate(1.0 / plan.interval) if plan.forever else plan.interval
        placed += 1


def run(layout: Layout, plan: CallerPlan, rng: random.Random | None = None) -> None:
    """Place the callers, printing one JSON line per caller placed."""
    check(plan)
    rng = rng or random.Random()
    customers = read_customers()
    for delay in arrivals(plan, rng):
        time.sleep(delay)
        index = take_indexes(layout, 1)[0]
        customer = make_customer(plan, index, customers, rng)
        place(layout, customer, plan.queue.extension)
        print(json.dumps(asdict(customer), ensure_ascii=False), flush=True)


def check(plan: CallerPlan) -> None:
    if plan.count < 1 or plan.interval <= 0 or plan.patience < 1 or plan.talk < 1:
        raise PbxError("count, interval, patience and talk must be positive")
    if not 0.0 <= plan.abandon_share <= 1.0:
        raise PbxError("--abandon-share is a share between 0 and 1")
    if plan.number is not None and not runner.is_plain_caller_id(plan.number, plan.name or ""):
        raise PbxError("--number must be digits (a leading + allowed) and --name plain text")
    if plan.name is not None and not runner.is_plain_caller_id("0", plan.name):
        raise PbxError("--name must be plain text")
