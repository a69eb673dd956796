"""Agents' transfers, from AMI: every blind, attended, conference and
voicemail transfer becomes one TransferRecord in the store, for the
transfer rate KPI (transfers per answered queue call, by agent and queue).

What Asterisk 22 tells (field names as seen on the bundled PBX):

- `BlindTransfer` (an agent's REFER): Transferer* is the agent's channel,
  Transferee* the party it was bridged with (the customer), Context and
  Extension where the call goes (Context "transfer", Extension "1003",
  "7001" or "*1003" for a mailbox), Result "Success" or else. A REFER the
  dialplan refuses (404) makes no event at all. Extension "*55" is the
  agent handing the caller to the post-call survey: the end of the call,
  not a transfer, so it is not recorded (the survey log has it).
- `AttendedTransfer` (REFER with Replaces): OrigTransferer* and
  SecondTransferer* are the agent's two channels, Transferee* the party
  bridged with OrigTransferer (the leg the REFER came on), TransferTarget*
  the one bridged with SecondTransferer. Which of the two is the customer
  depends on which call the phone sent the REFER on, so it is decided here
  (the one with a queue call, else the one of the agent's older leg).
- `UserEvent` AgentDeskTransferReturned (pbx [transfer-ring]): Call (the
  customer's UNIQUEID), By (the agent's phone), To, Status (DIALSTATUS): a
  blind transfer came back; its result becomes "returned:<Status>".
- A conference: two BlindTransfers from the agent's phone into
  Context "transfer", Extension "room<extension>", one per leg (customer,
  consulted party), in either order; one "conference" record whose target
  is the consulted party.

`TransferTracker` is the pure logic; `TransferLog` runs it in order with
the call log (so "which queue call is this caller on" is answered as of
the transfer) and writes what it yields.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from agentdesk.contract.states import (
    TRANSFER_ACCEPTED,
    TRANSFER_ATTENDED,
    TRANSFER_BLIND,
    TRANSFER_CONFERENCE,
    TRANSFER_FAILED,
    TRANSFER_RETURNED,
    TRANSFER_VOICEMAIL,
)

from .ami.fields import event_time
from .ami.protocol import AmiMessage
from .queues.calllog import CallLog, QueueVisit
from .runtime import StoreAccess
from .store import StoreError, TransferRecord

log = logging.getLogger("agentdesk.server")

TRANSFER_CONTEXT = "transfer"
CONFERENCE_ROOM = re.compile(r"room[0-9]+")
RETURNED_EVENT = "AgentDeskTransferReturned"
SURVEY_EXTENSION = "*55"  # [transfer] *55: the caller's post-call survey
# How long the first leg of a conference waits for the second; a lone leg is
# then recorded by itself (target unknown).
CONFERENCE_PAIR_SECONDS = 10.0

AgentOf = Callable[[str], str | None]
VisitOf = Callable[[str], QueueVisit | None]


@dataclass(frozen=True)
class Party:
    """A channel on the far side of the agent: its uniqueid and number."""

    uniqueid: str
    number: str


@dataclass(frozen=True)
class Returned:
    """A blind transfer of customer channel `uniqueid` to `target` came back."""

    uniqueid: str
    target: str
    result: str


@dataclass(frozen=True)
class RoomLeg:
    """One leg of a conference, waiting for the other."""

    at: float
    transfer_id: str
    agent: str
    phone: str
    agent_leg: str  # the agent channel's uniqueid
    party: Party
    visit: QueueVisit | None
    success: bool


Outcome = TransferRecord | Returned


def is_transfer_event(event: AmiMessage) -> bool:
    if event.name in ("BlindTransfer", "AttendedTransfer"):
        return True
    return event.name == "UserEvent" and event.get("UserEvent") == RETURNED_EVENT


def phone_of(channel: str) -> str:
    """The endpoint of a channel name: "PJSIP/1001-00000004" -> "1001"."""
    endpoint = channel.split("/", 1)[-1]
    return endpoint.rsplit("-", 1)[0] if "-" in endpoint else endpoint


def leg_age(uniqueid: str) -> tuple[int, int]:
    """A sort key: lower for a channel created earlier ("<epoch>.<sequence>",
    perhaps behind a system name); unreadable ids sort last."""
    found = re.search(r"([0-9]+)\.([0-9]+)$", uniqueid)
    return (int(found.group(1)), int(found.group(2))) if found else (2**63, 0)


def party(event: AmiMessage, prefix: str) -> Party:
    return Party(event.get(f"{prefix}Uniqueid"), event.get(f"{prefix}CallerIDNum"))


class TransferTracker:
    """AMI events in, transfer outcomes out (pure; no I/O, no clock).

    `agent_of(phone)` names the agent on a phone (None: not an agent's
    phone, the transfer is not recorded); `visit_of(uniqueid)` is the call
    log's answered queue call of a caller channel. Invariant: each transfer
    yields exactly one record; a conference's first leg is held until its
    second arrives or `expire` lets it go alone."""

    def __init__(self, agent_of: AgentOf, visit_of: VisitOf) -> None:
        self._agent_of = agent_of
        self._visit_of = visit_of
        self._rooms: dict[tuple[str, str], RoomLeg] = {}  # (phone, room) -> first leg

    @property
    def waiting(self) -> bool:
        """A conference leg waits for its pair."""
        return bool(self._rooms)

    def handle(self, event: AmiMessage, now: float) -> list[Outcome]:
        if event.name == "BlindTransfer":
            return self._blind(event, event_time(event, now))
        if event.name == "AttendedTransfer":
            return self._attended(event, event_time(event, now))
        if event.name == "UserEvent" and event.get("UserEvent") == RETURNED_EVENT:
            status = event.get("Status") or "UNKNOWN"
            return [Returned(event.get("Call"), event.get("To"), TRANSFER_RETURNED + status)]
        return []

    def expire(self, now: float) -> list[Outcome]:
        """Conference legs whose pair did not come in time, recorded alone."""
        stale = [key for key, leg in self._rooms.items() if leg.at <= now - CONFERENCE_PAIR_SECONDS]
        return [self._conference(self._rooms.pop(key), None) for key in stale]

    # -- blind, voicemail and conference legs ----------------------------------
    def _blind(self, event: AmiMessage, at: float) -> list[Outcome]:
        phone = phone_of(event.get("TransfererChannel"))
        agent = self._agent(phone, event)
        if agent is None:
            return []
        extension, success = event.get("Extension"), event.get("Result") == "Success"
        if event.get("Context") == TRANSFER_CONTEXT and extension == SURVEY_EXTENSION:
            log.info("%s handed %s to the post-call survey: not a transfer", agent,
                     event.get("TransfereeUniqueid")[:64])
            return []
        customer = party(event, "Transferee")
        if not customer.uniqueid:  # no single party on the far side: the call is the agent leg's
            customer = Party(event.get("TransfererLinkedid"), event.get("TransfererConnectedLineNum"))
        transfer_id = _transfer_id(event, "TransfererUniqueid", at)
        if event.get("Context") == TRANSFER_CONTEXT and CONFERENCE_ROOM.fullmatch(extension):
            leg = RoomLeg(at, transfer_id, agent, phone, event.get("TransfererUniqueid"), customer,
                          self._visit_of(customer.uniqueid), success)
            return self._room_leg(extension, leg)
        kind = TRANSFER_VOICEMAIL if extension.startswith("*") else TRANSFER_BLIND
        return [self._record(transfer_id, at, kind, agent, phone, customer, extension.lstrip("*"), success)]

    def _room_leg(self, room: str, leg: RoomLeg) -> list[Outcome]:
        first = self._rooms.pop((leg.phone, room), None)
        if first is None:
            self._rooms[(leg.phone, room)] = leg
            return []
        # The customer's leg: the one with a queue call, else the agent's older call.
        if first.visit is not None or (leg.visit is None and leg_age(first.agent_leg) <= leg_age(leg.agent_leg)):
            return [self._conference(first, leg)]
        return [self._conference(leg, first)]

    def _conference(self, customer: RoomLeg, consulted: RoomLeg | None) -> TransferRecord:
        target = consulted.party.number if consulted is not None else ""
        success = customer.success and (consulted is None or consulted.success)
        return self._record(customer.transfer_id, customer.at, TRANSFER_CONFERENCE, customer.agent, customer.phone,
                            customer.party, target, success, customer.visit)

    # -- attended --------------------------------------------------------------
    def _attended(self, event: AmiMessage, at: float) -> list[Outcome]:
        phone = phone_of(event.get("OrigTransfererChannel") or event.get("SecondTransfererChannel"))
        agent = self._agent(phone, event)
        if agent is None:
            return []
        held, consulted = party(event, "Transferee"), party(event, "TransferTarget")
        held_visit, consulted_visit = self._visit_of(held.uniqueid), self._visit_of(consulted.uniqueid)
        orig_older = leg_age(event.get("OrigTransfererUniqueid")) <= leg_age(event.get("SecondTransfererUniqueid"))
        if held_visit is None and (consulted_visit is not None or not orig_older):
            held, consulted, held_visit = consulted, held, consulted_visit
        target = consulted.number or event.get("SecondTransfererConnectedLineNum")
        transfer_id = _transfer_id(event, "OrigTransfererUniqueid", at)
        success = event.get("Result") == "Success"
        return [self._record(transfer_id, at, TRANSFER_ATTENDED, agent, phone, held, target, success, held_visit)]

    # -- shared ----------------------------------------------------------------
    def _agent(self, phone: str, event: AmiMessage) -> str | None:
        agent = self._agent_of(phone)
        if agent is None:
            log.info("%s from phone %s, which is no agent's: not recorded", event.name, phone[:40])
        return agent

    def _record(self, transfer_id: str, at: float, kind: str, agent: str, phone: str, customer: Party,
                target: str, success: bool, visit: QueueVisit | None = None) -> TransferRecord:
        """The record; `visit` is looked up now unless the caller did earlier."""
        visit = visit or self._visit_of(customer.uniqueid)
        return TransferRecord(
            transfer_id=transfer_id,
            at=at,
            kind=kind,
            agent=agent,
            phone=phone,
            call=visit.key if visit else customer.uniqueid,
            uniqueid=customer.uniqueid,
            queue=visit.queue if visit else "",
            target=target,
            result=TRANSFER_ACCEPTED if success else TRANSFER_FAILED,
        )


def _transfer_id(event: AmiMessage, leg_field: str, at: float) -> str:
    """The agent leg and the event's time: unique per transfer, the same for
    a replay of the same event."""
    return f"{event.get(leg_field)}@{event.get('Timestamp') or f'{at:.6f}'}"


class TransferLog:
    """Records agents' transfers in the store, each after the call events
    that came before it (`CallLog.in_order`); conference legs that wait for
    their pair are let go by a timer."""

    def __init__(self, db: StoreAccess, calls: CallLog, agent_of: AgentOf, clock: Callable[[], float]) -> None:
        self._db = db
        self._calls = calls
        self._clock = clock
        self.tracker = TransferTracker(agent_of, calls.visit_of)
        self._timer: asyncio.TimerHandle | None = None

    def handle(self, event: AmiMessage) -> None:
        if is_transfer_event(event):
            self._calls.in_order(self._record, event)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    async def _record(self, event: AmiMessage) -> None:
        await self._write(self.tracker.handle(event, self._clock()))
        if self.tracker.waiting and self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(CONFERENCE_PAIR_SECONDS, self._time_up, event)

    def _time_up(self, event: AmiMessage) -> None:
        self._timer = None
        self._calls.in_order(self._expire, event)

    async def _expire(self, event: AmiMessage) -> None:
        await self._write(self.tracker.expire(self._clock()))
        if self.tracker.waiting and self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(1.0, self._time_up, event)

    async def _write(self, outcomes: list[Outcome]) -> None:
        for outcome in outcomes:
            try:
                await self._save(outcome)
            except StoreError:
                log.exception("recording a transfer failed: %s", outcome)

    async def _save(self, outcome: Outcome) -> None:
        if isinstance(outcome, TransferRecord):
            await self._db(lambda s: s.calls.add_transfer(outcome))
            log.info("%s transfer by %s of %s to %s: %s", outcome.kind, outcome.agent, outcome.call,
                     outcome.target, outcome.result)
            return
        found = await self._db(lambda s: s.calls.return_transfer(outcome.uniqueid, outcome.target, outcome.result))
        if found:
            log.info("the transfer of %s to %s came back: %s", outcome.uniqueid, outcome.target, outcome.result)
        else:
            log.info("a returned transfer of %s to %s matches no recorded transfer", outcome.uniqueid[:40],
                     outcome.target[:40])


# -- the transfer rate KPI ------------------------------------------------------
@dataclass
class TransferRate:
    """An agent's or a queue's transfer rate over a period.

    `answered`: queue calls connected to an agent (day_stats' "answered");
    `transfers`: transfers of queue calls that did not fail (one that came
    back still counts: the agent handed the call on); `returned`: of those,
    the ones that came back; `direct`: transfers of calls that did not come
    from a queue, outside the rate."""

    answered: int = 0
    transfers: int = 0
    returned: int = 0
    direct: int = 0

    @property
    def rate(self) -> float | None:
        """transfers / answered (None while nothing was answered)."""
        return round(self.transfers / self.answered, 4) if self.answered else None


@dataclass(frozen=True)
class TransferKpi:
    agents: dict[str, TransferRate]
    queues: dict[str, TransferRate]


def transfer_kpi(transfers: list[TransferRecord], answered: dict[tuple[str, str], int]) -> TransferKpi:
    """The rates by agent and by queue from a period's transfers and its
    answered queue calls by (queue, agent) (Store.answered_counts)."""
    agents: dict[str, TransferRate] = {}
    queues: dict[str, TransferRate] = {}
    for (queue, agent), count in answered.items():
        agents.setdefault(agent, TransferRate()).answered += count
        queues.setdefault(queue, TransferRate()).answered += count
    for transfer in transfers:
        if transfer.result == TRANSFER_FAILED:
            continue
        by_agent = agents.setdefault(transfer.agent, TransferRate())
        if not transfer.queue:
            by_agent.direct += 1
            continue
        by_queue = queues.setdefault(transfer.queue, TransferRate())
        back = int(transfer.result.startswith(TRANSFER_RETURNED))
        for rate in (by_agent, by_queue):
            rate.transfers += 1
            rate.returned += back
    return TransferKpi(agents, queues)
