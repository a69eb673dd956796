#!/usr/bin/env python3
"""Transfer timing: from the agent's transfer request to the customer and
the transfer target hearing each other.

The agent is the real AgentDesk phone engine (agentdesk/desktop/phone/engine.py) in
this process, headless (no window, no sound device), registered as 1001.
The customer (1002) is a SIP party (tests/peers/sipparty.py) playing
1100 Hz; the target (1003) auto-answers and plays 700 Hz: first another SIP
party, then baresip (tests/helpers/baresip.py) for comparison. For each of
BENCH_TRANSFERS transfers (default 20) of each kind:

- blind: the customer calls the agent, the agent answers and transfers the
  call to 1003 (engine.transfer), which answers at once;
- attended: the customer calls, the agent answers, dials 1003 (the customer
  hears hold music), then completes the transfer (engine.complete_transfer).

Measured from the wall-clock time just before the engine call: "customer
hears target" is the first 20 ms frame at the customer's ear carrying the
target's tone, "target hears customer" the same at the target, "both" the
later of the two. A SIP party's ear is after its jitter buffer and
conference bridge; baresip's is its sndfile dump (audio as it is decoded,
after baresip's own jitter buffer of 5-10 packets by default), polled every
2 ms. A tone counts once 3 frames in a row carry it (>= 80% of their energy
at it). Both targets offer G.722 like the customer, so Asterisk bridges
without transcoding. Figures only, no assertions.

Run: .venv/bin/python tests/bench/bench_transfer.py (AGENTDESK_TEST_PORT_OFFSET
moves the test PBX's ports).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication

from agentdesk.desktop.phone.engine import PhoneEngine
from agentdesk.desktop.phone.model import (
    AccountConfig,
    CallState,
    PhoneError,
    RegState,
)
from tests.bench.bench_screen_pop import load_average, spin_until
from tests.bench.common import REPO, median, percentile, record
from tests.helpers.baresip import Baresip, BaresipError, sip_secret
from tests.helpers.party import PartyError, SipParty
from tests.helpers.pbx import SERVER, Pbx

TRANSFERS = int(os.environ.get("BENCH_TRANSFERS", "20"))
AGENT, CUSTOMER, TARGET = "1001", "1002", "1003"
CUSTOMER_TONE, TARGET_TONE = 1100, 700
HEARD_WITHIN = 15.0  # seconds; later counts as a failed transfer
FIGURES = ("customer hears target", "target hears customer", "both")


class EarlyToneError(Exception):
    """A tone was detected before the transfer was requested (hold music
    taken for it, or a detection left over from a failed transfer)."""


@dataclass
class Run:
    """The transfers of one kind to one target."""

    kind: str
    results: list[dict[str, float]] = field(default_factory=list)  # milliseconds per figure
    failures: list[str] = field(default_factory=list)


class Target(Protocol):
    name: str

    def arm(self) -> None: ...  # start listening for the customer's tone
    def heard_at(self) -> float: ...  # when the customer's tone reached the target's ear
    def wait_free(self) -> None: ...  # the target's call has ended
    def reset(self) -> None: ...  # after a failure: no call left
    def close(self) -> None: ...


class PartyTarget:
    name = "SIP party"

    def __init__(self, pbx: Pbx) -> None:
        self.party = SipParty("target")
        self.party.register(TARGET, SERVER, password=sip_secret(pbx.home, TARGET))
        self.party.send("tone", freq=TARGET_TONE)
        self.party.send("auto_answer", on=True)

    def arm(self) -> None:
        self.party.detect(CUSTOMER_TONE)

    def heard_at(self) -> float:
        return self.party.wait_detected(CUSTOMER_TONE, timeout=HEARD_WITHIN)

    def wait_free(self) -> None:
        self.party.wait_state("DISCONNECTED")

    def reset(self) -> None:
        self.party.send("hangup")

    def close(self) -> None:
        self.party.close()


class BaresipTarget:
    name = "baresip"

    def __init__(self, pbx: Pbx, folder: Path) -> None:
        # G.722 like the customer (see tests/integration/test_transfer_interop.py
        # on attended transfers to a G.711-only target).
        self.phone = Baresip(folder, TARGET, sip_secret(pbx.home, TARGET), SERVER, tone=TARGET_TONE,
                             codecs="G722/16000/1,PCMU/8000/1")
        self.phone.start().wait_registered()

    def arm(self) -> None:
        self.phone.ear.skip_to_now()

    def heard_at(self) -> float:
        return self.phone.ear.wait_detected(CUSTOMER_TONE, timeout=HEARD_WITHIN)

    def wait_free(self) -> None:
        self.phone.wait("CALL_CLOSED")
        for dump in self.phone.ear.folder.glob("*.wav"):  # a next call in the same second reuses the name
            dump.unlink()

    def reset(self) -> None:
        self.phone.hangup()

    def close(self) -> None:
        self.phone.close()


class HeadlessAgent:
    """AgentDesk's phone engine as the agent, driven through its commands."""

    def __init__(self, pbx: Pbx) -> None:
        self.engine = PhoneEngine(None, "AgentDesk-bench")
        self.engine.start(SERVER)
        self.engine.configure(AccountConfig(SERVER, AGENT, sip_secret(pbx.home, AGENT)))
        spin_until(lambda: self.engine.account.state is RegState.REGISTERED, 15, "registration")

    def _wait_call(self, check: Callable[[int, CallState, bool], bool], what: str) -> int:
        found: list[int] = []

        def match() -> bool:
            found[:] = [c.call_id for c in self.engine.live_calls() if check(c.call_id, c.state, c.has_audio)]
            return bool(found)

        spin_until(match, 15, what)
        return found[0]

    def answer(self) -> int:
        call_id = self._wait_call(lambda _, state, __: state is CallState.RINGING_IN, "incoming call")
        self.engine.answer(call_id)
        self._wait_call(lambda cid, state, audio: cid == call_id and state is CallState.ACTIVE and audio,
                        "answered call")
        return call_id

    def consult(self, customer_id: int) -> int:
        self.engine.dial(TARGET)
        return self._wait_call(lambda cid, state, audio: cid != customer_id and state is CallState.ACTIVE and audio,
                               "consultation call")

    def wait_idle(self) -> None:
        spin_until(lambda: not self.engine.live_calls(), 15, "the agent without calls")

    def reset(self) -> None:
        for call in self.engine.live_calls():
            self.engine.hangup(call.call_id)

    def close(self) -> None:
        stopped: list[bool] = []
        self.engine.stopped.connect(lambda: stopped.append(True))
        self.engine.shutdown()
        spin_until(lambda: bool(stopped), 15, "engine shutdown")
        self.engine.wait_stopped()


