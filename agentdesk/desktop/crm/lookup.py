"""Customer look-up in a CRM over HTTP, for the screen-pop.

The plug-in contract is two functions: `fetch_customer`
asks the CRM who is calling (blocking, any thread) and `build_url` makes
the CRM's links (the look-up URL and the "Open in CRM" page) from templates
an administrator sets, e.g. ``http://crm.example.com/api/customers?phone={number}``.
Another CRM needs another `fetch_customer`, nothing else.

`CrmLookup` is the Qt side: it runs look-ups on the task pool and answers on
the GUI thread, at the latest `timeout + DEADLINE_GRACE` seconds after the
request, so a stuck CRM never leaves a screen-pop waiting.

The authorisation header's value comes from the keyring (the caller reads
it and passes it in); it is kept out of `repr` and never logged. Caller
numbers are personal data: logs say which CRM host answered how, not who
called.
"""

from __future__ import annotations

import json
import logging
import string
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import requests
import urllib3
from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

from ..tasks import TaskRunner

# Spelled out at each call (context, text) so that pyside6-lupdate finds every
# text; thread-safe, and look-ups run on workers.
translate = QCoreApplication.translate

log = logging.getLogger("agentdesk.desktop.crm")

TEMPLATE_FIELDS = ("number", "name", "queue", "uniqueid", "id")
MAX_ANSWER_BYTES = 256 * 1024  # a customer record; anything bigger is not one
DEADLINE_GRACE = 0.5  # seconds past the timeout before CrmLookup gives up on a worker


class CrmError(Exception):
    """The CRM could not be asked or gave no usable answer; the message is
    for the agent (translated) and says what went wrong."""



@dataclass(frozen=True)
class CrmConfig:
    """Where and how to ask the CRM. `timeout` is in seconds."""

    lookup_url_template: str
    open_url_template: str = ""
    timeout: float = 2.0
    auth_header: str = ""
    auth_value: str = field(default="", repr=False)  # a secret: never printed, never logged


@dataclass(frozen=True)
class CrmRecord:
    """One customer as the CRM knows them; `open_url` is empty when no link is known."""

    id: str
    name: str
    company: str = ""
    tier: str = ""
    email: str = ""
    city: str = ""
    notes: str = ""
    open_url: str = ""


# -- URL templates -------------------------------------------------------------------


def template_fields(template: str) -> list[str]:
    """The placeholders in `template`; raises CrmError for anything but plain
    {number} {name} {queue} {uniqueid} {id} (no formats, no attributes)."""
    names = []
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as error:
        raise CrmError(translate("Crm", "The CRM address template is malformed: %1").replace(
            "%1", str(error))) from None
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in TEMPLATE_FIELDS or spec or conversion:
            raise CrmError(translate("Crm", "The CRM address template may only use %1, not {%2}")
                           .replace("%1", " ".join("{" + f + "}" for f in TEMPLATE_FIELDS)).replace("%2", name))
        names.append(name)
    return names


def template_problem(template: str) -> str | None:
    """Why `template` cannot be a CRM address template, or None (also for "")."""
    if not template:
        return None
    try:
        build_url(template, dict.fromkeys(TEMPLATE_FIELDS, "0"))
    except CrmError as error:
        return str(error)
    return None


def build_url(template: str, values: Mapping[str, str]) -> str:
    """`template` with each placeholder replaced by its URL-encoded value.

    Every character of a value is encoded (quote with safe=""), so a caller's
    number or name can never add a path, a query parameter or a host."""
    template_fields(template)  # validates
    parts = []
    for literal, name, _spec, _conversion in string.Formatter().parse(template):
        parts.append(literal)
        if name is not None:
            if name not in values:
                raise CrmError(translate("Crm", "No value for {%1} in the CRM address").replace("%1", name))
            parts.append(quote(values[name], safe=""))
    url = "".join(parts)
    address = urlsplit(url)
    if address.scheme not in ("http", "https") or not address.hostname:
        raise CrmError(translate("Crm", "The CRM address must start with http:// or https:// and name a host"))
    return url


def open_url(config: CrmConfig, values: Mapping[str, str], offered: str = "") -> str:
    """The "Open in CRM" link: the administrator's template when set, else the
    link the CRM offered, if it is http(s); "" when none can be made."""
    if config.open_url_template:
        try:
            if "id" in template_fields(config.open_url_template) and not values.get("id"):
                return ""  # the CRM sent no id: a link without one would be wrong, not empty
            return build_url(config.open_url_template, values)
        except CrmError as error:
            log.warning("no CRM link for this customer: %s", error)
            return ""
    address = urlsplit(offered)
    return offered if address.scheme in ("http", "https") and address.hostname else ""


