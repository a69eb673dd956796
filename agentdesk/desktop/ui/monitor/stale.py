"""Whether what the monitor shows is live: a board or wallboard must never
pass old figures off as now.

Stale when the monitor stream is down, when the desk service says it has
lost Asterisk (pbx_connected false), or when no tick (sent every 5 s) has
come for TICK_SILENCE seconds. A lost stream or a lost PBX ends only with
the next floor snapshot (the service sends one on every connection and
after reaching Asterisk again): updates may have been missed. Silence alone
ends with the next tick (the stream is in order; nothing was lost).

Signal `changed(bool)`; `since` is the local time of the last live news.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

from agentdesk.contract.monitor import FloorSnapshot, Tick

from ..common.when import time_text

TICK_SILENCE = 12.0


class Staleness(QObject):
    changed = Signal(bool)

    def __init__(self, clock: Callable[[], float] = time.time, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._clock = clock
        self.stale = True  # nothing shown is live before the first floor
        self.since = clock()
        self._last_news = clock()
        self._needs_floor = True
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self.check)
        self._timer.start()

    def floor(self, floor: FloorSnapshot) -> None:
        self._needs_floor = not floor.pbx_connected
        self._heard()

    def tick(self, tick: Tick) -> None:
        if not tick.pbx_connected:
            self._needs_floor = True
            self._set(True)
            return
        self._heard()

    def link_changed(self, problem: str) -> None:
        """'' once connected (live again only with the floor that follows), else why not."""
        if problem:
            self._needs_floor = True
            self._set(True)

    def check(self) -> None:
        if not self.stale and self._clock() - self._last_news > TICK_SILENCE:
            self._set(True)

    def text(self) -> str:
        """'Stale since 14:02 — reconnecting' ('' while live)."""
        if not self.stale:
            return ""
        return QCoreApplication.translate("Wallboard", "Stale since %1 — reconnecting").replace(
            "%1", time_text(self.since))

    def _heard(self) -> None:
        self._last_news = self._clock()
        if not self._needs_floor:
            self._set(False)

    def _set(self, stale: bool) -> None:
        if stale == self.stale:
            return
        if stale:
            self.since = self._last_news
        self.stale = stale
        self.changed.emit(stale)
