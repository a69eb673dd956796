"""Opening the audio side at start-up: PortAudio, the call audio bridge and
the ringer, sharing one device worker; or, without usable audio, why not."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from .bridge import AudioBridge, DeviceChoice
from .devices import AudioUnavailableError, check_usable, device_worker, load_portaudio
from .fastclock import load_library
from .frames import FRAME_SAMPLES, RATE
from .native import PortAudioDevices
from .ringer import Ringer

log = logging.getLogger("agentdesk.desktop.audio")
DEVICE_LATENCY = 0.06  # seconds of buffering PortAudio keeps on the device side


@dataclass
class Audio:
    """What start-up found: everything None and `problem` set without audio."""

    portaudio: Any = None
    bridge: AudioBridge | None = None
    ringer: Ringer | None = None
    worker: ThreadPoolExecutor | None = None
    problem: str = ""

    def close(self) -> None:
        for device in (self.ringer, self.bridge):
            if device is not None:
                device.close()
        if self.worker is not None:
            self.worker.shutdown(wait=True)


def open_audio(choice: DeviceChoice, ring_device: str, on_problem: Callable[[str], None]) -> Audio:
    """`on_problem` is called from the device worker: it must be thread-safe."""
    try:
        portaudio = load_portaudio()
        check_usable(portaudio)
    except AudioUnavailableError as problem:
        log.warning("%s", problem)
        return Audio(problem=str(problem))
    worker = device_worker()
    devices = PortAudioDevices(portaudio, RATE, FRAME_SAMPLES, DEVICE_LATENCY)
    bridge = AudioBridge(devices, choice, worker, on_problem, fast_library=load_library())
    return Audio(portaudio, bridge, Ringer(portaudio, worker, ring_device), worker)
