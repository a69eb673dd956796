"""The phone's behaviour, on the engine thread: what happens to calls and
the registration when the agent acts or the PBX does something.

`PhoneCore` implements the stack's listener (stackapi.StackListener) and
the engine's commands. It is built with the stack's commands and builds its
parts, handing each what it needs: the calls (callbook.py, one frozen
`CallSnapshot` per call, every change reported through `CoreEvents`) and the
hand-overs (handover.py: transfers and conferences). It never touches Qt and
never blocks.

Invariants:
- at most MAX_CALLS live calls; at most one of them is not on hold (the
  focused call), and only the focused call's audio reaches the agent;
- calls are taken only from the PBX's own address (scanners send INVITEs
  straight to softphones);
- an ended call's pjsua2 wrapper is released on the next loop turn.
"""

from __future__ import annotations

import logging
import secrets
import socket
import time
from dataclasses import replace

from agentdesk.contract import headers as header
from agentdesk.contract.ids import is_task_id, task_of_extension

from . import trust
from .callbook import CallBook
from .coreapi import AudioControl, CoreEvents
from .handover import Handovers
from .model import (
    AccountConfig,
    AccountSnapshot,
    CallSnapshot,
    CallState,
    Direction,
    RegState,
    parse_remote,
)
from .probe import PbxProbe
from .qualitywatch import QualityWatch
from .registration import PING_TIMEOUT, Registration
from .sipmsg import host_only
from .stackapi import SipCommands
from .timers import Timers
from .trust import TLS_PORT

log = logging.getLogger("agentdesk.desktop.phone")

MAX_CALLS = 2
FIRST_PING_DELAY = 0.2
PROBE_POLL = 0.1  # seconds between looks for the probe's answer
AUTO_ANSWER_DELAY = 0.35  # seconds: the beep plays, then the call is answered
MAX_AUTODIAL_SECONDS = 600
MAX_SESSION_LENGTH = 64  # a supervision session's id (the desk service makes 16 hex digits)
SIP_PORT = 5060  # the PBX's, when the server setting names none
FLOW_PARAM = "adflow"  # the Contact URI parameter carrying the flow token


def resolve_addresses(server: str) -> set[str]:
    host = host_only(server).strip("[]")
    try:
        return {str(info[4][0]) for info in socket.getaddrinfo(host, None)}
    except OSError:
        return {host}


def pbx_flows(server: str, transport: str = "udp") -> set[tuple[str, int]]:
    """Where the PBX's own requests come from: its addresses, on the SIP
    port the phone registers to. Over TCP that is the connection the phone
    opened (the PBX rewrites contacts and reuses it); over UDP the PBX sends
    from the port it listens on. A process on the PBX's host cannot take that
    port while the PBX holds it."""
    written = host_only(server)
    tail = server[len(written):]
    default = TLS_PORT if transport == "tls" else SIP_PORT
    port = int(tail[1:]) if tail.startswith(":") and tail[1:].isdigit() else default
    return {(address, port) for address in resolve_addresses(server)}


def route_address(server: str) -> str:
    """The local address packets to the PBX leave from ('' if unknown): a
    UDP socket connected to it (nothing is sent) reads the kernel's route."""
    host = host_only(server).strip("[]")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as probe:
            probe.connect((host, 9))
            return str(probe.getsockname()[0])
    except OSError:  # no route (offline), or a name that does not resolve now
        return ""


def flow_token(request_uri: str) -> str:
    """The token the PBX sent the request to ('' if none)."""
    for param in request_uri.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == FLOW_PARAM:
            return value.strip()
    return ""


def callback_offer(headers: dict[str, str]) -> tuple[str, int]:
    """(task id, auto-dial seconds) from a ringing call's headers; ('', 0)
    when it offers no callback. Malformed values count as absent."""
    task = headers.get(header.CALLBACK, "").strip()
    if not is_task_id(task):
        if task:
            log.warning("ignoring a malformed %s header", header.CALLBACK)
        return "", 0
    seconds = headers.get(header.AUTODIAL, "").strip()
    autodial = int(seconds) if seconds.isdigit() and seconds.isascii() else 0
    return task, min(autodial, MAX_AUTODIAL_SECONDS)


