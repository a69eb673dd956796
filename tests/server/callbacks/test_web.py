"""The public web callback request (agentdesk/server/callbacks/web.py): the
form, validation sentences, per-address flood limits, the service's answers
(ok, merged, refused, limited), escaping and CORS. aiohttp's test client
against the routes alone; `submit` is a fake that records what it got."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from agentdesk.server.callbacks import web as callback_web
from agentdesk.server.callbacks.settings import CallbackSettings
from agentdesk.server.callbacks.web import WebCallbackRequest, add_web_routes
from tests.helpers.errorlog import ErrorLog

T = TypeVar("T")
Client = TestClient[web.Request, web.Application]

NOW = datetime(2030, 3, 14, 9, 0).timestamp()  # a Thursday, 09:00 local time
SITE = "https://www.example.com"
SETTINGS = CallbackSettings(
    region="IR", per_client_limit=100, per_client_minutes=60, hours="08:00-20:00", days_ahead=7,
    web_queues=("support", "sales"), web_origins=(SITE,))
FLOOD_SETTINGS = CallbackSettings(region="IR", per_client_limit=3, per_client_minutes=60,
                                  web_queues=("support",), web_origins=(SITE,))
PATH = "/public/v1/callbacks"


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


class FakeService:
    """The desk service's side of the contract: records each request and
    answers `answer` (or raises it)."""

    def __init__(self, answer: str | Exception = "ok") -> None:
        self.answer = answer
        self.requests: list[WebCallbackRequest] = []

    async def submit(self, request: WebCallbackRequest) -> str:
        self.requests.append(request)
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def run(scenario: Callable[[Client], Awaitable[T]], service: FakeService, settings: CallbackSettings = SETTINGS,
        clock: Clock | None = None, trusted: frozenset[str] = frozenset()) -> T:
    async def main() -> T:
        app = web.Application()
        add_web_routes(app, service.submit, settings, clock or Clock(), trusted)
        async with TestClient(TestServer(app)) as client:
            return await scenario(client)

    return asyncio.run(asyncio.wait_for(main(), 10))


def post_json(data: dict[str, Any], **headers: str) -> Callable[[Client], Awaitable[tuple[int, dict[str, Any]]]]:
    async def scenario(client: Client) -> tuple[int, dict[str, Any]]:
        async with client.post(PATH, json=data, headers=headers) as response:
            return response.status, await response.json()

    return scenario


def post_form(data: dict[str, str]) -> Callable[[Client], Awaitable[tuple[int, str]]]:
    async def scenario(client: Client) -> tuple[int, str]:
        async with client.post(PATH, data=data) as response:
            assert response.content_type == "text/html"
            return response.status, await response.text()

    return scenario


def local(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


# -- the form -----------------------------------------------------------------------
def test_form_is_self_contained_and_locked_down() -> None:
    async def scenario(client: Client) -> tuple[int, dict[str, str], str]:
        async with client.get("/callback") as response:
            return response.status, dict(response.headers), await response.text()

    status, headers, page = run(scenario, FakeService())
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    policy = headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "form-action 'self'" in policy
    nonce = policy.split("style-src 'nonce-")[1].split("'")[0]
    assert f'<style nonce="{nonce}">' in page
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "<script" not in page and "src=" not in page and "href=" not in page
    for field in ("number", "when", "topic", "topic_other", "name", "queue"):
        assert f'<label for="{field}">' in page and f'id="{field}" name="{field}"' in page
    assert 'type="tel"' in page and f'action="{PATH}"' in page
    assert 'min="2030-03-14T09:00" max="2030-03-21T23:59"' in page


def test_one_web_queue_needs_no_question() -> None:
    async def scenario(client: Client) -> str:
        async with client.get("/callback") as response:
            return await response.text()

    page = run(scenario, FakeService(), settings=FLOOD_SETTINGS)
    assert 'name="number"' in page and 'name="queue"' not in page


# -- accepted requests ----------------------------------------------------------------
def test_form_post_submits_the_normalised_number() -> None:
    service = FakeService()
    status, page = run(post_form({"number": "+98 912 111 0001", "when": "", "topic": "Billing",
                                  "topic_other": "invoice 42", "name": "Sara", "queue": "sales"}), service)
    assert status == 201
    assert "Thank you, Sara" in page and "as soon as possible" in page
    assert service.requests == [WebCallbackRequest(queue="sales", number="09121110001", due_at=None,
                                                   topic="Billing: invoice 42", name="Sara", client="127.0.0.1")]


def test_json_post_books_a_time_in_the_default_queue() -> None:
    service = FakeService()
    status, answer = run(post_json({"number": "0912 111 0001", "when": "2030-03-21T19:59", "topic": "Order",
                                    "name": None}), service)
    assert status == 201
    assert answer == {"message": "Thank you. We will call you back on Thursday 21 March at 19:59."}
    (request,) = service.requests
    assert (request.queue, request.number, request.due_at, request.topic, request.name) == (
        "support", "09121110001", local("2030-03-21T19:59"), "Order", "")


def test_merged_reads_like_ok() -> None:
    status, answer = run(post_json({"number": "09121110001"}), FakeService("merged"))
    assert status == 201
    assert answer == {"message": "Thank you. We already have your request, and we will call you back."}


# -- invalid input --------------------------------------------------------------------
INVALID: list[tuple[dict[str, Any], str]] = [
    ({"number": ""}, "Please enter the phone number we should call."),
    ({"number": "12345"}, callback_web.NOT_A_NUMBER),
    ({"number": "0912 111 000l"}, callback_web.NOT_A_NUMBER),
    ({"number": "0" * 60}, callback_web.NOT_A_NUMBER),
    ({"number": "09121110001", "when": "tomorrow at ten"}, callback_web.BAD_WHEN),
    ({"number": "09121110001", "when": "2030-02-30T10:00"}, callback_web.BAD_WHEN),
    ({"number": "09121110001", "when": "2030-03-14T21:00"},
     "We call back between 08:00 and 20:00. Please choose a time within those hours."),
    ({"number": "09121110001", "when": "2030-03-15T20:00"},
     "We call back between 08:00 and 20:00. Please choose a time within those hours."),
    ({"number": "09121110001", "when": "2030-03-14T08:30"}, callback_web.SOON_WHEN),
    ({"number": "09121110001", "when": "2030-03-14T09:02"}, callback_web.SOON_WHEN),
    ({"number": "09121110001", "when": "2030-03-22T10:00"},
     "We can book a callback at most 7 days ahead. Please choose an earlier day."),
    ({"number": "09121110001", "topic": "x" * 201}, "The topic is too long. Please keep it to 200 characters."),
    ({"number": "09121110001", "topic": "Billing", "topic_other": "x" * 195},
     "The topic is too long. Please keep it to 200 characters."),
    ({"number": "09121110001", "name": "x" * 81}, "The name is too long. Please keep it to 80 characters."),
    ({"number": "09121110001", "queue": "billing"}, callback_web.UNKNOWN_QUEUE),
    ({"number": 9121110001}, "Each field must be text."),
]


@pytest.mark.parametrize(("fields", "sentence"), INVALID)
def test_invalid_json_input_gets_its_sentence(fields: dict[str, Any], sentence: str) -> None:
    service = FakeService()
    assert run(post_json(fields), service) == (400, {"error": sentence})
    assert service.requests == []


@pytest.mark.parametrize(("fields", "sentence"), [case for case in INVALID if isinstance(case[0]["number"], str)])
def test_invalid_form_input_shows_the_form_again_with_its_sentence(fields: dict[str, str], sentence: str) -> None:
    service = FakeService()
    status, page = run(post_form(fields), service)
    assert status == 400
    assert f'<p class="alert" role="alert">{sentence}</p>' in page
    assert f'value="{fields["number"]}"' in page  # typed in again for the visitor
    assert service.requests == []


def test_body_that_is_not_a_form_or_json_is_refused() -> None:
    async def scenario(client: Client) -> list[int]:
        statuses = []
        for body, kind in ((b"x" * 5000, "application/json"), (b"number=1", "text/plain"),
                           (b"[1]", "application/json"), (b"\xff", "application/x-www-form-urlencoded")):
            async with client.post(PATH, data=body, headers={"Content-Type": kind}) as response:
                statuses.append(response.status)
        return statuses

    service = FakeService()
    assert run(scenario, service) == [413, 415, 400, 400]
    assert service.requests == []


# -- what the service answers -----------------------------------------------------------
def test_limited_number_gets_429_with_a_sentence() -> None:
    async def scenario(client: Client) -> tuple[int, str, dict[str, Any]]:
        async with client.post(PATH, json={"number": "09121110001"}) as response:
            return response.status, response.headers["Retry-After"], await response.json()

    service = FakeService("limited")
    assert run(scenario, service) == (429, "86400", {"error": callback_web.LIMITED})
    assert len(service.requests) == 1


def test_refused_number_is_answered_politely_without_saying_why() -> None:
    status, answer = run(post_json({"number": "09121110001"}), FakeService("refused"))
    assert status == 400
    assert answer["error"].startswith("We are sorry") and "block" not in answer["error"].lower()


def test_a_failing_service_is_logged_and_the_visitor_asked_to_retry(error_log: ErrorLog) -> None:
    error_log.allowed = True
    status, answer = run(post_json({"number": "09121110001"}), FakeService(RuntimeError("database gone")))
    assert (status, answer) == (503, {"error": callback_web.FAILED})
    assert [record.getMessage() for record in error_log.records] == [
        "a web callback request for queue support could not be submitted"]


# -- escaping ---------------------------------------------------------------------------
def test_what_the_visitor_typed_is_escaped() -> None:
    script = "<script>alert(1)</script>"
    status, page = run(post_form({"number": "09121110001", "name": script}), FakeService())
    assert status == 201
    assert "Thank you, &lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script" not in page

    status, page = run(post_form({"number": f'"><{script}', "name": script, "topic": script,
                                  "topic_other": f"'{script}", "when": script}), FakeService())
    assert status == 400
    assert "<script" not in page and "'<" not in page
    assert 'value="&quot;&gt;&lt;&lt;script&gt;' in page


# -- flooding ---------------------------------------------------------------------------
def flood(addresses: list[str], body: dict[str, Any] | None = None
          ) -> Callable[[Client], Awaitable[list[tuple[int, str | None]]]]:
    async def scenario(client: Client) -> list[tuple[int, str | None]]:
        answers = []
        for address in addresses:
            async with client.post(PATH, json=body or {"number": "09121110001"},
                                   headers={"X-Forwarded-For": f"198.51.100.9, {address}"}) as response:
                answers.append((response.status, response.headers.get("Retry-After")))
        return answers

    return scenario


def test_flooding_from_one_address_is_limited_while_others_still_work() -> None:
    service = FakeService()
    clock = Clock()
    answers = run(flood(["203.0.113.5"] * 4 + ["203.0.113.6"]), service, FLOOD_SETTINGS, clock,
                  trusted=frozenset({"127.0.0.1"}))
    assert answers == [(201, None)] * 3 + [(429, "3600"), (201, None)]
    assert [request.client for request in service.requests] == ["203.0.113.5"] * 3 + ["203.0.113.6"]

    clock.now += 3600
    assert run(flood(["203.0.113.5"]), service, FLOOD_SETTINGS, clock, frozenset({"127.0.0.1"})) == [(201, None)]


def test_the_limit_comes_before_anything_else() -> None:
    service = FakeService()
    answers = run(flood(["203.0.113.5"] * 5, body={"number": "nonsense"}), service, FLOOD_SETTINGS,
                  trusted=frozenset({"127.0.0.1"}))
    assert [status for status, _ in answers] == [400, 400, 400, 429, 429]


def test_forwarded_for_from_an_untrusted_peer_does_not_escape_the_limit() -> None:
    service = FakeService()
    answers = run(flood([f"203.0.113.{n}" for n in range(4)]), service, FLOOD_SETTINGS)
    assert [status for status, _ in answers] == [201, 201, 201, 429]
    assert {request.client for request in service.requests} == {"127.0.0.1"}


def test_the_limit_page_for_a_form_post() -> None:
    async def scenario(client: Client) -> list[tuple[int, str | None, str]]:
        answers = []
        for _ in range(2):
            async with client.post(PATH, data={"number": "09121110001"}) as response:
                answers.append((response.status, response.headers.get("Retry-After"), await response.text()))
        return answers

    settings = CallbackSettings(per_client_limit=1, per_client_minutes=10, web_queues=("support",))
    (first, _, _), (status, retry_after, page) = run(scenario, FakeService(), settings)
    assert (first, status, retry_after) == (201, 429, "600")
    assert "Too many requests have come from your connection. Please try again in about 10 minutes." in page


def test_an_ipv6_subscriber_network_counts_as_one_address() -> None:
    service = FakeService()
    answers = run(flood(["2001:db8::1", "2001:db8::2", "2001:db8::3:4", "2001:db8::ff", "2001:db8:0:1::1"]),
                  service, FLOOD_SETTINGS, trusted=frozenset({"127.0.0.1"}))
    assert [status for status, _ in answers] == [201, 201, 201, 429, 201]
    assert service.requests[0].client == "2001:db8::1"


def test_no_limit_when_the_limit_is_zero() -> None:
    service = FakeService()
    answers = run(flood(["203.0.113.5"] * 20), service, CallbackSettings(per_client_limit=0, web_queues=("support",)))
    assert answers == [(201, None)] * 20


def test_without_web_queues_the_form_says_callbacks_are_closed() -> None:
    async def scenario(client: Client) -> tuple[int, str, int, dict[str, Any]]:
        async with client.get("/callback") as page, client.post(PATH, json={"number": "09121110001"}) as post:
            return page.status, await page.text(), post.status, await post.json()

    service = FakeService()
    page_status, page, status, answer = run(scenario, service, CallbackSettings())
    assert page_status == 503 and callback_web.CLOSED in page and "<form" not in page
    assert (status, answer) == (503, {"error": callback_web.CLOSED})
    assert service.requests == []


# -- CORS -------------------------------------------------------------------------------
def preflight(origin: str) -> Callable[[Client], Awaitable[tuple[int, dict[str, str]]]]:
    async def scenario(client: Client) -> tuple[int, dict[str, str]]:
        headers = {"Origin": origin, "Access-Control-Request-Method": "POST",
                   "Access-Control-Request-Headers": "content-type"}
        async with client.options(PATH, headers=headers) as response:
            return response.status, dict(response.headers)

    return scenario


def test_preflight_only_for_the_website_origins() -> None:
    status, headers = run(preflight(SITE), FakeService())
    assert status == 204
    assert headers["Access-Control-Allow-Origin"] == SITE
    assert headers["Access-Control-Allow-Methods"] == "POST"
    assert "content-type" in headers["Access-Control-Allow-Headers"].lower()

    status, headers = run(preflight("https://elsewhere.example.net"), FakeService())
    assert status == 403 and "Access-Control-Allow-Origin" not in headers


def test_cross_site_posts_only_from_the_website_origins() -> None:
    async def scenario(client: Client) -> list[tuple[int, str | None]]:
        answers = []
        own = str(client.make_url("/")).rstrip("/")
        for origin in (SITE, "https://elsewhere.example.net", own):
            async with client.post(PATH, json={"number": "09121110001"}, headers={"Origin": origin}) as response:
                answers.append((response.status, response.headers.get("Access-Control-Allow-Origin")))
        return answers

    service = FakeService()
    assert run(scenario, service) == [(201, SITE), (403, None), (201, None)]
    assert len(service.requests) == 2
