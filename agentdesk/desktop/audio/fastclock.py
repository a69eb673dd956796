"""The media clock's step in C (_fastclock.c), where it was built.

With it the sound device's callback never enters Python during a call: no
CPU for the interpreter 50 times a second, and no waiting for the GIL while
the window is busy (the speaker would run dry). Python is called back only
while a local tone plays or the level meter shows (`hook`).

Without a C compiler at install time the extension is not built; the same
step then runs in Python (audio/bridge.py), at more CPU per call.
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from .native import NativeCallback, ffi

log = logging.getLogger("agentdesk.desktop.audio")

MODULE = "agentdesk.desktop.audio._fastclock"

Hook = Callable[[Any, Any, int], None]  # (microphone, speaker, status flags)


class ClockParts(Protocol):
    """What the C step needs from pjmedia (phone/mediaclock.py)."""

    def native_parts(self) -> tuple[Any, Any, Any, Any, Any]:
        """(master port, put_frame, get_frame, pj_thread_is_registered, pj_thread_register)"""
        ...


@dataclass(frozen=True)
class Counts:
    ticks: int
    underruns: int
    overruns: int


def load_library() -> Any | None:
    """The built extension, opened with cffi; None where it was not built."""
    spec = importlib.util.find_spec(MODULE)
    if spec is None or spec.origin is None:
        log.info("the C media clock is not built: call audio runs through Python (more CPU)")
        return None
    return ffi.dlopen(spec.origin)


class FastClock:
    """One C media clock. Attach/detach from any thread; after `detach()`
    returns, no step reaches pjmedia."""

    def __init__(self, library: Any, hook: Hook) -> None:
        self._library = library
        self._hook = ffi.callback("ad_hook_fn", hook)  # kept alive as long as the clock
        clock = library.ad_clock_new(self._hook)
        if clock == ffi.NULL:
            raise MemoryError("ad_clock_new")
        self._clock = ffi.gc(clock, library.ad_clock_free)

    @property
    def callback(self) -> NativeCallback:
        """The PortAudio callback of a duplex 20 ms stream."""
        return NativeCallback(self._library.ad_clock_callback, self._clock, owner=self)

    def attach(self, clock: ClockParts) -> None:
        self._library.ad_clock_attach(self._clock, *clock.native_parts())

    def detach(self) -> None:
        self._library.ad_clock_detach(self._clock)

    def hook(self, on: bool) -> None:
        self._library.ad_clock_hook(self._clock, int(on))

    def tick(self, microphone: Any, speaker: Any) -> None:
        self._library.ad_clock_tick(self._clock, microphone, speaker)

    def counts(self) -> Counts:
        counts = ffi.new("unsigned long[3]")  # one per call: any thread may ask
        self._library.ad_clock_counts(self._clock, counts)
        return Counts(*counts)
