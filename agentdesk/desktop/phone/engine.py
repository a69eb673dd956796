"""The softphone as the rest of the application sees it.

`PhoneEngine` is a QObject living on the GUI thread. Its commands return at
once: each is queued for the SIP thread, which owns pjsua2 (via SipStack)
and the call logic (PhoneCore). Results come back as signals carrying
frozen snapshots.

Why a thread of our own (measured): it blocks inside
pjsua2's `libHandleEvents` in C, without the GIL, so SIP is answered the
moment it arrives (a QTimer poll answers one tick late) and an idle phone
costs no CPU. A command wakes it at once by sending an empty keep-alive
(CRLF, which pjsip ignores) to its own loopback UDP port.

Signals (all delivered on the GUI thread):
  registrationChanged(AccountSnapshot)
  callChanged(CallSnapshot)     every change of every call, ENDED included
  incomingCall(CallSnapshot)    once per incoming call, as it starts ringing
  problem(str)                  something the agent should read
  callQuality(QualityReport)    how a connected call sounds, every few seconds (qualitywatch.py)
  callQualitySummary(QualitySummary)  a call's quality once it has ended, before its ENDED change
  stopped()                     after shutdown(): calls ended, unregistered,
                                pjsua2 destroyed
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import queue
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import QObject, Signal, SignalInstance

from ..threadname import name_this_thread
from .core import PhoneCore
from .coreapi import AudioControl
from .dialing import dtmf_digits, target_uri, uri_params
from .model import (
    AccountConfig,
    AccountSnapshot,
    Binding,
    CallSnapshot,
    PhoneError,
    RegState,
)
from .pjstack import SipStack
from .qualitytrack import QualityReport, QualitySummary
from .sipmsg import host_only
from .stackapi import ClockUser
from .trust import ca_list_file

log = logging.getLogger("agentdesk.desktop.phone")

# The longest the SIP thread sleeps with nothing due: pjsip's own timers and
# ours (core.timers) wake it sooner, and a command wakes it at once (WAKE);
# this only bounds how late a command is if that wake-up were lost. Each
# wake-up costs the idle phone a pass through Python.
IDLE_WAIT_MS = 5000
WAKE = b"\r\n\r\n"
Command = Callable[[PhoneCore], None]


@dataclass(frozen=True)
class _Rebind:
    """A command for the engine itself: restart the stack on `bind`."""

    bind: Binding
    config: AccountConfig | None


class AudioBridgeLike(AudioControl, ClockUser, Protocol):
    pass


def bind_address_for(server: str) -> str:
    """Listen on loopback only when the PBX is on this machine. Decided from
    the address as written (no DNS here: this runs on the GUI thread)."""
    host = host_only(server).strip("[]")
    if host == "localhost":
        return "127.0.0.1"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "0.0.0.0"
    return "127.0.0.1" if address.version == 4 and address.is_loopback else "0.0.0.0"


def binding_for(server: str, transport: str, ca_setting: str = "") -> Binding:
    address = bind_address_for(server)
    tls_ca = ca_list_file(ca_setting) if transport == "tls" else None
    return Binding(address, address if transport == "udp" else "127.0.0.1", tls_ca)


class PhoneEngine(QObject):
    registrationChanged = Signal(object)
    callChanged = Signal(object)
    incomingCall = Signal(object)
    problem = Signal(str)
    callQuality = Signal(object)
    callQualitySummary = Signal(object)
    stopped = Signal()
    # What the SIP thread reports arrives through these, queued, and goes
    # out through the public signals above on the GUI thread: a receiver
    # connected before the event loop first runs (the window, built while
    # the phone registers) still hears everything, after the mirror.
    _sip_registration = Signal(object)
    _sip_call = Signal(object)
    _sip_incoming = Signal(object)
    _sip_problem = Signal(str)
    _sip_quality = Signal(object)
    _sip_quality_summary = Signal(object)

    def __init__(self, audio: AudioBridgeLike | None, user_agent: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._audio = audio
        self._user_agent = user_agent
        self._commands: queue.SimpleQueue[Command | _Rebind] = queue.SimpleQueue()
        self._wake_socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.stopped.connect(self._wake_socket.close)  # on this object's thread, once the SIP thread is done
        self._wake_address: tuple[str, int] | None = None
        self._ready = threading.Event()
        self._start_error = ""
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._server = ""
        self._user = ""
        self._transport = "udp"
        self._bind = Binding("0.0.0.0", "0.0.0.0")
        self.calls: dict[int, CallSnapshot] = {}
        self.account = AccountSnapshot(RegState.OFFLINE)
        self._sip_registration.connect(self._mirror_account)
        self._sip_call.connect(self._mirror_call)
        self._sip_incoming.connect(self._mirror_incoming)
        self._sip_problem.connect(self.problem)
        self._sip_quality.connect(self.callQuality)
        self._sip_quality_summary.connect(self.callQualitySummary)

    # -- life cycle (GUI thread) ------------------------------------------------

    def start(self, server_hint: str = "", transport_hint: str = "udp", ca_hint: str = "") -> None:
        """Start the SIP thread; raises PhoneError if pjsua2 cannot start."""
        self._bind = binding_for(server_hint, transport_hint, ca_hint)
        self._thread = threading.Thread(target=self._run, args=(self._bind,), name="sip", daemon=True)
        self._thread.start()
        self._ready.wait(10)
        if self._start_error or self._wake_address is None:
            raise PhoneError(f"The SIP stack did not start: {self._start_error or 'timeout'}")

    def shutdown(self) -> None:
        """Hang up, unregister and stop; `stopped` is emitted when done."""
        if self._thread is None or not self._thread.is_alive():
            self.stopped.emit()
            return
        self._stopping = True
        self._wake()

    def wait_stopped(self, timeout: float = 10.0) -> bool:
        if self._thread is not None:
            self._thread.join(timeout)
            return not self._thread.is_alive()
        return True

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and not self._stopping

    # -- commands (GUI thread; raise PhoneError for bad input) -------------------

    def configure(self, config: AccountConfig | None) -> None:
        """Register with this account (None: go offline). A PBX that needs
        another local address (loopback or not) restarts the SIP stack,
        which is refused while calls are up."""
        bind = binding_for(config.server, config.transport, config.tls_ca_file) if config else self._bind
        if bind != self._bind:
            if self.live_calls():
                raise PhoneError("End your calls first: the phone must restart to use the new PBX address "
                                 "or transport.")
            self._bind = bind
            self._remember(config)
            self._submit(_Rebind(bind, config))
            return
        self._remember(config)
        self._submit(lambda core: core.configure(config))

    def _remember(self, config: AccountConfig | None) -> None:
        self._server = config.server if config else ""
        self._user = config.user if config else ""
        self._transport = config.transport if config else "udp"

    def dial(self, text: str) -> None:
        uri = target_uri(text, self._server, self._transport)
        self._submit(lambda core: core.dial(uri))

    def answer(self, call_id: int) -> None:
        self._submit(lambda core: core.answer(call_id))

    def reject(self, call_id: int) -> None:
        self._submit(lambda core: core.reject(call_id))

    def hangup(self, call_id: int) -> None:
        self._submit(lambda core: core.hangup(call_id))

    def hold(self, call_id: int, on: bool) -> None:
        self._submit(lambda core: core.hold(call_id, on))

    def switch_to(self, call_id: int) -> None:
        self._submit(lambda core: core.switch_to(call_id))

    def transfer(self, call_id: int, text: str) -> None:
        """Blind transfer to a number, extension or sip: URI."""
        uri = target_uri(text, self._server, self._transport)
        self._submit(lambda core: core.transfer(call_id, uri))

    def complete_transfer(self, call_id: int, consult_id: int) -> None:
        self._submit(lambda core: core.complete_transfer(call_id, consult_id))

    def conference(self, call_id: int, consult_id: int) -> None:
        """Three-way call with both parties in the agent's room on the PBX."""
        if not self._user:
            raise PhoneError("Set up your account before starting a conference.")
        room = target_uri(f"sip:room{self._user}@{self._server}{uri_params(self._transport)}", self._server)
        self._submit(lambda core: core.conference(call_id, consult_id, room))

    def mute(self, call_id: int, on: bool) -> None:
        self._submit(lambda core: core.mute(call_id, on))

    def send_dtmf(self, call_id: int, text: str) -> None:
        digits = dtmf_digits(text)
        self._submit(lambda core: core.send_dtmf(call_id, digits))

    def set_auto_answer(self, on: bool) -> None:
        self._submit(lambda core: setattr(core, "auto_answer", on))

    def live_calls(self) -> list[CallSnapshot]:
        return [c for c in self.calls.values() if c.is_live]

    def flush(self, timeout: float) -> bool:
        """Wait until the SIP thread has run every command given so far
        (False: not within `timeout` seconds)."""
        done = threading.Event()
        self._submit(lambda core: done.set())
        return done.wait(timeout)

    def _submit(self, command: Command | _Rebind) -> None:
        if not self.running:
            raise PhoneError("The phone is not running.")
        self._commands.put(command)
        self._wake()

    def _wake(self) -> None:
        if self._wake_address is not None:
            # If this fails, the loop still wakes on its own within IDLE_WAIT_MS.
            with contextlib.suppress(OSError):
                self._wake_socket.sendto(WAKE, self._wake_address)

    def _mirror(self, call: CallSnapshot) -> None:
        if call.is_live:
            self.calls[call.call_id] = call
        else:
            self.calls.pop(call.call_id, None)

    def _mirror_call(self, call: CallSnapshot) -> None:
        self._mirror(call)
        self.callChanged.emit(call)

    def _mirror_incoming(self, call: CallSnapshot) -> None:
        self._mirror(call)  # a ringing call counts in live_calls() for those who hear of it first
        self.incomingCall.emit(call)

    def _mirror_account(self, snapshot: AccountSnapshot) -> None:
        self.account = snapshot
        self.registrationChanged.emit(snapshot)

    # -- the SIP thread ----------------------------------------------------------

    def _run(self, bind: Binding) -> None:
        name_this_thread("ad-sip")
        # Built here, on the thread that owns pjsua2: the stack first, the
        # call logic with it, and the stack reports to the call logic once
        # started (its pjsua2 objects, which do the reporting, exist from then).
        stack = SipStack(self._user_agent)
        events = _Events(self._sip_registration, self._sip_call, self._sip_incoming, self._sip_problem,
                         self._sip_quality, self._sip_quality_summary)
        core = PhoneCore(events, self._audio, stack)
        try:
            self._wake_address = stack.start(bind, self._audio, core)
        except Exception as error:  # reported by start()
            log.exception("SIP stack start failed")
            self._start_error = str(error)
            self._ready.set()
            return
        self._ready.set()
        log.info("SIP thread running, bound to %s", bind)
        try:
            self._loop(core, stack)
        finally:
            core.close()
            stack.shutdown()
            log.info("SIP thread stopped")
            self.stopped.emit()

    def _rebind(self, core: PhoneCore, stack: SipStack, bind: Binding, config: AccountConfig | None) -> None:
        """On the SIP thread: the stack starts again on the new local address."""
        stack.shutdown()
        self._wake_address = stack.start(bind, self._audio, core)
        log.info("SIP stack restarted, bound to %s", bind)
        core.configure(config)

    def _loop(self, core: PhoneCore, stack: SipStack) -> None:
        while not self._stopping:
            stack.poll(core.timers.wait_ms(IDLE_WAIT_MS))
            core.timers.run_due()
            self._drain(core, stack)
            core.release_ended()

    def _drain(self, core: PhoneCore, stack: SipStack) -> None:
        while True:
            try:
                command = self._commands.get_nowait()
            except queue.Empty:
                return
            try:
                if isinstance(command, _Rebind):
                    self._rebind(core, stack, command.bind, command.config)
                else:
                    command(core)
            except PhoneError as error:
                self._sip_problem.emit(str(error))
            except Exception:
                log.exception("phone command failed")
                self._sip_problem.emit("The phone hit an internal error; details are in the log.")


class _Events:
    """The core's CoreEvents, as the engine's signals (emitted on the SIP
    thread, delivered on the GUI thread)."""

    def __init__(self, registration: SignalInstance, call: SignalInstance, incoming: SignalInstance,
                 problem: SignalInstance, quality: SignalInstance, summary: SignalInstance) -> None:
        self._registration = registration
        self._call = call
        self._incoming = incoming
        self._problem = problem
        self._quality = quality
        self._summary = summary

    def registration(self, snapshot: AccountSnapshot) -> None:
        self._registration.emit(snapshot)

    def call(self, snapshot: CallSnapshot) -> None:
        self._call.emit(snapshot)

    def incoming(self, snapshot: CallSnapshot) -> None:
        self._incoming.emit(snapshot)

    def problem(self, text: str) -> None:
        self._problem.emit(text)

    def quality(self, report: QualityReport) -> None:
        self._quality.emit(report)

    def quality_summary(self, summary: QualitySummary) -> None:
        self._summary.emit(summary)
