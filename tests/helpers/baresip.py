"""baresip, a softphone that is not built on pjsua2, as a party of the tests
and benchmarks (Debian package `baresip`, 1.0).

`Baresip` runs one in its own folder, registered as an extension of
pbx/directory.csv: it sends a tone read from a wav file (module aufile), its
sndfile module writes what it hears to a wav file per call as the audio
arrives (read back by `DumpEar`), and it is driven and watched through its
ctrl_tcp module (JSON in netstrings: commands such as accept and hangup,
events such as CALL_INCOMING, CALL_ESTABLISHED and CALL_CLOSED). It plays
nothing: no audio player is loaded, the tests need no sound device.

`write_config` is shared with bench_softphone.py, which runs baresip on
PortAudio instead.
"""

from __future__ import annotations

import contextlib
import json
import queue
import re
import socket
import subprocess
import threading
import time
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tests.helpers.dsp import analyse, as_samples, tone_share

MODULES = "/usr/lib/baresip/modules"
SOURCE_RATE = 8000
# baresip 1.0's aufile ends the call when its file runs out ("audio error
# (0,end of file)"), so the tone lasts longer than any call of a test.
TONE_SECONDS = 180
WINDOW_SECONDS = 0.02


class BaresipError(AssertionError):
    pass


@dataclass(frozen=True)
class BaresipAccount:
    """One line of baresip's accounts file."""

    user: str
    password: str
    server: str  # host:port of the PBX
    answermode: str = "auto"  # auto, manual (ring until accepted) or early
    codecs: str = "PCMU/8000/1"

    def line(self) -> str:
        return (f"<sip:{self.user}@{self.server}>;auth_pass={self.password};answermode={self.answermode};"
                f"audio_codecs={self.codecs};regint=120")


def sip_secret(pbx_home: Path, user: str) -> str:
    """The SIP password of an extension, from the PBX's secrets store (the
    demo password while the store has not been written yet)."""
    path = pbx_home / "state" / "secrets.json"
    if not path.exists():
        return f"demo-{user}"
    return str(json.loads(path.read_text(encoding="utf-8"))["sip"][user])


def write_config(folder: Path, account: BaresipAccount, settings: Sequence[str], modules: Sequence[str],
                 listen: str = "127.0.0.1:0") -> None:
    """baresip's config, accounts and contacts files in `folder`. `listen`
    port 0 lets the system pick the SIP port (the contact says which); its
    address is the only one baresip uses."""
    folder.mkdir(parents=True, exist_ok=True)
    # One address only: otherwise baresip answers a re-INVITE with the
    # machine's other address, which a loopback-bound test PBX cannot send RTP to.
    address = listen.rsplit(":", 1)[0]
    lines = [f"sip_listen {listen}", f"net_interface {address}", f"module_path {MODULES}", *settings,
             *(f"module {m}" for m in modules), "module_app account.so", "module_app menu.so", ""]
    (folder / "config").write_text("\n".join(lines))
    accounts = folder / "accounts"
    accounts.touch(mode=0o600)
    accounts.write_text(account.line() + "\n")
    (folder / "contacts").write_text("")


