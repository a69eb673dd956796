"""The calls of the pjsua2 stack: their wrappers and the commands on them.

`PjCalls` is created by `SipStack.start()` and dropped by its `shutdown()`,
on the phone engine's thread, like every pjsua2 object. It keeps each call's
`pj.Call` wrapper under the phone's own call id, turns the commands of
stackapi.SipCommands into pjsua2 calls, reports each call's state,
media and transfer progress to the stack's listener, and reads its audio
stream's statistics when asked (`stream_stats`, for its quality). As in pjstack.py, the
callbacks copy what they need at once, never block, and log instead of
raising.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

import pjsua2 as pj

from .model import CallState, PhoneError
from .pjutil import guarded
from .qualitytrack import StreamSample, srtp_answer, transport_of_contact
from .resume import ResumeWatch
from .sipmsg import header_map
from .stackapi import StackListener

log = logging.getLogger("agentdesk.desktop.phone")

_T = TypeVar("_T")


def pj_call(action: Callable[[], _T], what: str) -> _T:
    """Run a pjsua2 command; its error becomes a PhoneError saying `what`."""
    try:
        return action()
    except pj.Error as error:
        raise PhoneError(f"{what}: {error.reason or error.info()}") from None


_STATES = {
    pj.PJSIP_INV_STATE_CALLING: CallState.DIALING,
    pj.PJSIP_INV_STATE_INCOMING: CallState.RINGING_IN,
    pj.PJSIP_INV_STATE_CONNECTING: CallState.CONNECTING,
    pj.PJSIP_INV_STATE_CONFIRMED: CallState.ACTIVE,
    pj.PJSIP_INV_STATE_DISCONNECTED: CallState.ENDED,
}


class _Call(pj.Call):  # type: ignore[misc]
    def __init__(self, calls: PjCalls, account: pj.Account, call_id: int, pj_id: int = pj.PJSUA_INVALID_ID) -> None:
        super().__init__(account, pj_id)
        self._calls = weakref.ref(calls)
        self.call_id = call_id

    @guarded
    def onCallState(self, prm: Any) -> None:
        calls = self._calls()
        if calls is None:
            return
        info = self.getInfo()
        state = _STATES.get(info.state)
        if info.state == pj.PJSIP_INV_STATE_EARLY:
            state = CallState.RINGING_IN if info.role == pj.PJSIP_ROLE_UAS else CallState.RINGING_OUT
        if state is not None:
            calls.listener.on_call_state(self.call_id, state, int(info.lastStatusCode), str(info.lastReason))

    @guarded
    def onCallMediaState(self, prm: Any) -> None:
        calls = self._calls()
        if calls is not None:
            calls.media_changed(self)

    @guarded
    def onCallTransferStatus(self, prm: Any) -> None:
        calls = self._calls()
        if calls is not None:
            final = bool(prm.finalNotify)
            calls.listener.on_transfer_status(self.call_id, int(prm.statusCode), str(prm.reason), final)

    @guarded
    def onCallTransferRequest(self, prm: Any) -> None:
        prm.statusCode = 603  # a REFER to us: nobody may redirect the agent's calls


_SRTP_POLICIES = {pj.PJMEDIA_SRTP_DISABLED: "disabled", pj.PJMEDIA_SRTP_OPTIONAL: "optional",
                  pj.PJMEDIA_SRTP_MANDATORY: "mandatory"}


def srtp_policy(srtp_use: Any) -> str:
    """An account's SRTP setting (pjsua2's srtpUse) by name."""
    return _SRTP_POLICIES.get(int(srtp_use), "unknown")


def _ms(usec: Any) -> float:
    return float(usec) / 1000.0


def _stream_sample(stat: Any, stream: Any, info: Any, policy: str | None) -> StreamSample:
    """Copied out of pjsua2's stream statistics (its StreamStat: RTCP's
    view of both directions, and the jitter buffer's)."""
    rtcp, buffer = stat.rtcp, stat.jbuf
    rx, tx = rtcp.rxStat, rtcp.txStat
    return StreamSample(
        codec=str(stream.codecName), received=int(rx.pkt), lost=int(rx.loss), discarded=int(rx.discard),
        jitter_ms=_ms(rx.jitterUsec.last),
        jitter_buffer_ms=float(buffer.avgDelayMsec) if buffer.avgDelayMsec > 0 else None,
        rtt_ms=_ms(rtcp.rttUsec.last) if rtcp.rttUsec.n > 0 else None,
        sent=int(tx.pkt), remote_reports=int(tx.updateCount), remote_lost=int(tx.loss),
        remote_jitter_ms=_ms(tx.jitterUsec.last), transport=transport_of_contact(str(info.localContact)),
        srtp=srtp_answer(policy, bool(int(stream.proto) & pj.PJMEDIA_TP_PROFILE_SRTP)),
        sip_call_id=str(info.callIdString),
    )


