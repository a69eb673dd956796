"""A second SIP party for the tests: a separate process, its own small
pjsua2 program (not AgentDesk's engine), driven by JSON lines on stdin and
reporting JSON lines on stdout.

Commands: register, call, answer, reject, hangup, hold, unhold, dtmf,
xfer, tone, listen, detect, auto_answer, quit. Events: registered, incoming,
call_state, media, xfer_status, heard, detected, error. Audio: it sends a
continuous tone of the frequency asked for and measures what it receives
(tests/helpers/dsp.py). `detect` watches each received 20 ms frame for a
tone and reports the wall-clock time (time.time()) of the first frame of the
first run of `windows` frames carrying it: when someone's voice started to
reach this party's ear.
"""

from __future__ import annotations

import json
import queue
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pjsua2 as pj

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.helpers.dsp import analyse, as_samples, tone_share

RATE = 16000
OUT = sys.stdout


def emit(event: str, **fields: Any) -> None:
    OUT.write(json.dumps({"event": event, **fields}) + "\n")
    OUT.flush()


class ToneWatch:
    """Looks for one tone in consecutive frames (runs on the media thread)."""

    def __init__(self, frequency: float, threshold: float, windows: int) -> None:
        self.frequency = frequency
        self.threshold = threshold
        self.windows = max(1, windows)
        self.run = 0
        self.first = 0.0

    def feed(self, pcm: bytes, now: float) -> dict[str, Any] | None:
        """The detection once `windows` frames in a row carry the tone."""
        share = tone_share(as_samples(pcm), self.frequency, RATE)
        if share < self.threshold:
            self.run = 0
            return None
        if self.run == 0:
            self.first = now
        self.run += 1
        if self.run < self.windows:
            return None
        return {"freq": self.frequency, "at": self.first, "share": share}


class Ear(pj.AudioMediaPort):  # type: ignore[misc]
    """Keeps the received audio of the current listening window and watches
    the frames for the tones asked for (`detect`)."""

    def __init__(self) -> None:
        super().__init__()
        self.frames: list[bytes] = []
        self.recording = False
        self.lock = threading.Lock()
        self.watches: dict[float, ToneWatch] = {}
        self.detected: queue.SimpleQueue[dict[str, Any]] = queue.SimpleQueue()

    def watch(self, frequency: float, threshold: float, windows: int) -> None:
        with self.lock:
            self.watches[frequency] = ToneWatch(frequency, threshold, windows)

    def _look(self, pcm: bytes, now: float) -> None:
        with self.lock:
            for frequency, watch in list(self.watches.items()):
                found = watch.feed(pcm, now)
                if found is not None:
                    del self.watches[frequency]
                    self.detected.put(found)

    def onFrameRequested(self, frame: Any) -> None:
        frame.type = pj.PJMEDIA_FRAME_TYPE_AUDIO
        frame.buf = pj.ByteVector(bytes(640))
        frame.size = 640

    def onFrameReceived(self, frame: Any) -> None:
        if frame.type != pj.PJMEDIA_FRAME_TYPE_AUDIO or not (self.recording or self.watches):
            return
        now = time.time()
        pcm = bytes(frame.buf[0 : frame.size])
        if self.recording:
            self.frames.append(pcm)
        if self.watches:
            self._look(pcm, now)


