"""The demo CRM over real HTTP: look-ups, customer pages (escaped), the
delay control, quick stop, and the command line."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from agentdesk.desktop.crm.demo import (
    DemoCrm,
    is_loopback,
    load_customers,
    normalise_number,
)

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def crm() -> Iterator[DemoCrm]:
    server = DemoCrm(port=0, delay_ms=0).start()
    yield server
    server.stop()


def test_numbers_are_normalised_to_e164() -> None:
    assert normalise_number("+98 21 5555 0101") == "+982155550101"
    assert normalise_number(" 982155550101") == "+982155550101"  # an unencoded + arrives as a space
    assert normalise_number("0098-21-5555-0101") == "+982155550101"
    assert normalise_number("(+7) 495.123.45.67") == "+74951234567"
    assert normalise_number("+۹۸۲۱۵۵۵۵۰۱۰۱") == "+982155550101"  # Persian digits
    assert normalise_number("anonymous") == ""


def test_a_customer_is_found_by_number(crm: DemoCrm) -> None:
    for phone in ("%2B982155550102", "+982155550102", "982155550102", "%2B98%2021%205555%200102"):
        answer = requests.get(f"{crm.url}/api/customers?phone={phone}", timeout=5)
        assert answer.status_code == 200, phone
        assert answer.headers["Content-Type"] == "application/json; charset=utf-8"
        customer = answer.json()
        assert (customer["id"], customer["name"], customer["company"], customer["tier"]) == (
            "C0002", "Reza Hosseini", "Pars Logistics", "gold")
        assert customer["url"] == f"{crm.url}/customers/C0002"


def test_unknown_and_missing_numbers(crm: DemoCrm) -> None:
    unknown = requests.get(f"{crm.url}/api/customers", params={"phone": "+15555550199"}, timeout=5)
    assert (unknown.status_code, unknown.json()) == (404, {"error": "not found"})
    missing = requests.get(f"{crm.url}/api/customers", timeout=5)
    assert missing.status_code == 400 and "phone" in missing.json()["error"]
    assert requests.get(f"{crm.url}/nothing", timeout=5).status_code == 404


def test_customer_pages_are_html_escaped(tmp_path: Path) -> None:
    customers = tmp_path / "customers.csv"
    customers.write_text("# test\nnumber,name,company,tier,email,city\n"
                         "+15555550100,<script>alert(1)</script>,Carter & Sons,vip,x@example.com,\"Z\"\n",
                         encoding="utf-8")
    server = DemoCrm(port=0, delay_ms=0, customers=customers).start()
    try:
        page = requests.get(f"{server.url}/customers/C0001", timeout=5)
        assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
        assert "<script>" not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text and "Carter &amp; Sons" in page.text
        assert "default-src 'none'" in page.headers["Content-Security-Policy"]
        assert requests.get(f"{server.url}/customers/C9999", timeout=5).status_code == 404
    finally:
        server.stop()


def test_the_shipped_customers_load() -> None:
    customers = load_customers(ROOT / "resources" / "demo" / "customers.csv")
    assert len(customers) == 12
    assert customers["+442071234567"].company == "Carter & Sons"
    assert len({c.id for c in customers.values()}) == 12


def test_the_delay_can_be_changed_while_running(crm: DemoCrm) -> None:
    url = f"{crm.url}/api/customers?phone=%2B982155550101"
    answer = requests.post(f"{crm.url}/_control/delay?ms=400", timeout=5)
    assert (answer.status_code, answer.json()) == (200, {"delay_ms": 400})
    started = time.monotonic()
    assert requests.get(url, timeout=5).status_code == 200
    assert 0.4 <= time.monotonic() - started < 2
    assert requests.post(f"{crm.url}/_control/delay?ms=-1", timeout=5).status_code == 400
    assert requests.post(f"{crm.url}/_control/delay?ms=0", timeout=5).status_code == 200
    started = time.monotonic()
    requests.get(url, timeout=5)
    assert time.monotonic() - started < 0.3


def test_control_is_for_this_machine_only() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("192.0.2.7") and not is_loopback("crm.example.com")


def test_stop_does_not_wait_for_slow_answers(crm: DemoCrm) -> None:
    crm.set_delay_ms(30_000)
    outcome: list[str] = []

    def ask() -> None:
        try:
            requests.get(f"{crm.url}/api/customers?phone=%2B982155550101", timeout=10)
            outcome.append("answered")
        except requests.RequestException as error:
            outcome.append(type(error).__name__)

    client = threading.Thread(target=ask)
    client.start()
    deadline = time.monotonic() + 5
    while not crm.seen and time.monotonic() < deadline:
        time.sleep(0.01)  # polling for the request to arrive, not an assertion
    started = time.monotonic()
    crm.stop()
    assert time.monotonic() - started < 1
    client.join(5)
    assert outcome  # the slow answer was cut short, one way or the other


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_command_line_serves_until_terminated() -> None:
    port = free_port()
    command = [sys.executable, "-m", "agentdesk.desktop.crm.demo", "--port", str(port), "--delay-ms", "0"]
    process = subprocess.Popen(command,
                               cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                answer = requests.get(f"http://127.0.0.1:{port}/api/customers?phone=%2B74951234567", timeout=1)
                break
            except requests.ConnectionError:
                assert process.poll() is None and time.monotonic() < deadline, "the demo CRM did not start"
                time.sleep(0.05)
        assert json.loads(answer.text)["name"] == "Olga Smirnova"
        process.send_signal(signal.SIGTERM)
        assert process.wait(10) == 0
    finally:
        if process.poll() is None:
            process.kill()
        output = process.communicate()[0]
    assert "demo CRM at http://127.0.0.1" in output