def request_origin(source: str, message: str) -> tuple[tuple[str, int], str]:
    """Who sent a request (pjsip's "1.2.3.4:5060" or "[::1]:5060" as
    address and port) and the URI it was sent to (its request line's)."""
    address, _, port = source.rpartition(":")
    sender = (address.strip("[]"), int(port)) if port.isdigit() and address else (source.strip("[]"), 0)
    request_line = message.split("\r\n", 1)[0].split(" ")
    return sender, request_line[1] if len(request_line) == 3 else ""


def _first_audio(info: Any) -> Any | None:
    for media in info.media:
        if media.type == pj.PJMEDIA_TYPE_AUDIO:
            return media
    return None


class PjCalls:
    """The call wrappers of one started library, owned by its thread."""

    def __init__(self, listener: StackListener, endpoint: pj.Endpoint) -> None:
        self.listener = listener
        self._endpoint = endpoint
        self._calls: dict[int, _Call] = {}
        self._next_id = 1
        self._resumes = ResumeWatch()  # resumed calls, until their media flow both ways (see resume.py)
        self.srtp_policy: str | None = None  # the account's SRTP setting (the stack's register() sets it)

    def any_calls(self) -> bool:
        return bool(self._calls)

    def any_active(self) -> bool:
        return any(c.isActive() for c in self._calls.values())

    def drop_all(self) -> None:
        """Let go of every wrapper (the library is about to be destroyed)."""
        self._calls.clear()

    def after_poll(self) -> None:
        """Send again the un-holds pjsip dropped: after the poll, since no
        re-INVITE may start inside pjsua2's callbacks."""
        if self._resumes.due:
            self._resumes.resend(self._calls, lambda call_id: self._unhold(self._calls[call_id]))

    def _new_id(self) -> int:
        call_id = self._next_id
        self._next_id += 1
        return call_id

    def dial(self, account: pj.Account, uri: str) -> int:
        if self._endpoint.utilVerifySipUri(uri) != 0:
            raise PhoneError(f"{uri} is not a valid SIP address")
        call_id = self._new_id()
        call = _Call(self, account, call_id)
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
        sender, target = request_origin(source, message)
        headers = header_map(message)
        code = self.listener.on_incoming(call_id, str(info.remoteUri), sender, headers, str(info.callIdString),
                                         target)
        if code == 180:
            self._respond(call, 180)
        else:
            self._end(call, code)

    def answer(self, call_id: int) -> None:
        self._respond(self._call(call_id), 200)

    def reject(self, call_id: int, code: int) -> None:
        self._end(self._call(call_id), code)

    def hangup(self, call_id: int) -> None:
        self._end(self._call(call_id), 0)

    def transfer(self, call_id: int, uri: str, replacing: int | None) -> None:
        call, param = self._call(call_id), pj.CallOpParam(True)
        if replacing is None:
            pj_call(lambda: call.xfer(uri, param), "transferring the call")
        else:
            other = self._call(replacing)
            pj_call(lambda: call.xferReplaces(other, param), "completing the transfer")

    def set_hold(self, call_id: int, hold: bool) -> None:
        call = self._call(call_id)
        if hold:
            self._resumes.forget(call_id)
            pj_call(lambda: call.setHold(pj.CallOpParam(True)), "putting the call on hold")
        else:
            self._resumes.cancel_due(call_id)
            self._unhold(call)
            self._resumes.watch(call_id)

    @staticmethod
    def _unhold(call: _Call) -> None:
        param = pj.CallOpParam(True)
        param.opt.flag = pj.PJSUA_CALL_UNHOLD
        pj_call(lambda: call.reinvite(param), "taking the call off hold")

    def send_dtmf(self, call_id: int, digits: str) -> None:
        call = self._call(call_id)
        param = pj.CallSendDtmfParam()
        param.digits = digits
        param.method = pj.PJSUA_DTMF_METHOD_RFC2833
        pj_call(lambda: call.sendDtmf(param), "sending keypad tones")

    def route_audio(self, call_id: int, speaker: bool, microphone: bool) -> None:
        call = self._calls.get(call_id)
        if call is None:
            return
        try:
            media = call.getAudioMedia(-1)
        except pj.Error:
            return  # no audio (yet, or any more)
        devices = self._endpoint.audDevManager()
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

    def stream_stats(self, call_id: int) -> StreamSample | None:
        call = self._calls.get(call_id)
        if call is None:
            return None
        try:
            info = call.getInfo()
            media = _first_audio(info)
            if media is None or media.status == pj.PJSUA_CALL_MEDIA_NONE:
                return None
            stat, stream = call.getStreamStat(media.index), call.getStreamInfo(media.index)
        except pj.Error:
            return None  # no stream (yet, or any more)
        return _stream_sample(stat, stream, info, self.srtp_policy)

    def release(self, call_id: int) -> None:
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
        pj_call(lambda: call.answer(param), "answering")

    @staticmethod
    def _end(call: _Call, code: int) -> None:
        param = pj.CallOpParam(True)
        if code:
            param.statusCode = code
        pj_call(lambda: call.hangup(param), "hanging up")