# -- the blocking look-up --------------------------------------------------------------


def fetch_customer(config: CrmConfig, number: str, session: requests.Session, *, name: str = "",
                   queue: str = "", uniqueid: str = "") -> CrmRecord | None:
    """Who is calling from `number`: the CRM's record, or None when the CRM
    does not know the number (HTTP 404 or an empty answer).

    Raises CrmError on a timeout, a refused connection, an HTTP error or an
    answer that is not a customer in JSON."""
    values = {"number": number, "name": name, "queue": queue, "uniqueid": uniqueid}
    url = build_url(config.lookup_url_template, values)
    host = urlsplit(url).hostname or ""
    headers = {"Accept": "application/json"}
    if config.auth_header:
        headers[config.auth_header] = config.auth_value
    deadline = time.monotonic() + config.timeout
    try:
        with session.get(url, headers=headers, timeout=(config.timeout, config.timeout), stream=True,
                         allow_redirects=False) as response:
            if response.status_code == 404:
                log.debug("CRM %s: number not known", host)
                return None
            _check_status(response.status_code, host)
            body = _read_body(response, deadline)
    except requests.Timeout:
        log.warning("CRM %s did not answer within %g s", host, config.timeout)
        raise CrmError(_timeout_text(config.timeout)) from None
    except requests.ConnectionError as error:
        log.warning("CRM %s unreachable: %s", host, type(error).__name__)
        if time.monotonic() >= deadline:  # a stall while reading the body
            raise CrmError(_timeout_text(config.timeout)) from None
        raise CrmError(translate("Crm", "The CRM (%1) cannot be reached").replace("%1", host)) from None
    except requests.RequestException as error:
        log.warning("CRM %s request failed: %s", host, type(error).__name__)
        raise CrmError(translate("Crm", "The CRM request failed (%1)").replace("%1", type(error).__name__)) from None
    return record_from_answer(body, config, values)


def _timeout_text(timeout: float) -> str:
    return translate("Crm", "CRM did not answer within %1 s").replace("%1", f"{timeout:g}")


def _check_status(status: int, host: str) -> None:
    if status < 300:
        return
    log.warning("CRM %s answered HTTP %d", host, status)
    if status in (401, 403):
        raise CrmError(translate("Crm", "The CRM refused the request (HTTP %1): check its credentials").replace(
            "%1", str(status)))
    if status >= 500:
        raise CrmError(translate("Crm", "The CRM failed (HTTP %1)").replace("%1", str(status)))
    raise CrmError(translate("Crm", "The CRM did not accept the request (HTTP %1)").replace("%1", str(status)))


def _read_body(response: requests.Response, deadline: float) -> bytes:
    """The answer, within the deadline and the size limit (requests' own
    timeout is per read, so a CRM that trickles bytes would never time out)."""
    chunks: list[bytes] = []
    size = 0
    for chunk in _chunks(response):
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:
            raise CrmError(translate("Crm", "The CRM's answer is too large to be a customer record"))
        if time.monotonic() > deadline:
            raise requests.Timeout("body not complete within the deadline")
        chunks.append(chunk)
    return b"".join(chunks)


def _chunks(response: requests.Response) -> Iterator[bytes]:
    """The body as it arrives. urllib3 2's read1 returns whatever one read
    brings; iter_content would wait to fill each chunk."""
    raw = response.raw
    if not hasattr(raw, "read1"):  # urllib3 1.x
        yield from response.iter_content(16384)
        return
    try:
        while chunk := raw.read1(16384, decode_content=True):
            yield chunk
    except urllib3.exceptions.HTTPError as error:  # requests wraps these in iter_content; here we must
        log.debug("CRM answer broke off: %s", type(error).__name__)
        raise requests.ConnectionError(error) from None


