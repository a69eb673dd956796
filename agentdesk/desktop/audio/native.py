"""The C functions on AgentDesk's audio path, called through cffi.

Every 20 ms the sound device's callback ticks pjmedia's conference bridge
(phone/mediaclock.py). That callback is the hottest code in the program:
PortAudio calls the C step (_fastclock.c, fastclock.py) directly with its
buffer pointers, and those pointers go straight to pjmedia's frame
functions - no copies, no wrapper objects, no Python. Where the C step was
not built, a cffi Python callback does the same.

Measured on this machine (PortAudio to JACK, 50 callbacks a second, CPU
seconds per minute): a C callback 0.12; a bare cffi Python callback 0.24;
the same through sounddevice's callback wrapper 0.36. sounddevice still
lists the devices and plays the ring tone, where cost does not matter.

One FFI instance (cdefs.py, parsed ahead of time) declares every library so
their pointers mix freely.
"""

from __future__ import annotations

import ctypes.util
from dataclasses import dataclass
from typing import Any

from ._native_ffi import ffi as ffi  # the declarations in cdefs.py, parsed ahead of time
from .devices import find_device

PA_INT16 = 0x00000008
PA_CONTINUE = 0
PA_INPUT_OVERFLOW = 0x02
PA_OUTPUT_UNDERFLOW = 0x04
PA_NO_DEVICE = -1

BlockCallback = Any  # (input pointer, output pointer, status flags) -> None


@dataclass(frozen=True)
class NativeCallback:
    """A PortAudio stream callback written in C, with its user data."""

    function: Any
    user: Any
    owner: Any = None  # kept alive with the stream: what `user` points into and any callback it calls


class PortAudioError(Exception):
    pass


def portaudio(sd: Any) -> Any:
    """The PortAudio library sounddevice loaded (the same instance: PortAudio
    keeps global state, initialised by sounddevice at import)."""
    name = getattr(sd, "_libname", None) or ctypes.util.find_library("portaudio")
    if not name:
        raise PortAudioError("the PortAudio library was not found")
    return ffi.dlopen(name)


def default_devices(library: Any) -> tuple[int, int]:
    """The system's default microphone and speaker (PortAudio indexes)."""
    return int(library.Pa_GetDefaultInputDevice()), int(library.Pa_GetDefaultOutputDevice())


class Stream:
    """A 16-bit mono PortAudio stream calling `on_block(input, output, flags)`
    with raw pointers, or a NativeCallback. A device of None leaves that
    direction out (its pointer is then NULL)."""

    def __init__(self, library: Any, microphone: int | None, speaker: int | None, rate: int, block: int,
                 latency: float, on_block: BlockCallback) -> None:
        self._library = library
        self._owner: Any = None
        if isinstance(on_block, NativeCallback):
            self._callback, user, self._owner = on_block.function, on_block.user, on_block.owner
        else:
            self._callback = ffi.callback("PaStreamCallback", self._make_callback(on_block), error=PA_CONTINUE)
            user = ffi.NULL
        handle = ffi.new("PaStream **")
        inputs, outputs = self._parameters(microphone, latency), self._parameters(speaker, latency)
        self._check(library.Pa_OpenStream(handle, inputs, outputs, rate, block, 0, self._callback, user))
        self._stream = handle[0]

    @staticmethod
    def _make_callback(on_block: BlockCallback) -> Any:
        def callback(input_: Any, output: Any, frames: int, time_info: Any, flags: int, user: Any) -> int:
            on_block(input_, output, flags)
            return PA_CONTINUE

        return callback

    @staticmethod
    def _parameters(device: int | None, latency: float) -> Any:
        if device is None:
            return ffi.NULL
        return ffi.new("PaStreamParameters *", (device, 1, PA_INT16, latency, ffi.NULL))

    def _check(self, error: int) -> None:
        if error < 0:
            raise PortAudioError(ffi.string(self._library.Pa_GetErrorText(error)).decode())

    def start(self) -> None:
        self._check(self._library.Pa_StartStream(self._stream))

    def stop(self) -> None:
        self._check(self._library.Pa_StopStream(self._stream))

    def close(self) -> None:
        self._check(self._library.Pa_CloseStream(self._stream))


class PortAudioDevices:
    """The audio bridge's view of PortAudio: devices by name, callback streams."""

    def __init__(self, sd: Any, rate: int, block: int, latency: float) -> None:
        self._sd = sd
        self._library = portaudio(sd)
        self._rate, self._block, self._latency = rate, block, latency

    def index(self, name: str, want_input: bool) -> int:
        found = find_device(self._sd, name, want_input)
        if found is not None:
            return found
        microphone, speaker = default_devices(self._library)
        index = microphone if want_input else speaker
        if index == PA_NO_DEVICE:
            raise PortAudioError("there is no default " + ("microphone" if want_input else "speaker"))
        return index

    def open(self, microphone: int | None, speaker: int | None, on_block: BlockCallback | NativeCallback) -> Stream:
        return Stream(self._library, microphone, speaker, self._rate, self._block, self._latency, on_block)
