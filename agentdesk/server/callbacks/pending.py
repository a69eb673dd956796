"""Callback requests the dialplan kept in AstDB because the desk service
did not answer (restarting, down): `callback-pending/<caller uniqueid>` =
"<queue>|<number>|<priority>|<position>|<HHMM or empty>|<epoch pressed>".

Read with AMI DBGetTree on every (re)connect and every IMPORT_SECONDS,
turned into tasks exactly as if the dialplan had asked (the uniqueid is
the request key: importing twice stores one task), then removed by the
dialplan ([callback-pending-done]): the service's AMI user may read AstDB
but not write it.
"""

from __future__ import annotations

import asyncio
import logging

from ..ami.astdb import forget_pending, pending_entries
from ..ami.client import AmiClient
from .ivr import IvrIntake

log = logging.getLogger("agentdesk.server.callbacks")

FAMILY = "callback-pending"
IMPORT_SECONDS = 30.0


class PendingRequests:
    def __init__(self, ami: AmiClient, synced: asyncio.Event, intake: IvrIntake) -> None:
        self._ami = ami
        self._synced = synced
        self._intake = intake
        self._lock = asyncio.Lock()

    async def run(self) -> None:
        while True:
            await asyncio.sleep(IMPORT_SECONDS)
            if self._synced.is_set():
                await self.import_all()

    async def import_all(self) -> int:
        """Import every pending request; returns how many were imported."""
        async with self._lock:
            entries = await pending_entries(self._ami, FAMILY)
            imported = 0
            for uniqueid, value in entries or []:
                if await self._import(uniqueid, value):
                    imported += 1
            return imported

    async def _import(self, uniqueid: str, value: str) -> bool:
        fields = value.split("|")
        if len(fields) != 6:
            log.warning("pending callback request %s is unreadable; left in AstDB", uniqueid[:64])
            return False
        queue, number, priority, position, at, pressed = fields
        try:
            kind, task, _ = await self._intake.request(queue, number, uniqueid, _int(priority),
                                                       max(1, _int(position)), at, float(pressed or 0) or None)
        except Exception:
            log.exception("importing pending callback request %s failed; it stays in AstDB", uniqueid[:64])
            return False
        if kind not in ("ok", "merged", "refused"):
            # The caller was thanked: a request that cannot become a task as
            # it stands (a number or time the offline menu could not check)
            # stays for a person to look at (pbx/run cli "database show callback-pending").
            log.warning("pending callback request %s (%s) kept in AstDB: %s", uniqueid[:64], queue, kind)
            return False
        log.info("pending callback request %s imported from AstDB: %s %s", uniqueid[:64], kind, task)
        await self._forget(uniqueid)
        return True

    async def _forget(self, uniqueid: str) -> None:
        await forget_pending(self._ami, "callback-pending-done", uniqueid)


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return 0
