"""CRM look-up against the real demo CRM (and a misbehaving one): found, not
found, encoding, timeouts within their limit, HTTP errors, the secret
header, and the Qt side's signals."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
import requests

from agentdesk.desktop.crm.demo import DemoCrm
from agentdesk.desktop.crm.lookup import (
    CrmConfig,
    CrmError,
    CrmLookup,
    CrmRecord,
    build_url,
    fetch_customer,
    template_problem,
)
from agentdesk.desktop.settings import SettingError, Settings
from agentdesk.desktop.tasks import TaskRunner

MARGIN = 0.4  # seconds a timeout may take beyond its limit


@pytest.fixture
def crm() -> Iterator[DemoCrm]:
    server = DemoCrm(port=0, delay_ms=10).start()
    yield server
    server.stop()


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as http:
        yield http


def config_for(crm: DemoCrm, timeout: float = 2.0, **changes: Any) -> CrmConfig:
    return CrmConfig(crm.lookup_template, crm.open_template, timeout, **changes)


# -- URL templates ----------------------------------------------------------------------


def test_values_are_encoded_whole() -> None:
    template = "https://crm.example.com/find?phone={number}&name={name}&q={queue}"
    url = build_url(template, {"number": "+98 21 5555 0101", "name": "Рустам/../?x=1&y#", "queue": "فروش"})
    assert url == ("https://crm.example.com/find?phone=%2B98%2021%205555%200101"
                   "&name=%D0%A0%D1%83%D1%81%D1%82%D0%B0%D0%BC%2F..%2F%3Fx%3D1%26y%23"
                   "&q=%D9%81%D8%B1%D9%88%D8%B4")
    assert build_url("http://crm/{id}", {"id": "../admin"}) == "http://crm/..%2Fadmin"


@pytest.mark.parametrize("template", [
    "ftp://crm.example.com/{number}", "javascript:alert({number})", "file:///etc/{number}", "{number}",
    "crm.example.com/?phone={number}", "http:///path?{number}", "http://crm/{phone}", "http://crm/{number:>20}",
    "http://crm/{number.real}", "http://crm/{number!r}", "http://crm/{", "http://crm/{0}",
])
def test_bad_templates_are_refused(template: str) -> None:
    with pytest.raises(CrmError):
        build_url(template, {"number": "1"})
    assert template_problem(template)


def test_crm_settings_are_checked(user_folders: Any) -> None:
    settings = Settings()
    settings.set("crm_lookup_url", "http://127.0.0.1:8470/api/customers?phone={number}")
    settings.set("crm_open_url", "https://crm.example.com/customers/{id}")
    with pytest.raises(SettingError, match="http"):
        settings.set("crm_lookup_url", "ftp://crm.example.com/{number}")
    with pytest.raises(SettingError, match="only use"):
        settings.set("crm_open_url", "https://crm.example.com/{customer}")
    with pytest.raises(SettingError):
        settings.set("crm_timeout_ms", 50)
    with pytest.raises(SettingError, match="header"):
        settings.set("crm_auth_header", "Authorization: Bearer x")
    settings.set("crm_auth_header", "X-Api-Key")


# -- against the demo CRM -----------------------------------------------------------------


def test_a_sample_customer_is_found(crm: DemoCrm, session: requests.Session) -> None:
    record = fetch_customer(config_for(crm), "+982155550102", session)
    assert record == CrmRecord("C0002", "Reza Hosseini", "Pars Logistics", "gold", "reza.hosseini@example.com",
                               "Tehran", "", f"{crm.url}/customers/C0002")


def test_an_unknown_number_is_none(crm: DemoCrm, session: requests.Session) -> None:
    assert fetch_customer(config_for(crm), "+15555550199", session) is None


def test_spaces_plus_and_unicode_reach_the_crm_intact(crm: DemoCrm, session: requests.Session) -> None:
    config = CrmConfig(crm.lookup_template + "&name={name}&queue={queue}&call={uniqueid}")
    record = fetch_customer(config, "+98 21 5555 0102", session, name="رضا حسینی / R&D", queue="پشتیبانی",
                            uniqueid="1700000000.42")
    assert record is not None and record.name == "Reza Hosseini"
    assert record.open_url == f"{crm.url}/customers/C0002"  # no template: the link the CRM offered
    path, query = crm.seen[-1]
    assert path == "/api/customers"
    assert query == {"phone": ["+98 21 5555 0102"], "name": ["رضا حسینی / R&D"], "queue": ["پشتیبانی"],
                     "call": ["1700000000.42"]}


def test_a_slow_crm_times_out_within_its_limit(crm: DemoCrm, session: requests.Session) -> None:
    crm.set_delay_ms(3000)
    started = time.monotonic()
    with pytest.raises(CrmError, match=r"CRM did not answer within 0\.5 s"):
        fetch_customer(config_for(crm, timeout=0.5), "+982155550102", session)
    assert time.monotonic() - started < 0.5 + MARGIN


def test_an_unreachable_crm(session: requests.Session) -> None:
    crm = DemoCrm(port=0).start()
    config = config_for(crm)
    crm.stop()  # nothing listens on that port now
    with pytest.raises(CrmError, match=r"cannot be reached"):
        fetch_customer(config, "+982155550102", session)


# -- against a misbehaving CRM ------------------------------------------------------------


class Misbehaving(BaseHTTPRequestHandler):
    """Answers by path: /500, /401, /json-list, /empty-list, /not-json, /not-object, /huge, /trickle."""

    seen_headers: ClassVar[list[dict[str, str]]] = []

    def do_GET(self) -> None:
        Misbehaving.seen_headers.append(dict(self.headers))
        path = self.path.split("?")[0]
        bodies = {"/500": (500, b"oops"), "/401": (401, b"{}"), "/not-json": (200, b"<html>"),
                  "/not-object": (200, b"42"), "/empty-list": (200, b"[]"), "/huge": (200, b"[" + b" " * 400_000),
                  "/json-list": (200, b'[{"id": 7, "name": "Olga", "url": "javascript:alert(1)", "city": null}]')}
        if path == "/trickle":
            self._trickle()
            return
        status, body = bodies[path]
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _trickle(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "100")
        self.end_headers()
        for _ in range(100):  # one byte every 50 ms: each read is quick, the whole is not
            self.wfile.write(b" ")
            self.wfile.flush()
            time.sleep(0.05)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def bad_crm() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Misbehaving)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Misbehaving.seen_headers = []
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.mark.parametrize(("path", "message"), [
    ("/500", r"The CRM failed \(HTTP 500\)"),
    ("/401", r"refused the request \(HTTP 401\): check its credentials"),
    ("/not-json", "not valid JSON"),
    ("/not-object", "not a customer record"),
    ("/huge", "too large"),
    ("/trickle", r"did not answer within 1 s"),
])
def test_bad_answers_are_clear_errors(bad_crm: str, session: requests.Session, path: str, message: str) -> None:
    started = time.monotonic()
    with pytest.raises(CrmError, match=message):
        fetch_customer(CrmConfig(bad_crm + path + "?n={number}", timeout=1.0), "+1", session)
    assert time.monotonic() - started < 1.0 + MARGIN


def test_lists_empty_answers_and_unsafe_links(bad_crm: str, session: requests.Session) -> None:
    assert fetch_customer(CrmConfig(bad_crm + "/empty-list?n={number}"), "+1", session) is None
    record = fetch_customer(CrmConfig(bad_crm + "/json-list?n={number}"), "+1", session)
    assert record == CrmRecord("7", "Olga")  # a javascript: link is not offered; null is empty
    with_template = CrmConfig(bad_crm + "/json-list?n={number}", "https://crm.example.com/c/{id}?from={number}")
    record = fetch_customer(with_template, "+1 2", session)
    assert record is not None and record.open_url == "https://crm.example.com/c/7?from=%2B1%202"


def test_the_secret_header_is_sent_and_never_shown(bad_crm: str, session: requests.Session,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    secret = "s3cr3t-token-value"
    config = CrmConfig(bad_crm + "/500?n={number}", auth_header="X-Api-Key", auth_value=secret)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(CrmError) as problem:
        fetch_customer(config, "+982155550102", session)
    assert Misbehaving.seen_headers[-1]["X-Api-Key"] == secret
    assert secret not in repr(config) and secret not in str(problem.value)
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("agentdesk"))
    assert "HTTP 500" in ours
    assert secret not in caplog.text and "982155550102" not in ours  # nor the caller's number


# -- the Qt side ------------------------------------------------------------------------------


@pytest.fixture
def make_lookup(qtbot: Any) -> Iterator[Callable[[CrmConfig | None], CrmLookup]]:
    tasks = TaskRunner()
    lookups: list[CrmLookup] = []

    def make(config: CrmConfig | None) -> CrmLookup:
        lookup = CrmLookup(tasks, config)
        lookups.append(lookup)
        return lookup

    yield make
    for lookup in lookups:
        lookup.close()
    tasks.shutdown()


def test_lookup_signals_found_with_the_request_id(crm: DemoCrm, make_lookup: Any, qtbot: Any) -> None:
    lookup = make_lookup(config_for(crm))
    with qtbot.waitSignal(lookup.found, timeout=3000) as found:
        first = lookup.lookup("+74951234567")
    assert found.args[0] == first and found.args[1].name == "Olga Smirnova"
    with qtbot.waitSignal(lookup.found, timeout=3000) as found:
        second = lookup.lookup("+15555550199")
    assert second != first and found.args == [second, None]


def test_lookup_gives_up_at_the_deadline(crm: DemoCrm, make_lookup: Any, qtbot: Any) -> None:
    crm.set_delay_ms(5000)
    lookup = make_lookup(config_for(crm, timeout=0.5))
    started = time.monotonic()
    with qtbot.waitSignal(lookup.failed, timeout=3000) as failed, qtbot.assertNotEmitted(lookup.found, wait=200):
        request = lookup.lookup("+982155550102")
    assert failed.args == [request, "CRM did not answer within 0.5 s"]
    assert time.monotonic() - started < 0.5 + MARGIN + 0.2
    crm.stop()  # wakes the slow answer so the worker finishes before the pool shuts down


def test_lookup_without_a_crm_fails_politely(make_lookup: Any, qtbot: Any) -> None:
    lookup = make_lookup(None)
    assert not lookup.configured
    with qtbot.waitSignal(lookup.failed) as failed:
        request = lookup.lookup("+982155550102")
    assert failed.args == [request, "No CRM is set up"]