def supervision_offer(headers: dict[str, str]) -> str:
    """The supervision session a ringing call says it is ('' none). Only
    the desktop decides whether to answer it: it must be a session this
    desktop asked the desk service for."""
    session = headers.get(header.SUPERVISE, "").strip()
    if session and not (len(session) <= MAX_SESSION_LENGTH and session.isascii() and session.isalnum()):
        log.warning("ignoring a malformed %s header", header.SUPERVISE)
        return ""
    return session


class PhoneCore:
    def __init__(self, events: CoreEvents, audio: AudioControl | None, stack: SipCommands) -> None:
        self.events = events
        self.audio = audio
        self._stack = stack
        self.timers = Timers()
        self.registration = Registration()
        self.book = CallBook(stack, events, audio)
        self.handovers = Handovers(self.book, stack, self.timers, events)
        self.quality = QualityWatch(stack, self.timers, events)
        self.auto_answer = False
        self._pbx_flows: set[tuple[str, int]] = set()
        # Put in the Contact the phone registers (over TLS, encrypted): the
        # PBX sends calls to that URI, so a request without it did not come
        # from the PBX, whatever address it claims to come from.
        self._flow_token = secrets.token_urlsafe(12)
        self._local_address = ""  # the address packets to the PBX leave from
        self._probe: PbxProbe | None = None
        self._ping_since: float | None = None
        self._ping_round = 0
        self._reported: AccountSnapshot | None = None
        self._ended: list[int] = []

    # -- account ----------------------------------------------------------------

    def configure(self, config: AccountConfig | None) -> None:
        if config is None:
            self._stack.unregister()
            self._report(self.registration.configured(None))
            return
        self._pbx_flows = pbx_flows(config.server, config.transport)
        if self._probe is not None:
            self._probe.close()
        self._probe = PbxProbe(config.server, config.transport, config.user)
        self._report(self.registration.configured(config))
        self._stack.register(replace(config, flow_token=self._flow_token))
        self._local_address = route_address(config.server)
        self._ping_round += 1
        self._ping_since = None
        round_ = self._ping_round
        # A first ping alongside the REGISTER: a PBX that is down shows as
        # unreachable within PING_TIMEOUT instead of after SIP's 32 s timeout.
        self.timers.after(FIRST_PING_DELAY, lambda: self._ping(round_))

    def on_registration(self, code: int, reason: str, expires: int, active: bool) -> None:
        log.info("registration: %s %s (expires %s)", code, reason, expires)
        snapshot = self.registration.registration_result(code, reason, expires, active)
        config = self.registration.config
        if snapshot.state is RegState.UNREACHABLE and config is not None and config.secure:
            # pjsip says only that TLS failed; if trust is why, say so and
            # stop calling it unreachable: retrying will not fix a certificate.
            problem = trust.diagnose(config.server, config.tls_ca_file)
            if problem:
                snapshot = self.registration.untrusted(problem)
        self._report(snapshot)

    def _ping(self, round_: int) -> None:
        if round_ != self._ping_round:
            return  # the account was reconfigured; a newer round is running
        self.timers.after(self.registration.ping_interval(), lambda: self._ping(round_))
        self._check_local_address()
        if self.registration.should_ping() and self._probe is not None and self._ping_since is None:
            self._ask(round_)

    def _ask(self, round_: int) -> None:
        assert self._probe is not None
        self._ping_since = time.monotonic()
        self._probe.ask()
        self.timers.after(PROBE_POLL, lambda: self._check_probe(round_))

    def _check_probe(self, round_: int) -> None:
        if round_ != self._ping_round or self._probe is None or self._ping_since is None:
            return
        answer = self._probe.answer()
        waited = time.monotonic() - self._ping_since
        if answer is None and waited < PING_TIMEOUT:
            self.timers.after(PROBE_POLL, lambda: self._check_probe(round_))
            return
        self._ping_since = None
        self._probe.close()
        self._ping_result({True: 200, False: 503, None: 408}[answer])

    def _ping_result(self, code: int) -> None:
        snapshot, reregister = self.registration.ping_result(code)
        self._report(snapshot)
        if reregister:
            log.info("the PBX answers again: registering")
            self._stack.reregister()

    def _check_local_address(self) -> None:
        """The computer moved (Wi-Fi to cable, a new VPN address): the
        address the PBX knows is gone. pjsua then opens its transports
        again, registers from the new address and re-INVITEs calls, which
        survive where the PBX still has them (its rtp_timeout)."""
        config = self.registration.config
        if config is None or not self.registration.wanted:
            return
        now = route_address(config.server)
        if now and self._local_address and now != self._local_address:
            log.info("this computer's address changed from %s to %s: registering again", self._local_address, now)
            self._stack.handle_ip_change()
        if now:
            self._local_address = now

    def on_transport_down(self) -> None:
        """A TCP connection to the PBX closed: check at once."""
        if self.registration.should_ping() and self._probe is not None and self._ping_since is None:
            self._ask(self._ping_round)

    def _report(self, snapshot: AccountSnapshot) -> None:
        if snapshot != self._reported:
            if self._reported is None or snapshot.state is not self._reported.state:
                log.info("registration %s: %s", snapshot.state.value, snapshot.reason or snapshot.status_code)
            self._reported = snapshot
            self.events.registration(snapshot)

    # -- incoming and outgoing calls --------------------------------------------

    def on_incoming(self, call_id: int, remote: str, source: tuple[str, int], headers: dict[str, str],
                    sip_id: str, target: str = "") -> int:
        if source not in self._pbx_flows:
            log.warning("refused a call from %s port %d: not our PBX %s", *source, sorted(self._pbx_flows))
            return 403
        if flow_token(target) != self._flow_token:
            log.warning("refused a call from %s port %d: not sent to the contact we registered", *source)
            return 403
        if len(self.book.live_calls()) >= MAX_CALLS:
            log.info("refused a call: already %d calls", MAX_CALLS)
            return 486
        log.debug("incoming call %d (INVITE at %.6f)", call_id, time.time())
        number, name, uri = parse_remote(remote)
        queue = headers.get(header.QUEUE, "")[:64]
        queue_call = headers.get(header.QUEUE_CALL, "")[:64] if queue else ""
        task, autodial = callback_offer(headers)
        if not self.auto_answer:
            autodial = 0  # the PBX may offer to dial by itself; only the agent's auto-answer lets it
        snapshot = CallSnapshot(
            call_id, Direction.INCOMING, CallState.RINGING_IN, number, name, uri,
            queue=queue, queue_call=queue_call, started_at=time.time(), sip_call_id=sip_id,
            callback_task=task, autodial_seconds=autodial, supervision=supervision_offer(headers),
        )
        self.book.calls[call_id] = snapshot
        self.events.incoming(snapshot)
        self.events.call(snapshot)
        # A transfer coming back (or arriving) must be taken by a person, knowingly; an offered
        # callback is a preview the agent reads (its queue's auto-dial answers it, not this).
        transferred = header.TRANSFER in headers
        if self.auto_answer and queue and not transferred and not task and len(self.book.live_calls()) == 1:
            if self.audio is not None:
                self.audio.play_tone("beep")
            self.timers.after(AUTO_ANSWER_DELAY, lambda: self._auto_answer(call_id))
        return 180

    def on_incoming_refused(self, remote: str, source: tuple[str, int], target: str, code: int) -> None:
        if source not in self._pbx_flows or flow_token(target) != self._flow_token:
            return  # a stranger's request: nothing to tell the agent
        number, name, _ = parse_remote(remote)
        log.warning("the phone refused a call from %s with %d", number or remote, code)
        config = self.registration.config
        if code == 488 and config is not None and config.secure:
            self.events.problem(f"A call from {name or number} was refused: the PBX sent it with unencrypted "
                                "audio, which this phone does not accept over TLS. Ask the PBX's administrator "
                                "to enable encrypted audio for your extension.")

    def _auto_answer(self, call_id: int) -> None:
        call = self.book.calls.get(call_id)
        if call is not None and call.state is CallState.RINGING_IN:
            self.answer(call_id)

    def dial(self, uri: str) -> None:
        if len(self.book.live_calls()) >= MAX_CALLS:
            self.events.problem(f"You already have {MAX_CALLS} calls. End one first.")
            return
        talking = [c for c in self.book.live_calls() if c.state is CallState.ACTIVE]
        # Calling out while talking to someone puts them on hold: a consultation.
        consult_for = talking[0].call_id if len(talking) == 1 else 0
        task = task_of_extension(parse_remote(uri)[0])
        self.book.place_call(uri, hold_others=True, consult_for=consult_for, callback_task=task)

    def answer(self, call_id: int) -> None:
        self.book.hold_others(call_id)
        self._stack.answer(call_id)

    def reject(self, call_id: int) -> None:
        self._stack.reject(call_id, 486)

    def hangup(self, call_id: int) -> None:
        self._stack.hangup(call_id)

    def hold(self, call_id: int, on: bool) -> None:
        self.book.hold(call_id, on)

    def switch_to(self, call_id: int) -> None:
        self.book.hold(call_id, False)

    def transfer(self, call_id: int, uri: str) -> None:
        self.handovers.transfer(call_id, uri)

    def complete_transfer(self, call_id: int, consult_id: int) -> None:
        self.handovers.complete(call_id, consult_id)

    def conference(self, call_id: int, consult_id: int, room_uri: str) -> None:
        self.handovers.conference(call_id, consult_id, room_uri)

    def on_transfer_status(self, call_id: int, code: int, reason: str, final: bool) -> None:
        self.handovers.on_transfer_status(call_id, code, final, reason)

    def mute(self, call_id: int, on: bool) -> None:
        self.book.update(self.book.live(call_id).with_changes(muted=on))

    def send_dtmf(self, call_id: int, digits: str) -> None:
        if self.book.live(call_id).state is CallState.ACTIVE:
            self._stack.send_dtmf(call_id, digits)

    # -- what pjsua2 reports -----------------------------------------------------

    def on_call_state(self, call_id: int, state: CallState, code: int, reason: str) -> None:
        call = self.book.calls.get(call_id)
        if call is None:
            return  # a refused call
        changes: dict[str, object] = {"state": state, "status_code": code, "reason": reason}
        if state is CallState.ACTIVE and not call.connected_at:
            changes["connected_at"] = time.time()
        if state is CallState.ACTIVE:
            self.quality.call_connected(call_id)
        if state is CallState.ENDED:
            changes["has_audio"] = False
            self._ended.append(call_id)
            self.quality.call_ended(call_id)  # its summary reaches the GUI before the call's end
        self.book.update(call.with_changes(**changes))
        if state is CallState.ENDED:
            self._explain_unencrypted(self.book.calls[call_id])
            self.handovers.call_ended(self.book.calls[call_id])

    def _explain_unencrypted(self, call: CallSnapshot) -> None:
        """488 to a phone that requires SRTP: the far side would not encrypt
        the audio. Said in words: the call was not simply busy."""
        config = self.registration.config
        if call.status_code == 488 and not call.was_answered and config is not None and config.secure:
            self.events.problem(f"The call with {call.party_name} was refused: its audio could not be "
                                "encrypted (SRTP), which this phone requires over TLS. Ask the PBX's "
                                "administrator to enable encrypted audio for your extension.")

    def on_media_state(self, call_id: int, active: bool, local_hold: bool, remote_hold: bool) -> None:
        call = self.book.calls.get(call_id)
        if call is not None and call.is_live:
            self.book.update(call.with_changes(has_audio=active or local_hold, remote_held=remote_hold))

    def close(self) -> None:
        """The engine is stopping: let go of the probe's socket."""
        if self._probe is not None:
            self._probe.close()

    def release_ended(self) -> None:
        """Drop pjsua2 wrappers of ended calls; called after each poll."""
        while self._ended:
            call_id = self._ended.pop()
            self._stack.release(call_id)
            self.book.calls.pop(call_id, None)