class Party:
    def __init__(self, port: int) -> None:
        self.ep = pj.Endpoint()
        self.ep.libCreate()
        config = pj.EpConfig()
        config.uaConfig.threadCnt = 0
        config.uaConfig.mainThreadOnly = True
        config.logConfig.level = 1
        config.logConfig.consoleLevel = 1
        config.medConfig.clockRate = RATE
        config.medConfig.sndClockRate = RATE
        config.medConfig.noVad = True
        self.ep.libInit(config)
        self.ep.audDevManager().setNullDev()
        transport = pj.TransportConfig()
        transport.port = port
        transport.boundAddress = "127.0.0.1"
        self.ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, transport)
        self.ep.libStart()
        self.account: Account | None = None
        self.call: Call | None = None
        # Every call still up (the current one and, during a transfer, the
        # one being transferred): a dropped wrapper would hang its call up.
        self.calls: list[Call] = []
        self.ended: list[Call] = []
        self.transferred: list[Call] = []
        self.auto_answer = False
        self.tone = pj.ToneGenerator()
        self.tone.createToneGenerator(RATE, 1)
        self.tone_frequency = 0
        self.ear = Ear()
        fmt = pj.MediaFormatAudio()
        fmt.init(pj.PJMEDIA_FORMAT_PCM, RATE, 1, 20000, 16)
        self.ear.createPort("ear", fmt)
        self.listen_until = 0.0
        self.listen_freqs: list[float] = []

    # -- commands --------------------------------------------------------------

    def register(self, user: str, password: str, server: str, name: str = "") -> None:
        config = pj.AccountConfig()
        config.idUri = f'"{name}" <sip:{user}@{server.split(":")[0]}>' if name else f"sip:{user}@{server.split(':')[0]}"
        config.regConfig.registrarUri = f"sip:{server}"
        config.sipConfig.authCreds.append(pj.AuthCredInfo("digest", "*", user, 0, password))
        self.account = Account(self)
        self.account.create(config)

    def dial(self, uri: str) -> None:
        assert self.account is not None
        call = Call(self, self.account)
        param = pj.CallOpParam(True)
        call.makeCall(uri, param)
        self.call = call
        self.calls.append(call)

    def answer(self) -> None:
        if self.call is not None:
            param = pj.CallOpParam()
            param.statusCode = 200
            self.call.answer(param)

    def reject(self, code: int) -> None:
        """Decline the ringing incoming call with a final SIP code (486 busy,
        603 decline)."""
        if self.call is not None:
            param = pj.CallOpParam()
            param.statusCode = code
            self.call.hangup(param)

    def transfer(self, uri: str) -> None:
        """Blind transfer (REFER) of the current call; progress comes back
        as xfer_status events."""
        if self.call is not None:
            self.call.xfer(uri, pj.CallOpParam(True))

    def finish_transfers(self) -> None:
        """Hang up calls whose transfer succeeded. Asterisk sends the final
        NOTIFY 200 once the customer hears ringback or hold music (not when
        the target answers) and keeps the transferer's leg up until it sends
        BYE, as a transferring phone does."""
        while self.transferred:
            call = self.transferred.pop()
            if call.isActive():
                call.hangup(pj.CallOpParam())

    def hangup(self) -> None:
        if self.call is not None:
            self.call.hangup(pj.CallOpParam())

    def set_hold(self, on: bool) -> None:
        if self.call is None:
            return
        param = pj.CallOpParam(True)
        if on:
            self.call.setHold(param)
        else:
            param.opt.flag = pj.PJSUA_CALL_UNHOLD
            self.call.reinvite(param)

    def dtmf(self, digits: str) -> None:
        if self.call is not None:
            self.call.dialDtmf(digits)

    def play_tone(self, frequency: int) -> None:
        self.tone_frequency = frequency
        self.tone.stop()
        if frequency:
            desc = pj.ToneDesc()
            desc.freq1 = frequency
            desc.freq2 = 0
            desc.on_msec = 10000
            desc.off_msec = 0
            tones = pj.ToneDescVector()
            tones.append(desc)
            self.tone.play(tones, True)

    def listen(self, seconds: float, frequencies: list[float]) -> None:
        self.ear.frames = []
        self.ear.recording = True
        self.listen_until = time.monotonic() + seconds
        self.listen_freqs = frequencies

    def check_listening(self) -> None:
        if self.ear.recording and time.monotonic() >= self.listen_until:
            self.ear.recording = False
            emit("heard", **analyse(b"".join(self.ear.frames), self.listen_freqs))
        while not self.ear.detected.empty():
            emit("detected", **self.ear.detected.get())

    def connect_media(self, call: Call) -> None:
        audio = call.getAudioMedia(-1)
        self.tone.startTransmit(audio)
        audio.startTransmit(self.ear)

    def handle(self, command: dict[str, Any]) -> bool:
        name = command.pop("cmd")
        if name == "quit":
            return False
        actions: dict[str, Callable[[], None]] = {
            "register": lambda: self.register(**command),
            "call": lambda: self.dial(command["uri"]),
            "answer": self.answer,
            "reject": lambda: self.reject(int(command["code"])),
            "hangup": self.hangup,
            "xfer": lambda: self.transfer(command["uri"]),
            "hold": lambda: self.set_hold(True),
            "unhold": lambda: self.set_hold(False),
            "dtmf": lambda: self.dtmf(command["digits"]),
            "tone": lambda: self.play_tone(int(command["freq"])),
            "listen": lambda: self.listen(float(command["seconds"]), list(command["freqs"])),
            "detect": lambda: self.ear.watch(float(command["freq"]), float(command.get("threshold", 0.8)),
                                             int(command.get("windows", 3))),
            "auto_answer": lambda: setattr(self, "auto_answer", bool(command["on"])),
        }
        actions[name]()
        return True

    def shutdown(self) -> None:
        self.ep.hangupAllCalls()
        for _ in range(30):
            self.ep.libHandleEvents(10)
        self.call = None
        self.calls.clear()
        self.ended.clear()
        self.transferred.clear()
        self.account = None
        self.ep.libDestroy()


