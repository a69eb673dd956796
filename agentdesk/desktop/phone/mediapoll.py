"""RTP sockets polled only while there is a call.

pjmedia's own worker thread polls the RTP sockets every 10 ms whether or
not there is a call: about a hundred wake-ups a second on an idle phone,
measured as the idle desktop's largest cost (pjsua starts that worker
whatever its configuration says, when pjmedia has sockets of its own).
`MediaPoller` stops it and polls the same sockets itself
(pj_ioqueue_poll, in C through cffi, without the GIL) while a call
exists; without one its thread sleeps on an Event and costs nothing.

In a call the poll returns for each RTP packet that arrives (50 a second
for 20 ms frames), so the Python between two polls is kept to a loop test.
The SIP thread says when calls exist (`want`); `stop()` ends the thread
before pjsua2 is destroyed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from ..audio.native import ffi
from ..threadname import name_this_thread
from .mediaclock import MediaLibrary

log = logging.getLogger("agentdesk.desktop.phone")

POLL_MS = 100  # the longest a poll waits: how soon the thread notices there is no call any more
STOP_SECONDS = 2.0


class MediaPoller:
    def __init__(self, library: MediaLibrary, register_thread: Callable[[], None]) -> None:
        lib = library.library
        endpoint = lib.pjsua_get_pjmedia_endpt()
        self._poll = lib.pj_ioqueue_poll
        self._ioqueue = lib.pjmedia_endpt_get_ioqueue(endpoint)
        if endpoint == ffi.NULL or self._ioqueue == ffi.NULL:
            raise RuntimeError("pjmedia has no sockets of its own to poll")
        lib.pjmedia_endpt_stop_threads(endpoint)
        self._timeout = ffi.new("pj_time_val *", {"sec": 0, "msec": POLL_MS})
        self._register_thread = register_thread
        self._wanted = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="media-poll", daemon=True)
        self._thread.start()

    def want(self, calls: bool) -> None:
        """Whether a call exists (any thread; cheap when nothing changes)."""
        if calls != self._wanted.is_set():
            if calls:
                self._wanted.set()
            else:
                self._wanted.clear()

    def stop(self) -> None:
        """End the thread; no poll reaches pjmedia after this returns."""
        self._stopping = True
        self._wanted.set()
        self._thread.join(STOP_SECONDS)
        if self._thread.is_alive():
            log.error("the RTP poller did not stop within %s s", STOP_SECONDS)

    def _run(self) -> None:
        name_this_thread("ad-media")
        self._register_thread()  # pjlib wants to know every thread that calls it
        poll, ioqueue, timeout, wanted = self._poll, self._ioqueue, self._timeout, self._wanted
        while True:
            wanted.wait()
            if self._stopping:
                return
            poll(ioqueue, timeout)