def one_transfer(agent: HeadlessAgent, customer: SipParty, target: Target, attended: bool) -> dict[str, float]:
    """One customer call transferred to the target; milliseconds per figure."""
    customer.call(f"sip:{AGENT}@{SERVER}")
    call_id = agent.answer()
    customer.wait_state("CONFIRMED")
    consult_id = agent.consult(call_id) if attended else 0
    customer.detect(TARGET_TONE)
    target.arm()
    requested = time.time()
    if attended:
        agent.engine.complete_transfer(call_id, consult_id)
    else:
        agent.engine.transfer(call_id, TARGET)
    target_heard = target.heard_at()
    customer_heard = customer.wait_detected(TARGET_TONE, timeout=HEARD_WITHIN)
    if min(target_heard, customer_heard) < requested:  # hold music mistaken for a tone
        raise EarlyToneError("a tone was heard before the transfer was requested")
    customer.send("hangup")
    customer.wait_state("DISCONNECTED")
    target.wait_free()
    agent.wait_idle()
    return {"customer hears target": (customer_heard - requested) * 1000,
            "target hears customer": (target_heard - requested) * 1000,
            "both": (max(customer_heard, target_heard) - requested) * 1000}


def recover(agent: HeadlessAgent, customer: SipParty, target: Target) -> None:
    """After a failed transfer: every call ended before the next one."""
    customer.send("hangup")
    target.reset()
    agent.reset()
    agent.wait_idle()
    time.sleep(1)  # late BYEs and NOTIFYs of the failed attempt
    while not customer.events.empty():  # e.g. a detection that came after the time-out
        customer.events.get()


def measure(agent: HeadlessAgent, customer: SipParty, target: Target, attended: bool) -> Run:
    run = Run(f"{'attended' if attended else 'blind'} to {target.name}")
    for index in range(TRANSFERS):
        try:
            run.results.append(one_transfer(agent, customer, target, attended))
            print(f"  {run.kind} {index + 1}/{TRANSFERS}: both hear each other after "
                  f"{run.results[-1]['both']:.1f} ms", flush=True)
        except (PartyError, BaresipError, TimeoutError, PhoneError, EarlyToneError) as error:
            run.failures.append(str(error).splitlines()[0])
            print(f"  {run.kind} {index + 1}/{TRANSFERS}: failed: {run.failures[-1]}", flush=True)
            recover(agent, customer, target)
    return run


def report(runs: list[Run], load: str) -> None:
    print(f"\nTransfer to audio flowing, from the agent's request: {TRANSFERS} transfers per row; "
          f"load average {load}; {os.cpu_count()} CPUs")
    print(f"{'':26}{'':24}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'ok':>5}")
    for run in runs:
        for figure in FIGURES:
            values = [r[figure] for r in run.results]
            print(f"{run.kind:26}{figure:24}{median(values):>9.1f}{percentile(values, 0.95):>9.1f}"
                  f"{max(values, default=float('nan')):>9.1f}{len(values):>5}")
        # No target stated; the baresip rows are another target phone, not a peer of AgentDesk's.
        record("transfer", f"{run.kind}: both hear each other p50", median([r["both"] for r in run.results]), "ms",
               "", None)
        if run.failures:
            print(f"{run.kind}: {len(run.failures)} failed: " + "; ".join(sorted(set(run.failures))))


def measure_all(pbx: Pbx, folder: Path) -> list[Run]:
    agent = HeadlessAgent(pbx)
    customer = SipParty("customer")
    runs: list[Run] = []
    try:
        customer.register(CUSTOMER, SERVER, password=sip_secret(pbx.home, CUSTOMER))
        customer.send("tone", freq=CUSTOMER_TONE)
        for make in (lambda: PartyTarget(pbx), lambda: BaresipTarget(pbx, folder / "baresip")):
            target: Target = make()
            try:
                runs += [measure(agent, customer, target, attended) for attended in (False, True)]
            finally:
                target.close()
    finally:
        customer.close()
        agent.close()
    return runs


def main() -> int:
    app = QCoreApplication([])
    pbx = Pbx()
    pbx.start()
    load_before = load_average()
    try:
        with tempfile.TemporaryDirectory() as folder:
            runs = measure_all(pbx, Path(folder))
    finally:
        pbx.stop()
    report(runs, f"{load_before} before, {load_average()} after")
    del app
    return 0


if __name__ == "__main__":
    os.chdir(REPO)
    sys.exit(main())