def record_from_answer(body: bytes, config: CrmConfig, values: Mapping[str, str]) -> CrmRecord | None:
    """A CrmRecord from the CRM's JSON: one object, or a list whose first
    object is the customer (an empty list means not found)."""
    try:
        data = json.loads(body)
    except ValueError as error:
        log.warning("CRM answer is not JSON: %s", error)
        raise CrmError(translate("Crm", "The CRM's answer is not valid JSON")) from None
    if isinstance(data, list):
        if not data:
            return None
        data = data[0]
    if not isinstance(data, dict):
        log.warning("CRM answer is JSON but not an object (%s)", type(data).__name__)
        raise CrmError(translate("Crm", "The CRM's answer is not a customer record"))
    return _record(data, config, values)


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    return "" if value is None or isinstance(value, dict | list) else str(value)


def _record(data: dict[str, Any], config: CrmConfig, values: Mapping[str, str]) -> CrmRecord:
    customer_id = _text(data, "id")
    link = open_url(config, {**values, "id": customer_id}, _text(data, "url"))
    return CrmRecord(id=customer_id, name=_text(data, "name"), company=_text(data, "company"),
                     tier=_text(data, "tier"), email=_text(data, "email"), city=_text(data, "city"),
                     notes=_text(data, "notes"), open_url=link)


# -- the Qt side ------------------------------------------------------------------------


class CrmLookup(QObject):
    """Look-ups for the screen-pop, run on the task pool.

    Signals: `found(request_id, CrmRecord | None)` and `failed(request_id,
    message)`. Exactly one of them is emitted for each id `lookup` returns,
    on the GUI thread, never later than timeout + DEADLINE_GRACE seconds
    after the request; a worker's late answer is then dropped.
    """

    found = Signal(int, object)
    failed = Signal(int, str)

    def __init__(self, tasks: TaskRunner, config: CrmConfig | None = None,
                 session_factory: Callable[[], requests.Session] = requests.Session,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._config = config
        self._session_factory = session_factory
        self._local = threading.local()  # one Session (connection pool) per worker thread
        self._sessions: list[requests.Session] = []
        self._sessions_lock = threading.Lock()
        self._pending: dict[int, QTimer] = {}
        self._next_id = 0

    def configure(self, config: CrmConfig | None) -> None:
        self._config = config

    @property
    def configured(self) -> bool:
        return self._config is not None and bool(self._config.lookup_url_template)

    def lookup(self, number: str, *, name: str = "", queue: str = "", uniqueid: str = "") -> int:
        """Start a look-up; returns its request id (the signals carry it)."""
        self._next_id += 1
        request_id = self._next_id
        config = self._config
        if config is None or not config.lookup_url_template:
            QTimer.singleShot(0, self, lambda: self.failed.emit(request_id, translate("Crm", "No CRM is set up")))
            return request_id
        self._pending[request_id] = self._deadline(request_id, config.timeout)

        def work() -> CrmRecord | None:
            return fetch_customer(config, number, self._session(), name=name, queue=queue, uniqueid=uniqueid)

        self._tasks.run(work, lambda record: self._finish(request_id, record),
                        lambda error: self._fail(request_id, error))
        return request_id

    def _deadline(self, request_id: int, timeout: float) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(int((timeout + DEADLINE_GRACE) * 1000))
        timer.timeout.connect(lambda: self._expire(request_id, timeout))
        timer.start()
        return timer

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = self._session_factory()
            self._local.session = session
            with self._sessions_lock:
                self._sessions.append(session)
        return session

    def _settle(self, request_id: int) -> bool:
        timer = self._pending.pop(request_id, None)
        if timer is None:
            return False
        timer.stop()
        timer.deleteLater()
        return True

    def _finish(self, request_id: int, record: CrmRecord | None) -> None:
        if self._settle(request_id):
            self.found.emit(request_id, record)
        else:
            log.debug("CRM answer for look-up %d came after its deadline; dropped", request_id)

    def _fail(self, request_id: int, error: Exception) -> None:
        if not isinstance(error, CrmError):
            log.error("CRM look-up %d failed unexpectedly", request_id, exc_info=error)
        message = str(error) if isinstance(error, CrmError) else translate("Crm", "The CRM look-up failed")
        if self._settle(request_id):
            self.failed.emit(request_id, message)

    def _expire(self, request_id: int, timeout: float) -> None:
        if self._settle(request_id):
            log.warning("CRM look-up %d passed its deadline", request_id)
            self.failed.emit(request_id, _timeout_text(timeout))

    def close(self) -> None:
        """Forget pending look-ups and close the connection pools."""
        for request_id in list(self._pending):
            self._settle(request_id)
        with self._sessions_lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()
