"""Agents' queue membership and pause state: the commands desktops send,
and keeping Asterisk in line with what the agents asked for.

The store holds what each agent asked for (queues, phone, pause and reason);
Asterisk holds what is. A command is acknowledged only once both agree
(AMI action succeeded, store written). After every AMI (re)connect —
Asterisk restarted, or the service did — `reconcile` re-applies the stored
wishes, so agents are back in their queues with the right pause state.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from ..ami.client import AmiError
from ..runtime import StoreAccess
from ..store import Membership, PauseState
from .board import QueueBoard

log = logging.getLogger("agentdesk.server.queues")

T = TypeVar("T")


class Ami(Protocol):
    async def action(self, name: str, timeout: float = 5.0, **fields: Any) -> Any: ...


class CommandError(Exception):
    """A command that cannot be done; `status` is the HTTP status to answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status

class AgentDirector:
    def __init__(self, ami: Ami, board: QueueBoard, db: StoreAccess, clock: Callable[[], float]) -> None:
        self._ami = ami
        self._board = board
        self._db = db
        self._clock = clock

    async def login(self, agent: str, queue: str, phone: str) -> None:
        if queue not in self._board.queues:
            raise CommandError(404, f"there is no queue named {queue!r}")
        pause = (await self._db(lambda s: s.agents.pause_states())).get(agent)
        kept = [m.penalty for m in await self._db(lambda s: s.agents.memberships(agent)) if m.queue == queue]
        await self._ami_call(
            "QueueAdd",
            Queue=queue,
            Interface=f"PJSIP/{phone}",
            MemberName=agent,
            StateInterface=f"PJSIP/{phone}",
            Paused="true" if pause and pause.paused else "false",
            Reason=pause.reason if pause and pause.paused else "",
            Penalty=str(kept[0] if kept else 0),
        )
        now = self._clock()
        await self._db(lambda s: s.agents.add_membership(agent, queue, phone, now))

    async def logout(self, agent: str, queue: str) -> None:
        member = self._board.queues.get(queue, None)
        interface = member.members[agent].interface if member and agent in member.members else None
        if interface is not None:
            await self._ami_call("QueueRemove", Queue=queue, Interface=interface)
        await self._db(lambda s: s.agents.remove_membership(agent, queue))

    async def set_penalty(self, agent: str, queue: str, penalty: int) -> None:
        """A team lead's penalty for the agent in `queue` (they must be in
        it), kept so every later reconcile passes it back to Asterisk."""
        member = self._board.queues[queue].members.get(agent) if queue in self._board.queues else None
        if member is None:
            raise CommandError(409, f"agent {agent} is not logged in to queue {queue!r}")
        await self._ami_call("QueuePenalty", Queue=queue, Interface=member.interface, Penalty=str(penalty))
        if not await self._db(lambda s: s.agents.set_penalty(agent, queue, penalty)):
            log.warning("%s's penalty in %s reached Asterisk but not the store: not logged in through the desk",
                        agent, queue)

    async def pause(self, agent: str, paused: bool, reason: str) -> None:
        for queue, member in self._board.memberships_of(agent).items():
            await self._ami_call(
                "QueuePause", Queue=queue, Interface=member.interface, Paused=str(paused).lower(), Reason=reason
            )
        now = self._clock()
        await self._db(lambda s: s.agents.set_pause(agent, paused, reason if paused else "", now))

    async def reconcile(self) -> None:
        """Make Asterisk's members match the stored wishes (after a resync)."""
        wanted: list[Membership] = await self._db(lambda s: s.agents.memberships())
        pauses: dict[str, PauseState] = await self._db(lambda s: s.agents.pause_states())
        wanted_keys = {(m.queue, m.agent) for m in wanted}
        for membership in wanted:
            await self._reconcile_one(membership, pauses.get(membership.agent))
        for queue in self._board.queues.values():
            for agent, member in list(queue.members.items()):
                if (queue.name, agent) not in wanted_keys:
                    log.info("removing %s from %s: not logged in through the desk", agent, queue.name)
                    await self._try("QueueRemove", Queue=queue.name, Interface=member.interface)

    async def _reconcile_one(self, membership: Membership, pause: PauseState | None) -> None:
        queue = self._board.queues.get(membership.queue)
        if queue is None:
            log.warning("%s wants queue %s, which no longer exists", membership.agent, membership.queue)
            return
        paused = bool(pause and pause.paused)
        reason = pause.reason if pause and pause.paused else ""
        member = queue.members.get(membership.agent)
        if member is None:
            log.info("putting %s back into %s", membership.agent, membership.queue)
            await self._try(
                "QueueAdd", Queue=queue.name, Interface=f"PJSIP/{membership.phone}", MemberName=membership.agent,
                StateInterface=f"PJSIP/{membership.phone}", Paused=str(paused).lower(), Reason=reason,
                Penalty=str(membership.penalty),
            )
            return
        if member.paused != paused or (paused and member.reason != reason):
            await self._try(
                "QueuePause", Queue=queue.name, Interface=member.interface, Paused=str(paused).lower(), Reason=reason
            )
        if member.penalty != membership.penalty:
            await self._try("QueuePenalty", Queue=queue.name, Interface=member.interface,
                            Penalty=str(membership.penalty))

    async def _ami_call(self, name: str, **fields: str) -> None:
        try:
            await self._ami.action(name, 5.0, **fields)
        except AmiError as error:
            log.warning("%s failed: %s", name, error)
            raise CommandError(503, f"the PBX did not accept {name}: {error}") from None

    async def _try(self, name: str, **fields: str) -> None:
        try:
            await self._ami.action(name, 5.0, **fields)
        except AmiError as error:
            log.warning("reconcile: %s failed: %s", name, error)