class Account(pj.Account):  # type: ignore[misc]
    def __init__(self, party: Party) -> None:
        super().__init__()
        self.party = party

    def onRegState(self, prm: Any) -> None:
        emit("registered", code=int(prm.code), active=bool(self.getInfo().regIsActive))

    def onIncomingCall(self, prm: Any) -> None:
        call = Call(self.party, self, prm.callId)
        headers = {}
        for line in str(prm.rdata.wholeMsg).split("\r\n\r\n")[0].split("\r\n")[1:]:
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        self.party.call = call
        self.party.calls.append(call)
        info = call.getInfo()
        emit("incoming", remote=str(info.remoteUri), headers=headers)
        param = pj.CallOpParam()
        param.statusCode = 200 if self.party.auto_answer else 180
        call.answer(param)


class Call(pj.Call):  # type: ignore[misc]
    def __init__(self, party: Party, account: Account, call_id: int = pj.PJSUA_INVALID_ID) -> None:
        super().__init__(account, call_id)
        self.party = party

    def onCallState(self, prm: Any) -> None:
        info = self.getInfo()
        emit("call_state", state=str(info.stateText), code=int(info.lastStatusCode), reason=str(info.lastReason))
        if info.state == pj.PJSIP_INV_STATE_DISCONNECTED:
            self.party.ended.append(self)
            if self in self.party.calls:
                self.party.calls.remove(self)
            if self.party.call is self:
                self.party.call = None

    def onCallTransferStatus(self, prm: Any) -> None:
        code, final = int(prm.statusCode), bool(prm.finalNotify)
        emit("xfer_status", code=code, reason=str(prm.reason), final=final)
        if final and code // 100 == 2:
            self.party.transferred.append(self)

    def onCallMediaState(self, prm: Any) -> None:
        info = self.getInfo()
        for media in info.media:
            if media.type == pj.PJMEDIA_TYPE_AUDIO:
                emit("media", status=int(media.status))
                if media.status in (pj.PJSUA_CALL_MEDIA_ACTIVE, pj.PJSUA_CALL_MEDIA_REMOTE_HOLD):
                    self.party.connect_media(self)


def read_commands(commands: queue.Queue[dict[str, Any] | None]) -> None:
    for line in sys.stdin:
        if line.strip():
            commands.put(json.loads(line))
    commands.put(None)


def main() -> None:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    party = Party(port)
    commands: queue.Queue[dict[str, Any] | None] = queue.Queue()
    threading.Thread(target=read_commands, args=(commands,), daemon=True).start()
    emit("ready")
    running = True
    while running:
        party.ep.libHandleEvents(10)
        party.check_listening()
        party.finish_transfers()
        party.ended.clear()
        while not commands.empty():
            command = commands.get()
            if command is None:
                running = False
                break
            try:
                running = party.handle(command)
            except pj.Error as error:
                emit("error", reason=str(error.reason), command=command)
    party.shutdown()
    emit("bye")


if __name__ == "__main__":
    main()
