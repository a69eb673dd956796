"""The desk service's one connection to the Asterisk Manager Interface.

Two layers on top of the pure protocol: `AmiConnection`
moves bytes over one TCP connection; `AmiClient` keeps a connection logged
in (reconnecting with backoff, pinging to notice a dead peer), matches
responses to actions by ActionID and hands every other event, in arrival
order, to the service's callbacks.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field

from .protocol import AmiMessage, encode_action
from .transport import (
    CONNECT_TIMEOUT,
    AmiActionError,
    AmiConnection,
    AmiError,
    AmiNotConnected,
    AmiTimeout,
    LoginRejectedError,
    describe,
)

log = logging.getLogger("agentdesk.server.ami")

Fields = Mapping[str, str | Sequence[str]]

__all__ = ["AmiActionError", "AmiClient", "AmiError", "AmiNotConnected", "AmiTimeout", "LoginRejectedError"]


@dataclass
class _EventList:
    """The events collected for one pending EventList action."""

    done: asyncio.Future[None]
    events: list[AmiMessage] = field(default_factory=list)


@dataclass(frozen=True)
class _Connected:
    pass


@dataclass(frozen=True)
class _Disconnected:
    reason: str


_Delivery = AmiMessage | _Connected | _Disconnected



class AmiClient:
    """Keeps one logged-in AMI connection and serves actions over it.

    Callbacks run one at a time, in arrival order, on a task of their own:
    `on_connected()` after every successful login (the service re-syncs
    there; events arriving meanwhile wait and follow it in order),
    `on_event(message)` for each event that does not belong to a pending
    `action_list`, `on_disconnected(reason)` when a logged-in connection
    drops (not on `stop()`). A callback's exception is logged, never fatal.

    Invariants: ActionIDs are generated here and unique; every pending
    action ends with its response, AmiTimeout or AmiNotConnected; the
    secret never reaches a log.
    """

    def __init__(
        self,
        host: str,
        port: int,
        username: str,
        secret: str,
        *,
        on_event: Callable[[AmiMessage], None],
        on_connected: Callable[[], Awaitable[None]] | None = None,
        on_disconnected: Callable[[str], None] | None = None,
        reconnect_delays: Sequence[float] = (0.2, 0.5, 1, 2, 5),
        ping_interval: float = 20.0,
        ping_timeout: float = 5.0,
    ) -> None:
        if not reconnect_delays:
            raise ValueError("reconnect_delays must not be empty")
        self._host, self._port = host, port
        self._username, self._secret = username, secret
        self._on_event = on_event
        self._on_connected = on_connected
        self._on_disconnected = on_disconnected
        self._delays = tuple(reconnect_delays)
        self._ping_interval, self._ping_timeout = ping_interval, ping_timeout
        self._ids = (f"{secrets.token_hex(3)}-{n}" for n in itertools.count(1))
        self._connection: AmiConnection | None = None
        self._logged_in = False
        self._ready = asyncio.Event()
        self._login_id = ""
        self._drop_reason = ""
        self._pending: dict[str, asyncio.Future[AmiMessage]] = {}
        self._lists: dict[str, _EventList] = {}
        self._deliveries: asyncio.Queue[_Delivery] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False
        self._trouble = ""  # the kind of failure last logged loudly

    @property
    def connected(self) -> bool:
        """Logged in and reading."""
        return self._logged_in

    async def start(self) -> None:
        """Launch the connect/login/read/reconnect loop; returns at once."""
        if self._tasks:
            return
        self._stopping = False
        self._tasks = [
            asyncio.create_task(self._dispatch_forever(), name="ami-callbacks"),
            asyncio.create_task(self._keep_connected(), name="ami-connection"),
        ]

    async def stop(self) -> None:
        """Log off if possible, close the connection, end the tasks."""
        self._stopping = True
        if self._logged_in:
            try:
                await self._send("Logoff", {}, 1.0)
            except AmiError as error:
                log.debug("AMI logoff: %s", error)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []

    async def wait_connected(self, timeout: float) -> None:
        """Return once logged in; AmiTimeout if not within `timeout` seconds."""
        try:
            async with asyncio.timeout(timeout):
                await self._ready.wait()
        except TimeoutError as error:
            log.debug("AMI not connected within %g s", timeout)
            raise AmiTimeout(f"not connected to Asterisk within {timeout:g} s") from error

    async def action(self, name: str, timeout: float = 5.0, **fields: str | Sequence[str]) -> AmiMessage:
        """Send one action and return its response.

        Raises AmiActionError ("Response: Error"), AmiNotConnected, AmiTimeout,
        or AmiInjectionError (a ValueError) for a field that breaks framing.
        """
        return await self._send(name, fields, timeout)

    async def action_list(self, name: str, timeout: float = 10.0, **fields: str | Sequence[str]) -> list[AmiMessage]:
        """Send an EventList action (QueueStatus, CoreShowChannels...) and
        return its events, without the closing "...Complete" one."""
        action_id = next(self._ids)
        entry = _EventList(asyncio.get_running_loop().create_future())
        self._lists[action_id] = entry
        try:
            async with asyncio.timeout(timeout):
                await self._send(name, fields, timeout, action_id)
                await entry.done
        except TimeoutError as error:
            log.debug("AMI %s list incomplete after %g s", name, timeout)
            raise AmiTimeout(f"{name}: list not complete within {timeout:g} s") from error
        finally:
            self._lists.pop(action_id, None)
            if entry.done.done() and not entry.done.cancelled():
                entry.done.exception()  # retrieved: the error was raised by _send
        return entry.events

    # Actions and responses

    async def _send(self, name: str, fields: Fields, timeout: float, action_id: str = "") -> AmiMessage:
        connection = self._connection
        if connection is None or not self._logged_in:
            raise AmiNotConnected(f"{name}: not connected to Asterisk")
        action_id = action_id or next(self._ids)
        data = encode_action(name, action_id, fields)
        future = self._expect(action_id)
        try:
            async with asyncio.timeout(timeout):
                await connection.write(data)
                response = await future
        except TimeoutError as error:
            log.debug("AMI %s (%s) unanswered after %g s", name, action_id, timeout)
            raise AmiTimeout(f"{name}: no answer from Asterisk within {timeout:g} s") from error
        except OSError as error:
            log.debug("AMI %s not sent: %s", name, describe(error))
            raise AmiNotConnected(f"{name}: {describe(error)}") from error
        finally:
            self._pending.pop(action_id, None)
        if response.name.lower() == "error":
            raise AmiActionError(name, response)
        return response

    def _expect(self, action_id: str) -> asyncio.Future[AmiMessage]:
        future: asyncio.Future[AmiMessage] = asyncio.get_running_loop().create_future()
        self._pending[action_id] = future
        return future

    def _route(self, message: AmiMessage) -> None:
        """Send each message where it belongs: a pending action, a pending
        list, or the callbacks."""
        action_id = message.action_id
        if message.kind == "response":
            self._resolve(action_id, message)
        elif message.kind == "event" and action_id in self._lists:
            self._collect(action_id, message)
        elif message.kind == "event":
            self._deliveries.put_nowait(message)
        else:
            log.warning("AMI message neither event nor response dropped (headers %s)", [k for k, _ in message.headers])

    def _resolve(self, action_id: str, response: AmiMessage) -> None:
        future = self._pending.pop(action_id, None)
        if future is None or future.done():
            log.debug("AMI response for no pending action dropped (ActionID %r)", action_id)
            return
        if action_id == self._login_id and response.name.lower() == "success":
            # Marked here, not after the await, so that events sent right
            # after the login response queue behind on_connected.
            self._logged_in = True
            self._ready.set()
            self._deliveries.put_nowait(_Connected())
        future.set_result(response)

    def _collect(self, action_id: str, event: AmiMessage) -> None:
        entry = self._lists[action_id]
        if not event.ends_list:
            entry.events.append(event)
        elif not entry.done.done():
            del self._lists[action_id]
            entry.done.set_result(None)

    # The connection's life

    async def _keep_connected(self) -> None:
        failures = 0
        while not self._stopping:
            delay = self._delays[min(failures, len(self._delays) - 1)]
            started = time.monotonic()
            try:
                await self._session()
                if time.monotonic() - started > max(self._delays):
                    failures, delay = 0, self._delays[0]
                else:
                    failures += 1  # up and down at once: back off all the same
            except LoginRejectedError as error:
                delay = self._delays[-1]
                self._report("rejected", logging.ERROR, "AMI login as %r on %s:%d rejected (%s); check the AMI "
                             "secret in desk-service.json; retrying every %g s",
                             self._username, self._host, self._port, error, delay)  # fmt: skip
            except (OSError, TimeoutError, AmiError) as error:
                failures += 1
                self._report("unreachable", logging.WARNING, "AMI on %s:%d unavailable (%s); retrying",
                             self._host, self._port, describe(error))  # fmt: skip
            except Exception:
                failures += 1
                log.exception("AMI connection failed unexpectedly; reconnecting")
            await asyncio.sleep(delay)

    def _report(self, kind: str, level: int, text: str, *args: object) -> None:
        """Log a failure loudly once, then quietly while it repeats (no storm)."""
        log.log(level if kind != self._trouble else logging.DEBUG, text, *args)
        self._trouble = kind

    async def _session(self) -> None:
        """Connect, log in and read until the connection ends."""
        log.debug("connecting to AMI on %s:%d", self._host, self._port)
        connection = await AmiConnection.open(self._host, self._port)
        self._connection, self._drop_reason = connection, ""
        try:
            await self._log_in(connection)
            self._trouble = ""
            log.info("AMI logged in on %s:%d as %r (%s)", self._host, self._port, self._username,
                     connection.parser.banner)
            await self._serve(connection)
        finally:
            await self._drop(connection)

    async def _log_in(self, connection: AmiConnection) -> None:
        self._login_id = next(self._ids)
        login = self._expect(self._login_id)
        try:
            async with asyncio.timeout(CONNECT_TIMEOUT):
                while not connection.parser.banner:
                    self._route_all(await connection.read())
                fields = {"Username": self._username, "Secret": self._secret}
                await connection.write(encode_action("Login", self._login_id, fields))
                while not login.done():
                    self._route_all(await connection.read())
        finally:
            self._pending.pop(self._login_id, None)
        response = login.result()
        if response.name.lower() != "success":
            raise LoginRejectedError(response.get("Message") or response.name)

    async def _serve(self, connection: AmiConnection) -> None:
        keep_alive = asyncio.create_task(self._keep_alive(connection), name="ami-ping")
        try:
            while True:
                self._route_all(await connection.read())
        except OSError as error:
            reason = self._drop_reason or describe(error)
            level = logging.INFO if self._stopping else logging.WARNING
            log.log(level, "AMI connection to %s:%d lost (%s)", self._host, self._port, reason)
            self._drop_reason = reason
        finally:
            keep_alive.cancel()

    def _route_all(self, messages: list[AmiMessage]) -> None:
        for message in messages:
            self._route(message)

    async def _keep_alive(self, connection: AmiConnection) -> None:
        """Ping now and then; a Ping left unanswered means a dead peer."""
        while True:
            await asyncio.sleep(self._ping_interval)
            try:
                await self._send("Ping", {}, self._ping_timeout)
            except AmiTimeout:
                self._drop_reason = f"no answer to Ping within {self._ping_timeout:g} s"
                log.debug("AMI %s: dropping the connection", self._drop_reason)
                connection.abort()
                return
            except AmiError as error:
                log.debug("AMI keep-alive: %s", error)

    async def _drop(self, connection: AmiConnection) -> None:
        """Forget the connection: fail what waits on it, tell the service."""
        reason = self._drop_reason or "connection closed"
        was_logged_in = self._logged_in
        self._logged_in = False
        self._ready.clear()
        self._connection = None
        for future in self._pending.values():
            if not future.done():
                future.set_exception(AmiNotConnected(f"AMI connection lost: {reason}"))
        for entry in self._lists.values():
            if not entry.done.done():
                entry.done.set_exception(AmiNotConnected(f"AMI connection lost: {reason}"))
        self._pending.clear()
        self._lists.clear()
        if was_logged_in:
            self._deliveries.put_nowait(_Disconnected(reason))
        await connection.close()

    # Callbacks

    async def _dispatch_forever(self) -> None:
        while True:
            await self._deliver(await self._deliveries.get())

    async def _deliver(self, item: _Delivery) -> None:
        try:
            if isinstance(item, AmiMessage):
                self._on_event(item)
            elif isinstance(item, _Connected):
                if self._on_connected is not None:
                    await self._on_connected()
            elif self._on_disconnected is not None:
                self._on_disconnected(item.reason)
        except AmiError as error:
            log.warning("AMI callback for %s interrupted: %s", _what(item), error)
        except Exception:
            log.exception("AMI callback for %s failed", _what(item))


def _what(item: _Delivery) -> str:
    if isinstance(item, AmiMessage):
        return f"event {item.name}"
    return "connect" if isinstance(item, _Connected) else "disconnect"
