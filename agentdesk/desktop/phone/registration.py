"""Registration state as the agent should understand it, from SIP results.

Pure logic, no pjsua2 and no Qt: the phone core feeds it registration and
liveness-ping results and shows whatever snapshot comes out.

Policy:
- 2xx: registered (or offline, after an intended unregister).
- The PBX refused us (401/403/404/407 and other 4xx but 408): failed, with
  the reason in words. pjsua2 does not retry these and neither do we: one
  clear error, no retry storm. Only a new configuration tries again.
- No answer, a transport error or a 5xx/6xx: unreachable. pjsua2 retries by
  itself, and a liveness ping (OPTIONS) notices both a PBX that has gone
  while we were registered and one that has come back.
"""

from __future__ import annotations

from dataclasses import replace

from .model import AccountConfig, AccountSnapshot, RegState

UNREACHABLE_CODES = {408, 480, 500, 502, 503, 504}
PING_INTERVAL = 10.0  # seconds between liveness pings while registered
PING_TIMEOUT = 4.0  # no answer within this long: the PBX is unreachable
PROBE_INTERVAL = 5.0  # while unreachable


def refused_reason(code: int, reason: str, user: str) -> str:
    if code in (401, 407):
        return f"The PBX rejected the password for {user} ({code} {reason})."
    if code == 403:
        return f"The PBX does not allow {user} to register here ({code} {reason})."
    if code == 404:
        return f"The PBX does not know user {user} ({code} {reason})."
    return f"The PBX refused the registration ({code} {reason})."


def is_unreachable(code: int) -> bool:
    return code in UNREACHABLE_CODES or code >= 500 or code < 100


class Registration:
    """Tracks one account's registration state."""

    def __init__(self) -> None:
        self.config: AccountConfig | None = None
        self.snapshot = AccountSnapshot(RegState.OFFLINE)
        self.wanted = False  # registered is what the user asked for

    def configured(self, config: AccountConfig | None) -> AccountSnapshot:
        self.config = config
        self.wanted = config is not None
        if config is None:
            self.snapshot = AccountSnapshot(RegState.OFFLINE)
        else:
            self.snapshot = AccountSnapshot(RegState.REGISTERING, config.user, config.server)
        return self.snapshot

    def registration_result(self, code: int, reason: str, expires: int, active: bool) -> AccountSnapshot:
        current = self.snapshot
        if 200 <= code < 300:
            state = RegState.REGISTERED if active and self.wanted else RegState.OFFLINE
            self.snapshot = replace(current, state=state, status_code=code, reason="", expires=expires, retry_in=0)
        elif is_unreachable(code):
            self.snapshot = replace(
                current, state=RegState.UNREACHABLE, status_code=code,
                reason=f"No answer from the PBX at {current.server} ({code} {reason}). Retrying.",
                retry_in=int(PROBE_INTERVAL),
            )
        else:
            self.snapshot = replace(
                current, state=RegState.FAILED, status_code=code,
                reason=refused_reason(code, reason, current.user), retry_in=0,
            )
        return self.snapshot

    def untrusted(self, problem: str) -> AccountSnapshot:
        """The PBX's certificate cannot be trusted: failed, with why."""
        self.snapshot = replace(self.snapshot, state=RegState.FAILED, reason=problem, retry_in=0)
        return self.snapshot

    def ping_result(self, code: int) -> tuple[AccountSnapshot, bool]:
        """Apply a liveness ping result; returns (snapshot, re-register now).
        pjsip reports its own timeout as 408 and a transport error as 503;
        any other answer means the PBX is there."""
        if not self.wanted or self.snapshot.state is RegState.FAILED:
            return self.snapshot, False
        if code in (408, 503) or code < 100:
            return self.ping_timed_out(), False
        if self.snapshot.state is RegState.UNREACHABLE:
            self.snapshot = replace(self.snapshot, state=RegState.REGISTERING, reason="", retry_in=0)
            return self.snapshot, True
        return self.snapshot, False

    def ping_timed_out(self) -> AccountSnapshot:
        if self.wanted and self.snapshot.state in (RegState.REGISTERED, RegState.REGISTERING):
            self.snapshot = replace(
                self.snapshot, state=RegState.UNREACHABLE, status_code=408,
                reason=f"The PBX at {self.snapshot.server} stopped answering. Retrying.",
                retry_in=int(PROBE_INTERVAL),
            )
        return self.snapshot

    def should_ping(self) -> bool:
        alive_states = (RegState.REGISTERING, RegState.REGISTERED, RegState.UNREACHABLE)
        return self.wanted and self.snapshot.state in alive_states

    def ping_interval(self) -> float:
        return PING_INTERVAL if self.snapshot.state is RegState.REGISTERED else PROBE_INTERVAL
