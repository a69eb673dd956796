"""The desk service's HTTP API as blocking calls (run them off the GUI
thread). Signs in by answering the service's one-time challenge with the
agent's secret, which never leaves this machine (agentdesk/contract/signin.py),
keeps the bearer token, and signs in again once when the token has expired.
One call, signing in again included, takes at most the timeout. https is
verified against the system's authorities or the pinned one (trust.py);
plain http only to this machine. Path segments are always percent-encoded;
the token and secret are never logged."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import requests
from urllib3.util import Timeout

from agentdesk.contract.provisioning import PROVISIONING_PATH
from agentdesk.contract.signin import signin_key, signin_proof

from .trust import TrustError, describe_tls_failure, desk_session, plain_http_problem

log = logging.getLogger("agentdesk.desktop.link")

TIMEOUT_SECONDS = 5.0
DEFAULT_PORT = 8480
CALLBACK_COMMANDS = ("claim", "release", "skip", "outcome", "reschedule")


class DeskError(Exception):
    """A desk request failed; the message is for the agent to read."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


def default_desk_url(pbx_server: str, transport: str = "udp") -> str:
    """The desk service next to the PBX: the PBX's host, port 8480; https
    when the phone uses SIP over TLS (the PBX then has a certificate, and
    the desk service serves HTTPS with it)."""
    host = pbx_server.rsplit(":", 1)[0] if pbx_server.count(":") == 1 else pbx_server
    scheme = "https" if transport == "tls" else "http"
    return f"{scheme}://{host or '127.0.0.1'}:{DEFAULT_PORT}"


def segment(value: str) -> str:
    return quote(value, safe="")


