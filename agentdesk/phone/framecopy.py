"""Copies between Python bytes and pjsua2's `ByteVector` (a SWIG-wrapped
std::vector<unsigned char>), for the audio port's 20 ms frames.

bytes(ByteVector) converts element by element: about 400 us for one frame,
50 times a second each way, which alone cost over a second of CPU per call
minute. Reading the vector's data pointer directly takes 1.7 us. The layout
(begin, end, capacity pointers) is the same in libstdc++, libc++ and MSVC;
`pick` checks it once at start-up and falls back to the slow copies if it
does not hold. No pjsua2 import here: the caller passes its constructors.
"""

from __future__ import annotations

import ctypes
import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger("agentdesk.sip")

Reader = Callable[[Any], bytes]
Writer = Callable[[Any, bytes], None]
_VECTOR_POINTERS = ctypes.c_void_p * 2


def read_fast(vector: Any) -> bytes:
    begin, end = _VECTOR_POINTERS.from_address(int(vector.this))
    return ctypes.string_at(begin, end - begin) if begin and end else b""


def write_fast(vector: Any, payload: bytes) -> None:
    if vector.size() != len(payload):
        vector.resize(len(payload))
    begin = ctypes.c_void_p.from_address(int(vector.this)).value
    if begin:
        ctypes.memmove(begin, payload, len(payload))


def read_slow(vector: Any) -> bytes:
    return bytes(vector)


def write_slow(vector: Any, payload: bytes) -> None:
    vector.clear()
    for byte in payload:
        vector.push_back(byte)


def pick(make_vector: Callable[[bytes], Any]) -> tuple[Reader, Writer]:
    """The fast copies if they work with this build of pjsua2, else the slow ones."""
    probe = bytes(range(256)) * 3
    try:
        written = make_vector(b"")
        write_fast(written, probe)
        if read_fast(make_vector(probe)) == probe and read_slow(written) == probe:
            return read_fast, write_fast
    except Exception:
        log.exception("fast frame copies failed their check")
    log.warning("using slow audio frame copies; expect more CPU per call")
    return read_slow, write_slow