def write_tone(path: Path, frequency: float, seconds: float = TONE_SECONDS, rate: int = SOURCE_RATE) -> None:
    """A mono 16-bit wav file with a sine tone."""
    times = np.arange(int(seconds * rate)) / rate
    samples = (8000 * np.sin(2 * np.pi * frequency * times)).astype("<i2")
    with wave.open(str(path), "wb") as output:
        output.setnchannels(1)
        output.setsampwidth(2)
        output.setframerate(rate)
        output.writeframes(samples.tobytes())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class DumpEar:
    """What baresip hears, read from the newest `*-dec.wav` that its sndfile
    module is writing (one file per call, written as packets are decoded; the
    header's sizes are only filled in at the end, so it is parsed here)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path: Path | None = None
        self.position = 0
        self.rate = SOURCE_RATE

    def _newest(self) -> Path | None:
        files = list(self.folder.glob("*-dec.wav"))
        return max(files, key=lambda p: p.stat().st_mtime_ns) if files else None

    def _open(self, path: Path) -> bool:
        head = path.read_bytes()[:256]
        found = head.find(b"data")
        if head[:4] != b"RIFF" or found < 0:
            return False  # the header is not written yet
        self.path, self.position = path, found + 8
        self.rate = int.from_bytes(head[24:28], "little")
        return True

    def skip_to_now(self) -> None:
        """Forget what was heard so far: new_audio() returns what comes next."""
        self.path = None
        newest = self._newest()
        if newest is not None and self._open(newest):
            self.position = max(self.position, newest.stat().st_size // 2 * 2)

    def new_audio(self) -> bytes:
        """The audio heard since the last call (or skip_to_now)."""
        newest = self._newest()
        if newest is None or (newest != self.path and not self._open(newest)):
            return b""
        with newest.open("rb") as stream:
            stream.seek(self.position)
            data = stream.read()
        data = data[: len(data) // 2 * 2]
        self.position += len(data)
        return data

    def hear(self, frequencies: list[float], seconds: float = 1.0) -> dict[str, float]:
        """Like SipParty.hear: the share of each tone over the next `seconds`."""
        self.skip_to_now()
        time.sleep(seconds)  # the listening window itself, not a wait for a condition
        return analyse(self.new_audio(), frequencies, self.rate)

    def wait_detected(self, frequency: float, threshold: float = 0.8, windows: int = 3,
                      timeout: float = 10.0) -> float:
        """Wall-clock time of the first 20 ms window of the first run of
        `windows` windows carrying the tone, heard after the last
        skip_to_now() or new_audio(). Windows found in one read are dated
        back from the time of the read, one window length each."""
        deadline, run, first, pending = time.monotonic() + timeout, 0, 0.0, b""
        while time.monotonic() < deadline:
            pending += self.new_audio()
            now, size = time.time(), int(self.rate * WINDOW_SECONDS) * 2
            count = len(pending) // size
            for index in range(count):
                window = as_samples(pending[index * size : (index + 1) * size])
                if tone_share(window, frequency, self.rate) < threshold:
                    run = 0
                    continue
                first = first if run else now - (count - index - 1) * WINDOW_SECONDS
                run += 1
                if run >= windows:
                    return first
            pending = pending[count * size :]
            time.sleep(0.002)
        raise BaresipError(f"baresip did not hear {frequency} Hz within {timeout} s")


class Baresip:
    """A running baresip registered as `user`. Events (ctrl_tcp's, e.g.
    {"type": "CALL_INCOMING", "peeruri": ...}) are read by wait(); accept(),
    hangup() (an incoming call still ringing is rejected with 486 Busy) and
    answermode() change what it does. Always close() it."""

    def __init__(self, folder: Path, user: str, password: str, server: str, tone: float = 700,
                 answermode: str = "auto", codecs: str = "PCMU/8000/1") -> None:
        self.folder, self.user = folder, user
        self.port = free_port()
        folder.mkdir(parents=True, exist_ok=True)
        write_tone(folder / "tone.wav", tone)
        dumps = folder / "heard"
        dumps.mkdir(exist_ok=True)
        settings = [f"audio_source aufile,{folder / 'tone.wav'}", f"ausrc_srate {SOURCE_RATE}", "audio_channels 1",
                    f"snd_path {dumps}", f"ctrl_tcp_listen 127.0.0.1:{self.port}"]
        account = BaresipAccount(user, password, server, answermode, codecs)
        write_config(folder, account, settings, ["g711.so", "g722.so", "aufile.so", "sndfile.so", "ctrl_tcp.so"])
        self.ear = DumpEar(dumps)
        self.log = folder / "baresip.log"
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        self.replies: queue.Queue[dict[str, Any]] = queue.Queue()
        self.history: list[dict[str, Any]] = []
        self.process: subprocess.Popen[bytes] | None = None
        self.control: socket.socket | None = None
        self.reader: threading.Thread | None = None
        self.token = 0

    # -- life cycle ---------------------------------------------------------------

    def start(self) -> Baresip:
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(["baresip", "-f", str(self.folder)], stdin=subprocess.DEVNULL,
                                            stdout=log, stderr=subprocess.STDOUT)
        self.control = self._connect()
        self.reader = threading.Thread(target=self._read, args=(self.control,), daemon=True)
        self.reader.start()
        return self

    def _connect(self, timeout: float = 10.0) -> socket.socket:
        deadline = time.monotonic() + timeout
        while True:
            self._check_running()
            try:
                return socket.create_connection(("127.0.0.1", self.port), timeout=1)
            except OSError:
                if time.monotonic() > deadline:
                    raise BaresipError(f"baresip's ctrl_tcp did not listen:\n{self.log_tail()}") from None
                time.sleep(0.05)

    def _check_running(self) -> None:
        if self.process is None or self.process.poll() is not None:
            raise BaresipError(f"baresip is not running:\n{self.log_tail()}")

    def wait_registered(self, timeout: float = 10.0) -> None:
        pattern = re.compile(rf"^{re.escape(self.user)}@\S+: .*\b200 OK", re.M)
        deadline = time.monotonic() + timeout
        while not pattern.search(self.log.read_text(errors="replace")):
            self._check_running()
            if time.monotonic() > deadline:
                raise BaresipError(f"baresip {self.user} not registered within {timeout} s:\n{self.log_tail()}")
            time.sleep(0.05)

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # baresip hangs up and unregisters on SIGTERM
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.control is not None:
            with contextlib.suppress(OSError):
                self.control.shutdown(socket.SHUT_RDWR)
            self.control.close()
        if self.reader is not None:
            self.reader.join(timeout=5)

    def log_tail(self, lines: int = 25) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.replace("\r", "\n").splitlines()[-lines:])

    # -- ctrl_tcp -----------------------------------------------------------------

    def _read(self, control: socket.socket) -> None:
        control.settimeout(None)
        buffer = b""
        while True:
            try:
                chunk = control.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            buffer += chunk
            while (colon := buffer.find(b":")) > 0 and len(buffer) >= colon + int(buffer[:colon]) + 2:
                end = colon + 1 + int(buffer[:colon])
                message, buffer = json.loads(buffer[colon + 1 : end]), buffer[end + 1 :]
                if message.get("event"):
                    self.history.append(message)
                    self.events.put(message)
                else:
                    self.replies.put(message)

    def command(self, name: str, params: str = "", timeout: float = 5.0) -> str:
        """Run a menu command (as typed after '/'); returns its output."""
        assert self.control is not None
        self.token += 1
        token = f"t{self.token}"
        body = json.dumps({"command": name, "params": params, "token": token}).encode()
        self.control.sendall(b"%d:%s," % (len(body), body))
        deadline = time.monotonic() + timeout
        while True:
            try:
                reply = self.replies.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise BaresipError(f"no reply to {name} within {timeout} s:\n{self.log_tail()}") from None
            if reply.get("token") == token:
                if not reply.get("ok"):
                    raise BaresipError(f"{name} failed: {reply}")
                return str(reply.get("data", ""))

    def wait(self, kind: str, timeout: float = 10.0) -> dict[str, Any]:
        """The next event of this type (events of other types are passed over)."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                seen = [e.get("type") for e in self.history[-8:]]
                raise BaresipError(f"baresip {self.user}: no {kind} within {timeout} s; saw {seen}\n{self.log_tail()}")
            try:
                event = self.events.get(timeout=remaining)
            except queue.Empty:
                continue
            if event.get("type") == kind:
                return event

    def accept(self) -> None:
        self.command("accept")

    def hangup(self) -> None:
        """End the call; a call still ringing is rejected with 486 Busy."""
        self.command("hangup")

    def answermode(self, mode: str) -> None:
        """auto (answer at once) or manual (ring until accept())."""
        self.command("answermode", mode)

    def hear(self, frequencies: list[float], seconds: float = 1.0) -> dict[str, float]:
        return self.ear.hear(frequencies, seconds)