class DeskApi:
    """`secret` gives the agent's SIP secret when a sign-in needs it (from
    the keyring's copy in memory); `ca_file` is the setting tls_ca_file."""

    def __init__(self, base_url: str, agent: str, secret: Callable[[], str | None], ca_file: str = "",
                 timeout: float = TIMEOUT_SECONDS) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise DeskError(f"the desk service address {base_url!r} is not an http(s) URL")
        refused = plain_http_problem(parts)
        if refused:
            raise DeskError(refused)
        self.base_url = base_url.rstrip("/")
        self.agent = agent
        self._secret = secret
        self._ca_file = ca_file
        self._address = _address(parts.hostname, parts.port)
        self._timeout = timeout
        self._token = ""
        self._lock = threading.Lock()
        self._http_session: requests.Session | None = None  # made by the first call, off the GUI thread
        self._closed = False  # set by close(): calls still running give up instead of retrying

    # -- session ------------------------------------------------------------
    def sign_in(self, deadline: float | None = None) -> None:
        """Get a new token; by `deadline` (time.monotonic()), else within the timeout."""
        secret = self._secret()
        if not secret:
            raise DeskError("no password stored for this agent; set up the account first")
        deadline = self._deadline() if deadline is None else deadline
        challenge = self._send("POST", "/api/v1/session/challenge", {"agent": self.agent}, deadline, auth=False)
        nonce = str(challenge.get("nonce", "")) if isinstance(challenge, dict) else ""
        if not nonce:
            raise DeskError("the desk service sent no sign-in challenge")
        body = {"agent": self.agent, "nonce": nonce, "proof": signin_proof(signin_key(secret), nonce, self.agent)}
        reply = self._send("POST", "/api/v1/session", body, deadline, auth=False)
        with self._lock:
            self._token = str(reply["token"])

    def token(self, deadline: float | None = None) -> str:
        with self._lock:
            token = self._token
        if not token:
            self.sign_in(deadline)
            with self._lock:
                token = self._token
        return token

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """One call; signing in (again) counts against the same timeout."""
        deadline = self._deadline()
        try:
            return self._send(method, path, body, deadline)
        except DeskError as error:
            if error.status != 401:
                raise
            self.sign_in(deadline)
            return self._send(method, path, body, deadline)

    # -- commands and queries -------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        return dict(self.request("GET", "/api/v1/snapshot"))

    def set_queue(self, queue: str, logged_in: bool, phone: str) -> None:
        path = f"/api/v1/agents/{segment(self.agent)}/queues/{segment(queue)}"
        self.request("PUT", path, {"logged_in": logged_in, "phone": phone})

    def set_pause(self, paused: bool, reason: str = "") -> None:
        path = f"/api/v1/agents/{segment(self.agent)}/pause"
        self.request("PUT", path, {"paused": paused, "reason": reason})

    def call_info(self, uniqueid: str, queue: str = "") -> dict[str, Any]:
        """The screen-pop data of a queue call; `queue` picks the caller's
        visit to that queue when the call went through several."""
        query = f"?queue={quote(queue, safe='')}" if queue else ""
        return dict(self.request("GET", f"/api/v1/calls/{segment(uniqueid)}{query}"))

    # -- callback tasks (answers are task_view dicts; see agentdesk/contract/callbacks.py) --
    def callbacks(self, state: str = "open", queue: str = "", day: str = "") -> dict[str, Any]:
        query = urlencode({key: value for key, value in (("state", state), ("queue", queue), ("day", day))
                           if value})
        return dict(self.request("GET", f"/api/v1/callbacks?{query}"))

    def callback(self, task_id: str) -> dict[str, Any]:
        return dict(self.request("GET", f"/api/v1/callbacks/{segment(task_id)}"))

    def create_callback(self, body: dict[str, Any]) -> dict[str, Any]:
        return dict(self.request("POST", "/api/v1/callbacks", body))

    def callback_command(self, task_id: str, command: str, body: dict[str, Any] | None = None) -> Any:
        """claim, release, skip {"reason"}, outcome {"outcome", "note"},
        reschedule {"due_at", "note"}: POST /api/v1/callbacks/{id}/{command}."""
        if command not in CALLBACK_COMMANDS:
            raise ValueError(f"no such callback command: {command}")
        return self.request("POST", f"/api/v1/callbacks/{segment(task_id)}/{command}", body or {})

    # -- after-call work (see wrapups.py) ----------------------------------
    def save_wrapup(self, uniqueid: str, body: dict[str, Any]) -> dict[str, Any]:
        """PUT /api/v1/wrapups/{uniqueid}: the agent's record (idempotent per call and agent)."""
        return dict(self.request("PUT", f"/api/v1/wrapups/{segment(uniqueid)}", body))

    def finish_wrapup(self, uniqueid: str) -> dict[str, Any]:
        return dict(self.request("POST", f"/api/v1/wrapups/{segment(uniqueid)}/finish", {}))

    def agent_calls(self, day: str) -> dict[str, Any]:
        """The agent's queue calls of `day` (YYYY-MM-DD) with wrap-up and survey."""
        query = urlencode({"day": day})
        return dict(self.request("GET", f"/api/v1/agents/{segment(self.agent)}/calls?{query}"))

    # -- provisioning (agentdesk/contract/provisioning.py) ---------------------
    def provisioning(self) -> dict[str, Any]:
        """{"settings": {...}, "locked": [...]}: what an administrator set for this agent."""
        return dict(self.request("GET", PROVISIONING_PATH))

    def open_events(self, read_timeout: float, path: str = "/api/v1/events") -> requests.Response:
        """A server-sent event stream, the agent's own or a team lead's monitor stream (caller closes it)."""
        for attempt in (1, 2):
            headers = {"Authorization": f"Bearer {self.token()}", "Accept": "text/event-stream"}
            self._check_open()  # signing in may have taken a while
            try:
                response = self._http().get(self.base_url + path, stream=True,
                                            timeout=(self._timeout, read_timeout), headers=headers)
            except requests.exceptions.SSLError as error:
                raise self._tls_failed(error) from None
            if response.status_code == 401 and attempt == 1:
                response.close()
                self.sign_in()
                continue
            if response.status_code != 200:
                message = error_text(response)
                response.close()
                raise DeskError(message, response.status_code)
            return response
        raise DeskError("the desk service refused the event stream", 401)

    def close(self) -> None:
        """Closes the connections; a call still running makes no further request."""
        with self._lock:
            self._closed = True
            session, self._http_session = self._http_session, None
        if session is not None:
            session.close()

    # -- plumbing ---------------------------------------------------------------
    def _deadline(self) -> float:
        return time.monotonic() + self._timeout

    def _too_slow(self) -> DeskError:
        return DeskError(f"the desk service did not answer within {self._timeout:g} s")

    def _http(self) -> requests.Session:
        """The HTTP session, made at first use: reading the authority file is disk work."""
        with self._lock:
            if self._closed:
                raise DeskError("the link to the desk service was closed")
            if self._http_session is None:
                try:
                    self._http_session = desk_session(self._ca_file)
                except TrustError as error:
                    raise DeskError(str(error)) from None
            return self._http_session

    def _unreachable(self, error: requests.ConnectionError) -> DeskError:
        # A plain-HTTP request to an HTTPS port connects and is then dropped:
        # say what to change rather than only "cannot reach".
        dropped = "aborted" in str(error) or "RemoteDisconnected" in str(error)
        if self.base_url.startswith("http://") and dropped:
            return DeskError(f"the desk service at {self.base_url} hung up on plain HTTP: if it serves HTTPS, "
                             "use an https:// address (Settings → Contact center → Desk service address)")
        return DeskError(f"cannot reach the desk service at {self.base_url}")

    def _tls_failed(self, error: requests.exceptions.SSLError) -> DeskError:
        message = describe_tls_failure(error, self._address, self._ca_file)
        log.info("desk link: %s (%s)", message, error)
        return DeskError(message)

    def _check_open(self) -> None:
        if self._closed:
            raise DeskError("the link to the desk service was closed")

    def _send(self, method: str, path: str, body: dict[str, Any] | None, deadline: float,
              auth: bool = True) -> Any:
        headers = {"Authorization": f"Bearer {self.token(deadline)}"} if auth else {}
        self._check_open()
        left = deadline - time.monotonic()
        if left <= 0:
            raise self._too_slow()
        try:
            # total= bounds connecting and waiting for the answer together. requests hands a
            # urllib3 Timeout through unchanged (HTTPAdapter.send); its stubs only list float/tuple.
            response = self._http().request(method, self.base_url + path, json=body, headers=headers,
                                            timeout=Timeout(total=left))  # type: ignore[arg-type]
        except requests.Timeout:
            raise self._too_slow() from None
        except requests.exceptions.SSLError as error:  # before ConnectionError: it is one
            raise self._tls_failed(error) from None
        except requests.ConnectionError as error:
            raise self._unreachable(error) from None
        if response.status_code >= 400:
            raise DeskError(error_text(response), response.status_code)
        if not response.content:  # e.g. 204, or a 200 that only says "done"
            return {}
        try:
            return response.json()
        except ValueError:
            raise DeskError("the desk service sent something that is not JSON") from None


def _address(host: str, port: int | None) -> str:
    """host:port as the agent typed it, without any user part of the URL."""
    shown = f"[{host}]" if ":" in host else host
    return f"{shown}:{port}" if port else shown


def error_text(response: requests.Response) -> str:
    try:
        message = str(response.json().get("error", ""))
    except (ValueError, AttributeError):
        message = ""
    return message or f"the desk service answered {response.status_code}"
