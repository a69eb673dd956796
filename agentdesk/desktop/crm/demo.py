"""A demo CRM: the fictitious customers of resources/demo/customers.csv over HTTP.

    python -m agentdesk.desktop.crm.demo --port 8470 --delay-ms 50 [--bind 127.0.0.1]

    GET  /api/customers?phone=<number>  the customer as JSON, or 404 {"error": "not found"}
    GET  /customers/<id>                the customer's page (what "Open in CRM" shows)
    POST /_control/delay?ms=<n>         changes the answer delay (loopback clients only)

Numbers are matched in E.164 after removing spaces and punctuation and
adding a missing "+" (an unencoded "+" in a query string arrives as a
space). Every look-up and page waits the configured delay first, so tests
and demos can show a slow CRM. Tests use it in-process:
``DemoCrm(port=0, delay_ms=50).start()`` ... ``.stop()``.
"""

from __future__ import annotations

import argparse
import csv
import html
import ipaddress
import json
import logging
import signal
import socket
import threading
import unicodedata
from dataclasses import asdict, dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from ..resources import resource

log = logging.getLogger("agentdesk.desktop.crm")
MAX_DELAY_MS = 60_000


@dataclass(frozen=True)
class Customer:
    id: str
    number: str
    name: str
    company: str
    tier: str
    email: str
    city: str
    notes: str


def normalise_number(text: str) -> str:
    """'+98 21 5555 0101', ' 982155550101', '0098-21-…' -> '+982155550101';
    digits in any script count ('+۹۸…'). '' when there are no digits."""
    stripped = text.strip()
    digits = "".join(str(unicodedata.digit(ch)) for ch in stripped if unicodedata.digit(ch, None) is not None)
    if digits.startswith("00") and not stripped.startswith("+"):
        digits = digits[2:]
    return f"+{digits}" if digits else ""


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: only "localhost" is known to stay on this machine
        log.debug("%s is not an IP address", host)
        return host == "localhost"


def load_customers(path: Path) -> dict[str, Customer]:
    """Customers by E.164 number; '#' lines are comments. Without an id
    column, ids are made from the row order (C0001, C0002, ...)."""
    with path.open(encoding="utf-8", newline="") as file:
        rows = [line for line in file if line.strip() and not line.lstrip().startswith("#")]
    customers = {}
    for index, row in enumerate(csv.DictReader(rows), start=1):
        number = normalise_number(row.get("number") or "")
        if not number:
            log.warning("%s row %d has no number; skipped", path.name, index)
            continue
        customers[number] = Customer(
            id=(row.get("id") or f"C{index:04d}").strip(), number=number, name=row.get("name") or "",
            company=row.get("company") or "", tier=row.get("tier") or "", email=row.get("email") or "",
            city=row.get("city") or "", notes=row.get("notes") or "")
    return customers


PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{name} · Demo CRM</title>
<style>body{{font-family:sans-serif;margin:2em;color:#202124}} th{{text-align:start;color:#5f6368;
padding-inline-end:1em}} h1{{font-weight:600}}</style></head>
<body><h1>{name}</h1><table>
<tr><th>Customer</th><td>{id}</td></tr><tr><th>Phone</th><td dir="ltr">{number}</td></tr>
<tr><th>Company</th><td>{company}</td></tr><tr><th>Tier</th><td>{tier}</td></tr>
<tr><th>E-mail</th><td>{email}</td></tr><tr><th>City</th><td>{city}</td></tr>
<tr><th>Notes</th><td>{notes}</td></tr></table>
<p><small>AgentDesk demo CRM: fictitious customers.</small></p></body></html>
"""


class _Handler(BaseHTTPRequestHandler):
    server: _CrmServer
    server_version = "AgentDeskDemoCRM/1"

    def do_GET(self) -> None:
        address = urlsplit(self.path)
        query = parse_qs(address.query)
        crm = self.server.crm
        crm.note_request(address.path, query)
        crm.wait_delay()
        if address.path == "/api/customers":
            self._lookup(query)
        elif address.path.startswith("/customers/"):
            self._page(unquote(address.path.removeprefix("/customers/")))
        else:
            self._send_json(404, {"error": "no such page"})

    def do_POST(self) -> None:
        address = urlsplit(self.path)
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if not is_loopback(self.client_address[0]):
            self._send_json(403, {"error": "control requests are accepted from this machine only"})
        elif address.path != "/_control/delay":
            self._send_json(404, {"error": "no such control"})
        else:
            self._set_delay(parse_qs(address.query).get("ms", [""])[0])

    def _set_delay(self, text: str) -> None:
        if not text.isdigit() or int(text) > MAX_DELAY_MS:
            self._send_json(400, {"error": f"ms must be a whole number from 0 to {MAX_DELAY_MS}"})
            return
        self.server.crm.set_delay_ms(int(text))
        self._send_json(200, {"delay_ms": int(text)})

    def _lookup(self, query: dict[str, list[str]]) -> None:
        number = normalise_number(query.get("phone", [""])[0])
        if not number:
            self._send_json(400, {"error": "give the caller's number as ?phone=<E.164 number>"})
            return
        customer = self.server.crm.customers.get(number)
        if customer is None:
            self._send_json(404, {"error": "not found"})
            return
        self._send_json(200, {**asdict(customer), "url": f"{self._base()}/customers/{customer.id}"})

    def _page(self, customer_id: str) -> None:
        customer = next((c for c in self.server.crm.customers.values() if c.id == customer_id), None)
        if customer is None:
            self._send(404, "text/html; charset=utf-8", b"<!DOCTYPE html><title>Not found</title><p>No such customer.")
            return
        fields = {key: html.escape(value) for key, value in asdict(customer).items()}
        self._send(200, "text/html; charset=utf-8", PAGE.format(**fields).encode("utf-8"))

    def _base(self) -> str:
        host = self.headers.get("Host", "")
        if not host or any(ch in host for ch in "/\\@ \t\"'<>"):
            return self.server.crm.url
        return f"http://{host}"

    def _send_json(self, status: int, data: dict[str, Any]) -> None:
        self._send(status, "application/json; charset=utf-8", json.dumps(data, ensure_ascii=False).encode("utf-8"))

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.client_address[0], format % args)


class _CrmServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # stop() must not wait for a deliberately slow answer

    def __init__(self, address: tuple[str, int], crm: DemoCrm) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.crm = crm
        super().__init__(address, _Handler)


class DemoCrm:
    """The demo CRM server on a thread of its own; `port=0` picks a free port."""

    def __init__(self, port: int = 0, delay_ms: int = 50, bind: str = "127.0.0.1",
                 customers: Path | None = None) -> None:
        self.customers = load_customers(customers or resource("demo", "customers.csv"))
        self._address = (bind, port)
        self._delay_ms = delay_ms
        self._stopping = threading.Event()
        self._server: _CrmServer | None = None
        self._thread: threading.Thread | None = None
        self._seen: list[tuple[str, dict[str, list[str]]]] = []
        self._seen_lock = threading.Lock()

    def start(self) -> DemoCrm:
        self._stopping.clear()
        self._server = _CrmServer(self._address, self)
        self._thread = threading.Thread(target=self._server.serve_forever, name="demo-crm", daemon=True)
        self._thread.start()
        log.info("demo CRM at %s with %d customers", self.url, len(self.customers))
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes answers that are waiting out the delay
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = self._thread = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the demo CRM is not running")
        host, port = self._address[0], self._server.server_port
        return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"

    @property
    def lookup_template(self) -> str:
        return self.url + "/api/customers?phone={number}"

    @property
    def open_template(self) -> str:
        return self.url + "/customers/{id}"

    def set_delay_ms(self, delay_ms: int) -> None:
        self._delay_ms = max(0, delay_ms)

    def wait_delay(self) -> None:
        self._stopping.wait(self._delay_ms / 1000)

    def note_request(self, path: str, query: dict[str, list[str]]) -> None:
        with self._seen_lock:
            self._seen.append((path, query))

    @property
    def seen(self) -> list[tuple[str, dict[str, list[str]]]]:
        """The GET requests received so far: (path, decoded query)."""
        with self._seen_lock:
            return list(self._seen)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m agentdesk.desktop.crm.demo", description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8470)
    parser.add_argument("--delay-ms", type=int, default=50, help="wait this long before each answer")
    parser.add_argument("--bind", default="127.0.0.1", help="address to listen on (default: this machine only)")
    parser.add_argument("--customers", type=Path, help="CSV of customers (default: the demo customers)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    done = threading.Event()  # handlers first: a SIGTERM right after start-up still stops cleanly
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    crm = DemoCrm(args.port, args.delay_ms, args.bind, args.customers)
    try:
        crm.start()
    except OSError as error:
        log.error("cannot listen on %s port %d: %s", args.bind, args.port, error)
        return 1
    if not is_loopback(args.bind):
        log.warning("listening on %s: anyone who can reach it sees the (fictitious) customers", args.bind)
    while not done.wait(1):
        pass
    crm.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
