"""Sound devices, through PortAudio (sounddevice).

Devices are remembered by name: indexes change when a headset is plugged
in. An empty name means the system's default device. When PortAudio or
every device is missing, `AudioUnavailableError` says why in words; the phone
then works for signalling only.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from ..threadname import name_this_thread

log = logging.getLogger("agentdesk.desktop.audio")


class AudioUnavailableError(Exception):
    """No usable audio; the message is fit for the user."""


@dataclass(frozen=True)
class Device:
    index: int
    name: str
    inputs: int
    outputs: int


def device_worker() -> ThreadPoolExecutor:
    """The one thread that opens, starts, stops and closes streams. PortAudio
    is not thread-safe: two threads opening streams at once (ring tone and
    call audio, when a call is answered) deadlocked in its JACK host API."""
    return ThreadPoolExecutor(1, thread_name_prefix="audio", initializer=name_this_thread, initargs=("ad-audio-dev",))


def preload_portaudio() -> None:
    """Start loading PortAudio on a thread of its own. Loading connects to
    the sound system (about 0.1 s with JACK, often more with ALSA's device
    scan), mostly waiting in C: done while the rest of the program loads,
    it is ready by the time the phone needs it. `load_portaudio` then waits
    for this import to finish, or reports why it failed."""
    threading.Thread(target=_import_portaudio, name="ad-portaudio", daemon=True).start()


def _import_portaudio() -> None:
    name_this_thread("ad-portaudio")  # and so the sound system's threads it starts, in `top -H`
    with contextlib.suppress(Exception):  # load_portaudio says why, when it is needed
        import sounddevice  # noqa: F401


def load_portaudio() -> Any:
    try:
        import sounddevice
    except OSError:
        raise AudioUnavailableError(
            "Audio is unavailable: the PortAudio library is not installed (package libportaudio2)."
        ) from None
    return sounddevice


def list_devices(sd: Any) -> list[Device]:
    try:
        found = sd.query_devices()
    except Exception as error:
        raise AudioUnavailableError(f"Audio is unavailable: PortAudio cannot list devices ({error}).") from None
    return [
        Device(i, str(d["name"]), int(d["max_input_channels"]), int(d["max_output_channels"]))
        for i, d in enumerate(found)
    ]


def check_usable(sd: Any) -> None:
    """Raise AudioUnavailableError unless there is a microphone and a speaker."""
    devices = list_devices(sd)
    if not any(d.outputs for d in devices):
        raise AudioUnavailableError("Audio is unavailable: no speaker or headset was found. Calls still connect.")
    if not any(d.inputs for d in devices):
        raise AudioUnavailableError("Audio is unavailable: no microphone was found. Calls still connect.")


def find_device(sd: Any, name: str, want_input: bool) -> int | None:
    """The index of the named device, or None for the system default."""
    if not name:
        return None
    for device in list_devices(sd):
        if device.name == name and (device.inputs if want_input else device.outputs):
            return device.index
    log.warning("audio device %r is gone; using the default", name)
    return None
