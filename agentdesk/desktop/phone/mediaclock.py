"""The media clock: the sound device ticks pjmedia's conference bridge.

pjsua2 in "no sound device" mode hands the application the conference
bridge's master port. Each tick gives it one 20 ms microphone frame and
takes one speaker frame - what pjmedia's own sound port does with a sound
card. The audio bridge calls `tick()` from the sound device's callback with
the device's own buffers, so the device's clock drives the bridge: no second
clock to drift against, no buffers between clocks, no copies, and no Python
callback from pjmedia (pjsua2's AudioMediaPort costs two Python calls per
frame on pjmedia's clock thread; measured here, that alone used more CPU
than the rest of a call).

The two C functions come from pjsua2's own shared object, which exports
pjlib and pjmedia (see audio/native.py for why cffi). Only pjstack.py
creates these objects.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from ..audio.native import ffi

RATE = 16000
FRAME_SAMPLES = RATE // 50
FRAME_BYTES = FRAME_SAMPLES * 2
FRAME_AUDIO = 1  # PJMEDIA_FRAME_TYPE_AUDIO
_SILENCE = bytes(FRAME_BYTES)
G722_PCM_SHIFT = 1  # bits between G.722's 14-bit samples and 16-bit audio, as Asterisk has it


class MediaLibrary:
    """pjsua2's shared object, for its pjsua/pjmedia C functions."""

    def __init__(self, path: str) -> None:
        self.library = ffi.dlopen(path)

    def match_g722_level(self) -> None:
        """G.722 calls at the level Asterisk and other phones use.

        pjmedia's G.722 works on 14-bit samples and by default scales them
        by 4 to and from 16-bit audio; Asterisk (and spandsp's G.722 that
        most phones share) scale by 2. With pjmedia's default the agent
        hears callers 6 dB too loud - loud speech clips, and at the first
        clip pjmedia halves its scale mid-call, a sudden 6 dB drop - while
        callers hear the agent 6 dB too quietly. Scaling by 2 (a shift of
        one bit) matches them; it applies to every G.722 call opened later.
        """
        self.library.pjmedia_codec_g722_set_pcm_shift(G722_PCM_SHIFT)

    def take_master_port(self) -> Any:
        """Switch pjsua to "no sound device"; returns the bridge's master port."""
        port = self.library.pjsua_set_no_snd_dev()
        if port == ffi.NULL:
            raise RuntimeError("pjsua_set_no_snd_dev gave no port")
        return port


class MediaClock:
    """Ticks the conference bridge; used by one thread at a time (the sound
    device's), valid until the library is destroyed (see ClockUser)."""

    def __init__(self, library: MediaLibrary, master: Any, register_thread: Callable[[], None]) -> None:
        self._library = library.library
        self._put_frame = library.library.pjmedia_port_put_frame
        self._get_frame = library.library.pjmedia_port_get_frame
        self._master = master
        self._register_thread = register_thread
        self._put = ffi.new("pjmedia_frame *")
        self._get = ffi.new("pjmedia_frame *")
        self._timestamp = 0
        self._thread_seen = 0

    def native_parts(self) -> tuple[Any, Any, Any, Any, Any]:
        """For the same step in C (audio/fastclock.py): the master port and
        the pjmedia and pjlib functions it calls."""
        library = self._library
        return (self._master, library.pjmedia_port_put_frame, library.pjmedia_port_get_frame,
                library.pj_thread_is_registered, library.pj_thread_register)

    def tick(self, microphone: Any, speaker: Any) -> None:
        """One 20 ms step: `microphone` (a pointer to one frame) goes to the
        calls; what the agent should hear is written to `speaker`."""
        if threading.get_ident() != self._thread_seen:
            self._register_thread()  # pjlib wants to know every thread that calls it
            self._thread_seen = threading.get_ident()
        put, get, stamp = self._put, self._get, self._timestamp
        put.type, put.buf, put.size, put.timestamp = FRAME_AUDIO, microphone, FRAME_BYTES, stamp
        self._put_frame(self._master, put)
        get.type, get.buf, get.size, get.timestamp = FRAME_AUDIO, speaker, FRAME_BYTES, stamp
        self._get_frame(self._master, get)
        if get.type != FRAME_AUDIO:
            ffi.memmove(speaker, _SILENCE, FRAME_BYTES)
        self._timestamp = stamp + FRAME_SAMPLES
