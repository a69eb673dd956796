"""Blocking work off the GUI thread (keyring, disk, network): run it in a
small pool and get the result back on the GUI thread."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal

from .threadname import name_this_thread

log = logging.getLogger("agentdesk.desktop")

OnDone = Callable[[Any], None]
OnError = Callable[[Exception], None]


class TaskRunner(QObject):
    """`run(work, on_done, on_error)`: work runs on a worker thread; the
    callbacks run on the thread this object lives on (the GUI thread).

    Invariant: once `shutdown()` has returned, no worker emits `_finished`
    any more, so work still running after `shutdown(wait=False)` can finish
    after this object (and its C++ side) is gone without touching it."""

    _finished = Signal(object)

    def __init__(self, workers: int = 2, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="task", initializer=name_this_thread,
                                        initargs=("ad-task",))
        self._closed = False
        self._emit_lock = threading.Lock()  # a result is either handed over before shutdown or never
        self._finished.connect(self._deliver)

    def run(self, work: Callable[[], Any], on_done: OnDone | None = None, on_error: OnError | None = None) -> None:
        def job() -> None:
            try:
                result = work()
            except Exception as error:
                if on_error is None:
                    log.exception("background task failed")
                failure = error  # `error` is unbound once the except block ends
                self._hand_over(lambda: on_error(failure) if on_error else None)
                return
            self._hand_over(lambda: on_done(result) if on_done else None)

        self._pool.submit(job)

    def _hand_over(self, callback: Callable[[], None]) -> None:
        """Queue the callback for the GUI thread, unless shut down already."""
        with self._emit_lock:
            if self._closed:
                log.debug("dropping the result of a task that finished after shutdown")
                return
            self._finished.emit(callback)

    @staticmethod
    def _deliver(callback: Callable[[], None]) -> None:
        try:
            callback()
        except Exception:
            log.exception("task callback failed")

    def shutdown(self, wait: bool = True, cancel: bool = False) -> None:
        """Stop taking work. By default run everything queued and wait for it.
        `cancel=True` drops work that has not started; `wait=False` returns at
        once and drops the results of work still running (it ends on its own)."""
        self._pool.shutdown(wait=wait, cancel_futures=cancel)
        with self._emit_lock:
            self._closed = True
