"""The only module that imports pjsua2.

`SipStack` owns the pjsua2 library and every pj object. All of its methods,
and every pjsua2 callback except the audio port's, run on the phone engine's
thread (see engine.py): the engine calls `poll()`, pjsua2 dispatches its
callbacks from inside it, and the adapters below translate each callback
into a plain call on a `StackListener`. They copy what they need out of the
callback parameters at once, never block, and log instead of raising (SWIG
would swallow the exception).

Media timing: with a sound device, the device's callback ticks pjmedia's
conference bridge through `MediaClock` (two C calls per 20 ms, no Python
callback from pjmedia); without one, pjsua2's null device keeps time.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import pjsua2 as pj

from .mediaclock import MediaClock, MediaLibrary
from .model import AccountConfig, CallState, PhoneError
from .pjutil import guarded, quiet_stdout
from .resume import ResumeWatch
from .sipmsg import header_map, host_only
from .stackapi import ClockUser, StackListener

log = logging.getLogger("agentdesk.desktop.phone")
pjlog = logging.getLogger("agentdesk.desktop.phone.pjsip")

CLOCK_RATE = 16000
FRAME_MS = 20
CODEC_PRIORITIES = {"G722/16000/1": 250, "PCMU/8000/1": 240, "PCMA/8000/1": 230}
_T = TypeVar("_T")


def _pj_call(action: Callable[[], _T], what: str) -> _T:
    try:
        return action()
    except pj.Error as error:
        raise PhoneError(f"{what}: {error.reason or error.info()}") from None


@dataclass(frozen=True)
class _Transports:
    udp: int
    tcp: int
    wake: tuple[str, int]


# -- adapters: translate, emit, nothing else ---------------------------------


_PJ_LEVELS = {0: logging.CRITICAL, 1: logging.ERROR, 2: logging.WARNING, 3: logging.INFO}


class _LogWriter(pj.LogWriter):  # type: ignore[misc]
    def write(self, entry: Any) -> None:
        with contextlib.suppress(Exception):  # logging must never take the stack down
            pjlog.log(_PJ_LEVELS.get(entry.level, logging.DEBUG), "%s", entry.msg.rstrip())


class _Endpoint(pj.Endpoint):  # type: ignore[misc]
    def __init__(self, stack: SipStack) -> None:
        super().__init__()
        self._stack = weakref.ref(stack)

    @guarded
    def onTransportState(self, prm: Any) -> None:
        stack = self._stack()
        if stack and prm.state == pj.PJSIP_TP_STATE_DISCONNECTED:
            stack.listener.on_transport_down()


class _Account(pj.Account):  # type: ignore[misc]
    def __init__(self, stack: SipStack) -> None:
        super().__init__()
        self._stack = weakref.ref(stack)

    @guarded
    def onRegState(self, prm: Any) -> None:
        stack = self._stack()
        if stack:
            active = bool(self.getInfo().regIsActive)
            stack.listener.on_registration(int(prm.code), str(prm.reason), int(prm.expiration), active)

    @guarded
    def onIncomingCall(self, prm: Any) -> None:
        stack = self._stack()
        if stack:
            stack.take_incoming(self, int(prm.callId), str(prm.rdata.srcAddress), str(prm.rdata.wholeMsg))


_STATES = {
    pj.PJSIP_INV_STATE_CALLING: CallState.DIALING,
    pj.PJSIP_INV_STATE_INCOMING: CallState.RINGING_IN,
    pj.PJSIP_INV_STATE_CONNECTING: CallState.CONNECTING,
    pj.PJSIP_INV_STATE_CONFIRMED: CallState.ACTIVE,
    pj.PJSIP_INV_STATE_DISCONNECTED: CallState.ENDED,
}


class _Call(pj.Call):  # type: ignore[misc]
    def __init__(self, stack: SipStack, account: pj.Account, call_id: int, pj_id: int = pj.PJSUA_INVALID_ID) -> None:
        super().__init__(account, pj_id)
        self._stack = weakref.ref(stack)
        self.call_id = call_id

    @guarded
    def onCallState(self, prm: Any) -> None:
        stack = self._stack()
        if not stack:
            return
        info = self.getInfo()
        state = _STATES.get(info.state)
        if info.state == pj.PJSIP_INV_STATE_EARLY:
            state = CallState.RINGING_IN if info.role == pj.PJSIP_ROLE_UAS else CallState.RINGING_OUT
        if state is not None:
            stack.listener.on_call_state(self.call_id, state, int(info.lastStatusCode), str(info.lastReason))

    @guarded
    def onCallMediaState(self, prm: Any) -> None:
        stack = self._stack()
        if stack:
            stack.media_changed(self)

    @guarded
    def onCallTransferStatus(self, prm: Any) -> None:
        stack = self._stack()
        if stack:
            final = bool(prm.finalNotify)
            stack.listener.on_transfer_status(self.call_id, int(prm.statusCode), str(prm.reason), final)

    @guarded
    def onCallTransferRequest(self, prm: Any) -> None:
        prm.statusCode = 603  # a REFER to us: nobody may redirect the agent's calls


def _first_audio(info: Any) -> Any | None:
    for media in info.media:
        if media.type == pj.PJMEDIA_TYPE_AUDIO:
            return media
    return None


class SipStack:
    """pjsua2, owned by one thread. Every method must be called on it."""

    def __init__(self, listener: StackListener, user_agent: str, log_level: int = 3) -> None:
        self.listener = listener
        self._user_agent = user_agent
        self._log_level = log_level
        self._log_writer = _LogWriter()
        self._endpoint: _Endpoint | None = None
        self._transports: _Transports | None = None
        self._account: _Account | None = None
        self._config: AccountConfig | None = None
        self._calls: dict[int, _Call] = {}
        self._audio: ClockUser | None = None
        self._next_id = 1
        self._resumes = ResumeWatch()  # resumed calls, until their media flow both ways (see resume.py)

    # -- life cycle -----------------------------------------------------------

    def start(self, bind_address: str, audio: ClockUser | None) -> tuple[str, int]:
        """Create and start the library; returns the wake-up address. With
        `audio`, the sound device drives the media clock (MediaClock);
        without, pjsua2's null device keeps time so calls still carry RTP."""
        endpoint = _Endpoint(self)
        with quiet_stdout():  # pjlib prints its start-up to stdout before our log writer exists
            endpoint.libCreate()
        self._endpoint = endpoint
        _pj_call(lambda: endpoint.libInit(self._endpoint_config()), "starting the SIP stack")
        if audio is None:
            endpoint.audDevManager().setNullDev()
        else:
            library = MediaLibrary(str(pj._pjsua2.__file__))
            audio.attach_clock(MediaClock(library, library.take_master_port(), self._register_media_thread))
            self._audio = audio
        self._transports = self._create_transports(endpoint, bind_address)
        for codec, priority in CODEC_PRIORITIES.items():
            endpoint.codecSetPriority(codec, priority)
        endpoint.libStart()
        return self._transports.wake

    def _register_media_thread(self) -> None:
        """pjlib wants to know every thread that calls it (the device's)."""
        endpoint = self._endpoint
        if endpoint is not None and not endpoint.libIsThreadRegistered():
            endpoint.libRegisterThread("audio")

    def _endpoint_config(self) -> Any:
        config = pj.EpConfig()
        config.uaConfig.threadCnt = 0  # our thread polls; no hidden pj threads
        config.uaConfig.mainThreadOnly = False
        config.uaConfig.userAgent = self._user_agent
        config.uaConfig.maxCalls = 4
        config.logConfig.writer = self._log_writer
        config.logConfig.level = self._log_level
        config.logConfig.consoleLevel = 0
        config.logConfig.decor = pj.PJ_LOG_HAS_SENDER
        media = config.medConfig
        media.clockRate = media.sndClockRate = CLOCK_RATE
        media.audioFramePtime = media.ptime = FRAME_MS
        media.noVad = True
        media.ecTailLen = 0  # pjmedia's echo canceller lives in its sound port, unused here
        media.quality = 4
        # RTP on pjmedia's own thread, in C. Polling it from the SIP thread
        # instead was measured slower: 50 returns a second into Python, and
        # that thread then competes for the GIL with the audio callback.
        media.threadCnt = 1
        return config

    @staticmethod
    def _create_transports(endpoint: _Endpoint, bind_address: str) -> _Transports:
        config = pj.TransportConfig()
        config.port = 0
        config.boundAddress = bind_address
        udp = _pj_call(lambda: endpoint.transportCreate(pj.PJSIP_TRANSPORT_UDP, config), "opening a UDP port")
        tcp = _pj_call(lambda: endpoint.transportCreate(pj.PJSIP_TRANSPORT_TCP, config), "opening a TCP port")
        host, port = str(endpoint.transportGetInfo(udp).localName).rsplit(":", 1)
        # The engine wakes our poll by sending an empty keep-alive (CRLF) here.
        wake_host = "127.0.0.1" if bind_address in ("0.0.0.0", "") else host
        return _Transports(udp, tcp, (wake_host, int(port)))

    def poll(self, timeout_ms: int) -> None:
        assert self._endpoint is not None
        self._endpoint.libHandleEvents(timeout_ms)
        if self._resumes.due:  # after the poll: no re-INVITE may start inside pjsua2's callbacks
            self._resumes.resend(self._calls, lambda call_id: self._unhold(self._calls[call_id]))

    def shutdown(self) -> None:
        """Hang up, unregister, drop every wrapper, then destroy the library."""
        endpoint = self._endpoint
        if endpoint is None:
            return
        if self._calls:
            endpoint.hangupAllCalls()
            self._poll_until(lambda: not any(c.isActive() for c in self._calls.values()), 2.0)
        self.unregister(wait=True)
        if self._audio is not None:
            self._audio.detach_clock()  # no tick may reach pjmedia after this
        self._calls.clear()
        self._account = None
        gc.collect()
        endpoint.libDestroy()
        self._endpoint = None
        gc.collect()

    def _poll_until(self, done: Callable[[], bool], seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not done() and time.monotonic() < deadline:
            self.poll(20)

    # -- account ----------------------------------------------------------------

    def register(self, config: AccountConfig) -> None:
        assert self._endpoint is not None and self._transports is not None
        account_config = self._account_config(config)
        self._config = config
        if self._account is None:
            account = _Account(self)
            _pj_call(lambda: account.create(account_config), "creating the account")
            self._account = account
        else:
            existing = self._account
            _pj_call(lambda: existing.modify(account_config), "changing the account")

    def _account_config(self, config: AccountConfig) -> Any:
        assert self._transports is not None
        transport = ";transport=tcp" if config.transport == "tcp" else ""
        host = config.server
        result = pj.AccountConfig()
        result.idUri = f"sip:{config.user}@{host_only(host)}"
        result.regConfig.registrarUri = f"sip:{host}{transport}"
        result.regConfig.timeoutSec = config.register_seconds
        result.regConfig.retryIntervalSec = 20
        result.regConfig.firstRetryIntervalSec = 5
        result.regConfig.randomRetryIntervalSec = 3
        result.regConfig.delayBeforeRefreshSec = 5
        result.regConfig.dropCallsOnFail = False
        result.regConfig.unregWaitMsec = 1500
        result.sipConfig.transportId = self._transports.tcp if config.transport == "tcp" else self._transports.udp
        result.sipConfig.authCreds.append(pj.AuthCredInfo("digest", "*", config.user, 0, config.password))
        result.natConfig.sipOutboundUse = 0
        result.natConfig.udpKaIntervalSec = 15
        result.callConfig.timerUse = pj.PJSUA_SIP_TIMER_OPTIONAL
        # No UPDATE "to use only one codec" after each SDP answer (pjsua's
        # lock codec): Asterisk answers with one codec anyway. That UPDATE,
        # sent just after a hold re-INVITE, was still pending when a
        # consultation failed at once (404) and the caller was taken off
        # hold: pjsip then sent the un-hold re-INVITE with the UPDATE's
        # sendonly offer, and the caller stayed on hold at the PBX.
        result.mediaConfig.lockCodecEnabled = False
        return result

    def unregister(self, wait: bool = False) -> None:
        account = self._account
        if account is None or not account.getInfo().regIsActive:
            return
        try:
            account.setRegistration(False)
        except pj.Error as error:
            log.warning("unregister failed: %s", error.reason)
            return
        if wait:
            self._poll_until(lambda: not account.getInfo().regIsActive, 2.0)

    def reregister(self) -> None:
        if self._account is None:
            return
        try:
            self._account.setRegistration(True)
        except pj.Error as error:  # e.g. a REGISTER is still in progress: it will report
            log.info("re-register not started: %s", error.reason)

    # -- calls ------------------------------------------------------------------

    def _new_id(self) -> int:
        call_id = self._next_id
        self._next_id += 1
        return call_id

    def dial(self, uri: str) -> int:
        if self._account is None:
            raise PhoneError("no account is configured")
        endpoint = self._endpoint
        assert endpoint is not None
        if endpoint.utilVerifySipUri(uri) != 0:
            raise PhoneError(f"{uri} is not a valid SIP address")
        call_id = self._new_id()
        call = _Call(self, self._account, call_id)
        self._calls[call_id] = call
        param = pj.CallOpParam(True)
        param.opt.audioCount = 1
        param.opt.videoCount = 0
        try:
            call.makeCall(uri, param)
        except pj.Error as error:
            self._calls.pop(call_id, None)
            raise PhoneError(f"could not call {uri}: {error.reason or error.info()}") from None
        return call_id

    def take_incoming(self, account: pj.Account, pj_id: int, source: str, message: str) -> None:
        call_id = self._new_id()
        call = _Call(self, account, call_id, pj_id)
        self._calls[call_id] = call
        info = call.getInfo()
        source_ip = source.rsplit(":", 1)[0].strip("[]")
        headers = header_map(message)
        code = self.listener.on_incoming(call_id, str(info.remoteUri), source_ip, headers, str(info.callIdString))
        if code == 180:
            self._respond(call, 180)
        else:
            self._end(call, code)

    def answer(self, call_id: int) -> None:
        self._respond(self._call(call_id), 200)

    def reject(self, call_id: int, code: int = 486) -> None:
        self._end(self._call(call_id), code)

    def hangup(self, call_id: int) -> None:
        self._end(self._call(call_id), 0)

    def transfer(self, call_id: int, uri: str, replacing: int | None = None) -> None:
        """REFER the call to `uri` (blind), or to the party of call
        `replacing` (attended: Refer-To carries Replaces for that dialog)."""
        call, param = self._call(call_id), pj.CallOpParam(True)
        if replacing is None:
            _pj_call(lambda: call.xfer(uri, param), "transferring the call")
        else:
            other = self._call(replacing)
            _pj_call(lambda: call.xferReplaces(other, param), "completing the transfer")

    def set_hold(self, call_id: int, hold: bool) -> None:
        """Hold or resume; raises PhoneError while a re-INVITE of the call
        is still under way (the caller may try again shortly)."""
        call = self._call(call_id)
        if hold:
            self._resumes.forget(call_id)
            _pj_call(lambda: call.setHold(pj.CallOpParam(True)), "putting the call on hold")
        else:
            self._resumes.cancel_due(call_id)
            self._unhold(call)
            self._resumes.watch(call_id)

    @staticmethod
    def _unhold(call: _Call) -> None:
        param = pj.CallOpParam(True)
        param.opt.flag = pj.PJSUA_CALL_UNHOLD
        _pj_call(lambda: call.reinvite(param), "taking the call off hold")

    def send_dtmf(self, call_id: int, digits: str) -> None:
        call = self._call(call_id)
        param = pj.CallSendDtmfParam()
        param.digits = digits
        param.method = pj.PJSUA_DTMF_METHOD_RFC2833
        _pj_call(lambda: call.sendDtmf(param), "sending keypad tones")

    def route_audio(self, call_id: int, speaker: bool, microphone: bool) -> None:
        """Connect (or not) the call's audio to the sound device (slot 0)."""
        call = self._calls.get(call_id)
        endpoint = self._endpoint
        if call is None or endpoint is None:
            return
        try:
            media = call.getAudioMedia(-1)
        except pj.Error:
            return  # no audio (yet, or any more)
        devices = endpoint.audDevManager()
        for connect, source, sink in ((speaker, media, devices.getPlaybackDevMedia()),
                                      (microphone, devices.getCaptureDevMedia(), media)):
            if connect:
                source.startTransmit(sink)
            else:
                source.stopTransmit(sink)

    def media_changed(self, call: _Call) -> None:
        media = _first_audio(call.getInfo())
        status = media.status if media is not None else pj.PJSUA_CALL_MEDIA_NONE
        if media is not None:  # pjsip may have sent a pending sendonly offer for our un-hold
            still_held = status == pj.PJSUA_CALL_MEDIA_LOCAL_HOLD or media.dir == pj.PJMEDIA_DIR_ENCODING
            self._resumes.media_reported(call.call_id, still_held)
        self.listener.on_media_state(
            call.call_id,
            status in (pj.PJSUA_CALL_MEDIA_ACTIVE, pj.PJSUA_CALL_MEDIA_REMOTE_HOLD),
            status == pj.PJSUA_CALL_MEDIA_LOCAL_HOLD,
            status == pj.PJSUA_CALL_MEDIA_REMOTE_HOLD,
        )

    def release(self, call_id: int) -> None:
        """Drop the wrapper of an ended call (on the next loop turn)."""
        self._calls.pop(call_id, None)
        self._resumes.forget(call_id)

    def _call(self, call_id: int) -> _Call:
        call = self._calls.get(call_id)
        if call is None:
            raise PhoneError("that call has already ended")
        return call

    @staticmethod
    def _respond(call: _Call, code: int) -> None:
        param = pj.CallOpParam(True)
        param.statusCode = code
        _pj_call(lambda: call.answer(param), "answering")

    @staticmethod
    def _end(call: _Call, code: int) -> None:
        param = pj.CallOpParam(True)
        if code:
            param.statusCode = code
        _pj_call(lambda: call.hangup(param), "hanging up")
