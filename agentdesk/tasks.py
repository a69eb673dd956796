"""Blocking work off the GUI thread (keyring, disk, network): run it in a
small pool and get the result back on the GUI thread (STYLE.md item 6)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal

log = logging.getLogger("agentdesk.tasks")

OnDone = Callable[[Any], None]
OnError = Callable[[Exception], None]


class TaskRunner(QObject):
    """`run(work, on_done, on_error)`: work runs on a worker thread; the
    callbacks run on the thread this object lives on (the GUI thread)."""

    _finished = Signal(object)

    def __init__(self, workers: int = 2, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="task")
        self._finished.connect(self._deliver)

    def run(self, work: Callable[[], Any], on_done: OnDone | None = None, on_error: OnError | None = None) -> None:
        def job() -> None:
            try:
                result = work()
            except Exception as error:
                if on_error is None:
                    log.exception("background task failed")
                failure = error  # `error` is unbound once the except block ends
                self._finished.emit(lambda: on_error(failure) if on_error else None)
                return
            self._finished.emit(lambda: on_done(result) if on_done else None)

        self._pool.submit(job)

    @staticmethod
    def _deliver(callback: Callable[[], None]) -> None:
        try:
            callback()
        except Exception:
            log.exception("task callback failed")

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True)
