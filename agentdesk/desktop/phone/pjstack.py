"""The pjsua2 library: its start and end, the transports and the account.
Only this module, pjcalls.py (the calls) and pjversion.py import pjsua2.

`SipStack` owns the library and every pj object. All of its methods, and
every pjsua2 callback except the audio port's, run on the phone engine's
thread (see engine.py): the engine calls `poll()`, pjsua2 dispatches its
callbacks from inside it, and the adapters below (and pjcalls.py's) turn
each callback into a plain call on a `StackListener`. They copy what they
need out of the callback parameters at once, never block, and log instead
of raising (SWIG would swallow the exception).

The stack is built first and given to the call logic (core.py), which is
its listener: the listener is handed to `start()`, which creates the pjsua2
objects that report to it, and `shutdown()` lets go of it with them.

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
from typing import Any

import pjsua2 as pj

from .mediaclock import MediaClock, MediaLibrary
from .mediapoll import MediaPoller
from .model import AccountConfig, Binding, PhoneError
from .pjcalls import PjCalls, pj_call, request_origin, srtp_policy
from .pjutil import guarded, quiet_stdout
from .qualitytrack import StreamSample
from .sipmsg import host_only
from .stackapi import ClockUser, StackListener

log = logging.getLogger("agentdesk.desktop.phone")
pjlog = logging.getLogger("agentdesk.desktop.phone.pjsip")

CLOCK_RATE = 16000
FRAME_MS = 20
CODEC_PRIORITIES = {"G722/16000/1": 250, "PCMU/8000/1": 240, "PCMA/8000/1": 230}


def _keep_jitter_buffer_depth(media: Any) -> None:
    """Turns off pjmedia's discarding of frames to shorten the buffer.

    Its default (progressive) discard trims the buffer towards the burst
    level of arrivals, below the 60 ms minimum above, so a lost packet
    found the buffer empty: silence while it refilled, and the playout
    shifted after every loss. Without it a lost packet is a gap inside the
    buffer that concealment fills, and speech through 3-5 % loss scores
    about 0.3 PESQ higher (tests/bench/bench_impaired_audio.py). The cost
    is drift: audio arriving faster than the sound card plays it piles up,
    at most to `jbMax` (the buffer then drops its oldest frame), which
    cheap headsets reach only in calls of tens of minutes.
    """
    media.jbDiscardAlgo = pj.PJMEDIA_JB_DISCARD_NONE


@dataclass(frozen=True)
class _Transports:
    udp: int
    tcp: int
    wake: tuple[str, int]
    tls: int | None = None


# -- adapters: translate, emit, nothing else ---------------------------------


_PJ_LEVELS = {0: logging.CRITICAL, 1: logging.ERROR, 2: logging.WARNING, 3: logging.INFO}


class _LogWriter(pj.LogWriter):  # type: ignore[misc]
    def write(self, entry: Any) -> None:
        with contextlib.suppress(Exception):  # logging must never take the stack down
            pjlog.log(_PJ_LEVELS.get(entry.level, logging.DEBUG), "%s", entry.msg.rstrip())


class _Endpoint(pj.Endpoint):  # type: ignore[misc]
    def __init__(self, listener: StackListener) -> None:
        super().__init__()
        self._listener = listener

    @guarded
    def onTransportState(self, prm: Any) -> None:
        if prm.state == pj.PJSIP_TP_STATE_DISCONNECTED:
            self._listener.on_transport_down()

    @guarded
    def onRejectedIncomingCall(self, prm: Any) -> None:
        sender, target = request_origin(str(prm.rdata.srcAddress), str(prm.rdata.wholeMsg))
        self._listener.on_incoming_refused(str(prm.remoteInfo), sender, target, int(prm.statusCode))


class _Account(pj.Account):  # type: ignore[misc]
    def __init__(self, calls: PjCalls) -> None:
        super().__init__()
        self._calls = weakref.ref(calls)

    @guarded
    def onRegState(self, prm: Any) -> None:
        calls = self._calls()
        if calls is not None:
            active = bool(self.getInfo().regIsActive)
            calls.listener.on_registration(int(prm.code), str(prm.reason), int(prm.expiration), active)

    @guarded
    def onIncomingCall(self, prm: Any) -> None:
        calls = self._calls()
        if calls is not None:
            calls.take_incoming(self, int(prm.callId), str(prm.rdata.srcAddress), str(prm.rdata.wholeMsg))


class SipStack:
    """pjsua2, owned by one thread. Every method must be called on it.
    Implements stackapi.SipCommands; between `start()` and `shutdown()` it
    reports to the listener given to `start()`."""

    def __init__(self, user_agent: str, log_level: int = 3) -> None:
        self._user_agent = user_agent
        self._log_level = log_level
        self._log_writer: _LogWriter | None = None
        self._endpoint: _Endpoint | None = None
        self._transports: _Transports | None = None
        self._account: _Account | None = None
        self._calls: PjCalls | None = None
        self._audio: ClockUser | None = None
        self._media: MediaPoller | None = None

    # -- life cycle -----------------------------------------------------------

    def start(self, bind: Binding, audio: ClockUser | None, listener: StackListener) -> tuple[str, int]:
        """Create and start the library, reporting to `listener`; returns the
        wake-up address. With `audio`, the sound device drives the media
        clock (MediaClock); without, pjsua2's null device keeps time so
        calls still carry RTP. After `shutdown()` it may start again (on
        another local address), with wrappers all new."""
        endpoint = _Endpoint(listener)
        with quiet_stdout():  # pjlib prints its start-up to stdout before our log writer exists
            endpoint.libCreate()
        self._endpoint = endpoint
        self._calls = PjCalls(listener, endpoint)
        self._log_writer = _LogWriter()  # a new one for each library started
        pj_call(lambda: endpoint.libInit(self._endpoint_config()), "starting the SIP stack")
        library = MediaLibrary(str(pj._pjsua2.__file__))
        library.match_g722_level()
        self._media = MediaPoller(library, self._register_media_thread)
        if audio is None:
            endpoint.audDevManager().setNullDev()
        else:
            audio.attach_clock(MediaClock(library, library.take_master_port(), self._register_media_thread))
            self._audio = audio
        self._transports = self._create_transports(endpoint, bind)
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
        # maxCalls stays at pjsua's default, all the call slots the build has
        # (PJSUA_MAX_CALLS in installers/pjsua2/config_site.h). How many calls
        # an agent may hold is the phone's own rule (core.MAX_CALLS: a call
        # offered over it is refused with 486, a dial over it is explained);
        # the slots beyond it keep pjsua from refusing a call by itself while
        # other calls are still ending or strangers' INVITEs are refused.
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
        # RTP on pjmedia's own sockets, polled on a thread of its own in C
        # while a call exists (mediapoll.py stops pjmedia's worker, which
        # polls every 10 ms, calls or not; pjsua insists on starting one).
        # Polling them from the SIP thread instead was measured slower: 50
        # returns a second into Python on the thread that runs the call logic.
        media.threadCnt = 1
        # Home networks: Wi-Fi and DSL jitter of tens of milliseconds. The
        # adaptive buffer starts 60 ms deep and never prefetches less, so a
        # late packet is played rather than concealed; it may grow to 240 ms
        # on a bad line and never holds more than 300 ms.
        media.jbInit = media.jbMinPre = 60
        media.jbMaxPre = 240
        media.jbMax = 300
        _keep_jitter_buffer_depth(media)
        return config

    @staticmethod
    def _create_transports(endpoint: _Endpoint, bind: Binding) -> _Transports:
        def config(address: str) -> Any:
            result = pj.TransportConfig()
            result.port = 0
            result.boundAddress = address
            return result

        udp_config, tcp_config = config(bind.udp), config(bind.address)
        udp = pj_call(lambda: endpoint.transportCreate(pj.PJSIP_TRANSPORT_UDP, udp_config), "opening a UDP port")
        tcp = pj_call(lambda: endpoint.transportCreate(pj.PJSIP_TRANSPORT_TCP, tcp_config), "opening a TCP port")
        tls = None
        if bind.tls_ca is not None:
            tls_config = config(bind.address)
            # pjsip checks the chain against these authorities and that the
            # certificate names the host dialled; a failure ends the
            # connection before anything is sent (trust.py says why).
            tls_config.tlsConfig.CaListFile = bind.tls_ca
            tls_config.tlsConfig.verifyServer = True
            tls_config.tlsConfig.method = pj.PJSIP_TLSV1_2_METHOD
            tls = pj_call(lambda: endpoint.transportCreate(pj.PJSIP_TRANSPORT_TLS, tls_config), "starting TLS")
        host, port = str(endpoint.transportGetInfo(udp).localName).rsplit(":", 1)
        # The engine wakes our poll by sending an empty keep-alive (CRLF) here.
        wake_host = "127.0.0.1" if bind.udp in ("0.0.0.0", "") else host
        return _Transports(udp, tcp, (wake_host, int(port)), tls)

    def poll(self, timeout_ms: int) -> None:
        assert self._endpoint is not None and self._calls is not None
        self._endpoint.libHandleEvents(timeout_ms)
        self._calls.after_poll()
        if self._media is not None:
            self._media.want(self._calls.any_calls())

    def shutdown(self) -> None:
        """Hang up, unregister, drop every wrapper, then destroy the library."""
        endpoint, calls = self._endpoint, self._calls
        if endpoint is None or calls is None:
            return
        if calls.any_calls():
            endpoint.hangupAllCalls()
            self._poll_until(lambda: not calls.any_active(), 2.0)
        self.unregister(wait=True)
        if self._audio is not None:
            self._audio.detach_clock()  # no tick may reach pjmedia after this
            self._audio = None
        if self._media is not None:
            self._media.stop()  # nor a poll
            self._media = None
        calls.drop_all()
        self._calls = None
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
        assert self._calls is not None
        account_config = self._account_config(config)
        self._calls.srtp_policy = srtp_policy(account_config.mediaConfig.srtpUse)  # its calls' SRTP, for their quality
        if self._account is None:
            account = _Account(self._calls)
            pj_call(lambda: account.create(account_config), "creating the account")
            self._account = account
        else:
            existing = self._account
            pj_call(lambda: existing.modify(account_config), "changing the account")

    def _account_config(self, config: AccountConfig) -> Any:
        assert self._transports is not None
        transport = f";transport={config.transport}" if config.transport in ("tcp", "tls") else ""
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
        result.sipConfig.transportId = self._transport_for(config)
        result.sipConfig.authCreds.append(pj.AuthCredInfo("digest", "*", config.user, 0, config.password))
        if config.flow_token:
            result.sipConfig.contactUriParams = f";adflow={config.flow_token}"
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
        if config.secure:
            # Encrypted audio or no call: SDES keys, offered and accepted
            # only over a TLS hop; an answer or offer without them is
            # refused (488), never taken as plain RTP.
            result.mediaConfig.srtpUse = pj.PJMEDIA_SRTP_MANDATORY
            result.mediaConfig.srtpSecureSignaling = 1
            keyings = pj.IntVector()
            keyings.append(pj.PJMEDIA_SRTP_KEYING_SDES)
            result.mediaConfig.srtpOpt.keyings = keyings
        return result

    def _transport_for(self, config: AccountConfig) -> int:
        transports = self._transports
        assert transports is not None
        if config.transport == "tls":
            if transports.tls is None:
                raise PhoneError("TLS is not started; the phone restarts to use it")
            return transports.tls
        return transports.tcp if config.transport == "tcp" else transports.udp

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

    def handle_ip_change(self) -> None:
        """Reopen the transports, register again and re-INVITE the calls
        from the computer's new address."""
        if self._endpoint is None:
            return
        param = pj.IpChangeParam()
        param.restartListener = True
        try:
            self._endpoint.handleIpChange(param)
        except pj.Error as error:
            log.warning("could not move to the new address: %s", error.reason)

    def reregister(self) -> None:
        if self._account is None:
            return
        try:
            self._account.setRegistration(True)
        except pj.Error as error:  # e.g. a REGISTER is still in progress: it will report
            log.info("re-register not started: %s", error.reason)

    # -- calls (pjcalls.py) -------------------------------------------------------

    def _running_calls(self) -> PjCalls:
        if self._calls is None:
            raise PhoneError("the SIP stack is not running")
        return self._calls

    def dial(self, uri: str) -> int:
        if self._account is None:
            raise PhoneError("no account is configured")
        return self._running_calls().dial(self._account, uri)

    def answer(self, call_id: int) -> None:
        self._running_calls().answer(call_id)

    def reject(self, call_id: int, code: int = 486) -> None:
        self._running_calls().reject(call_id, code)

    def hangup(self, call_id: int) -> None:
        self._running_calls().hangup(call_id)

    def transfer(self, call_id: int, uri: str, replacing: int | None = None) -> None:
        """REFER the call to `uri` (blind), or to the party of call
        `replacing` (attended: Refer-To carries Replaces for that dialog)."""
        self._running_calls().transfer(call_id, uri, replacing)

    def set_hold(self, call_id: int, hold: bool) -> None:
        """Hold or resume; raises PhoneError while a re-INVITE of the call
        is still under way (the caller may try again shortly)."""
        self._running_calls().set_hold(call_id, hold)

    def send_dtmf(self, call_id: int, digits: str) -> None:
        self._running_calls().send_dtmf(call_id, digits)

    def route_audio(self, call_id: int, speaker: bool, microphone: bool) -> None:
        """Connect (or not) the call's audio to the sound device (slot 0)."""
        if self._calls is not None:
            self._calls.route_audio(call_id, speaker, microphone)

    def stream_stats(self, call_id: int) -> StreamSample | None:
        """A reading of the call's audio stream, for its quality (pjcalls.py)."""
        return self._calls.stream_stats(call_id) if self._calls is not None else None

    def release(self, call_id: int) -> None:
        """Drop the wrapper of an ended call (on the next loop turn)."""
        if self._calls is not None:
            self._calls.release(call_id)
