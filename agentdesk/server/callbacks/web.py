"""The public web callback request: a small form for the company website and
the endpoint it posts to (no sign-in; anyone on the internet may call it).

  GET     /callback              the form (HTML from web_pages.py: no scripts, no external assets)
  POST    /public/v1/callbacks   form-encoded (answers an HTML page) or JSON (answers
                                 201 {"message"} | 400 {"error"} | 429 {"error"} + Retry-After;
                                 also 403 another site's page, 413/415 body, 503 service failed)
  OPTIONS /public/v1/callbacks   CORS preflight, for the origins in settings.web_origins only

Fields: number, when ("" = as soon as possible, or "YYYY-MM-DDTHH:MM" local time),
topic (<= 200 characters; the form adds "topic_other" for its "Other" choice),
name (optional, <= 80), queue (optional, one of settings.web_queues).

Invariants: the per-address rate limit is checked before anything else (so a
flood costs a dictionary lookup); nothing the visitor typed reaches a page
unescaped; a refused (blocked) number gets a polite answer that does not say
it is blocked; the service decides ok/merged/refused/limited through `submit`.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import re
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

from aiohttp import web

from ..jsonbody import JsonBodyError, parse_object
from .numbers import normalise
from .policy import MIN_BOOKING_LEAD_SECONDS, RateLimiter, is_bookable
from .settings import CallbackSettings
from .web_pages import (
    MAX_NAME,
    MAX_TOPIC,
    OTHER_TOPIC,
    POST_PATH,
    calling_hours,
    render_form,
    render_message,
)

log = logging.getLogger("agentdesk.server.callbacks")

FORM_PATH = "/callback"
MAX_BODY = 4096
WHEN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2})?")
CONTROL = re.compile(r"[\x00-\x1f\x7f]+")

NOT_A_NUMBER = "That is not a phone number we can call. Please check it and include the area code."
NO_NUMBER = "Please enter the phone number we should call."
BAD_WHEN = "Please give the time as a date and a time, for example 2030-03-14T10:30."
SOON_WHEN = (f"Please choose a time at least {MIN_BOOKING_LEAD_SECONDS // 60} minutes from now, "
             "or leave the time empty and we call you as soon as possible.")
UNKNOWN_QUEUE = "Please choose one of the teams offered in the form."
NOT_TEXT = "Each field must be text."
CLOSED = "Callbacks cannot be requested online at the moment. Please call us instead."
FAILED = "We could not take your request just now. Please try again in a few minutes, or call us."
REFUSED = ("We are sorry, but we cannot arrange a callback to this number online. "
           "Please call us; we will be glad to help.")
LIMITED = ("We have already received several requests for this number recently, so we cannot take another one now. "
           "If you are waiting for our call, we will call you.")


@dataclass(frozen=True)
class WebCallbackRequest:
    """A validated web request, handed to the service's `submit`."""

    queue: str
    number: str  # normalised: national digits, e.g. "09121110001"
    due_at: float | None  # None: as soon as possible
    topic: str
    name: str
    client: str  # the visitor's address (for the service's log; never shown)


Submit = Callable[[WebCallbackRequest], Awaitable[str]]


class InvalidRequestError(Exception):
    """The visitor's input cannot be used; the message is the sentence to show."""

    def __init__(self, sentence: str, status: int = 400) -> None:
        super().__init__(sentence)
        self.status = status


def add_web_routes(app: web.Application, submit: Submit, settings: CallbackSettings,
                   clock: Callable[[], float], trusted_proxies: frozenset[str] = frozenset()) -> None:
    """Mounts the form and the endpoint on the desk service's `app`.
    `submit` answers "ok", "merged", "refused" (blocked number) or "limited"
    (too many requests for that number); `trusted_proxies` are the addresses
    of reverse proxies whose X-Forwarded-For names the real visitor."""
    desk = WebCallbackDesk(submit, settings, clock, trusted_proxies)
    app.add_routes([web.get(FORM_PATH, desk.form), web.post(POST_PATH, desk.request_callback),
                    web.route("OPTIONS", POST_PATH, desk.preflight)])


class WebCallbackDesk:
    """The handlers, with the per-address rate limiter they share."""

    def __init__(self, submit: Submit, settings: CallbackSettings, clock: Callable[[], float],
                 trusted_proxies: frozenset[str]) -> None:
        self.submit = submit
        self.settings = settings
        self.clock = clock
        self.trusted_proxies = trusted_proxies
        self.limiter = RateLimiter(settings.per_client_limit, settings.per_client_seconds, clock)
        self.warned = RateLimiter(1, settings.per_client_seconds, clock)  # one log line per flood and window

    # -- handlers -----------------------------------------------------------------
    async def form(self, request: web.Request) -> web.Response:
        if not self.settings.web_queues:
            return self.page(render_message("Sorry", CLOSED), 503)
        return self.page(render_form(self.settings, self.clock(), {}, ""), 200)

    async def preflight(self, request: web.Request) -> web.Response:
        origin = request.headers.get("Origin", "")
        if origin.lower() not in self.settings.web_origins:
            return web.Response(status=403, headers={"Vary": "Origin"})
        return web.Response(status=204, headers={
            "Access-Control-Allow-Origin": origin, "Vary": "Origin", "Access-Control-Allow-Methods": "POST",
            "Access-Control-Allow-Headers": "Content-Type", "Access-Control-Max-Age": "600"})

    async def request_callback(self, request: web.Request) -> web.Response:
        client = client_address(request, self.trusted_proxies)
        as_json = request.content_type == "application/json"
        if not self.limiter.allow(limit_key(client)):  # first: a flood costs no more than this
            return self.too_many(request, as_json, client)
        fields: dict[str, str] = {}
        try:
            self.check_origin(request)
            fields = await read_fields(request)
            callback = self.validate(fields, client)
        except InvalidRequestError as error:
            log.info("web callback request from %s not taken: %s", client, error)
            return self.reply(request, as_json, error.status, str(error), fields)
        return await self.submit_and_reply(request, as_json, callback, fields)

    # -- steps --------------------------------------------------------------------
    def too_many(self, request: web.Request, as_json: bool, client: str) -> web.Response:
        if self.warned.allow(limit_key(client)):
            log.warning("web callback requests from %s are over the limit", client)
        wait = max(1.0, self.limiter.retry_after(limit_key(client)))
        sentence = ("Too many requests have come from your connection. "
                    f"Please try again in about {math.ceil(wait / 60)} minutes.")
        return self.reply(request, as_json, 429, sentence, {}, retry_after=wait)

    def check_origin(self, request: web.Request) -> None:
        """A browser posting from another site must be one of web_origins: a
        page elsewhere must not turn its visitors into a flood of requests
        from many addresses. Clients without Origin (no browser) pass."""
        origin = request.headers.get("Origin")
        if origin is None or origin.lower() in self.settings.web_origins:
            return
        if urlsplit(origin).netloc.lower() != own_host(request, self.trusted_proxies).lower():
            raise InvalidRequestError("Requests from this website are not accepted.", 403)

    def validate(self, fields: Mapping[str, str], client: str) -> WebCallbackRequest:
        if not self.settings.web_queues:
            raise InvalidRequestError(CLOSED, 503)
        queue = fields.get("queue", "") or self.settings.web_queues[0]
        if queue not in self.settings.web_queues:
            raise InvalidRequestError(UNKNOWN_QUEUE)
        return WebCallbackRequest(
            queue=queue, number=self.number(fields.get("number", "")),
            due_at=self.due_at(fields.get("when", "").strip()),
            topic=limited_text(topic_of(fields), MAX_TOPIC, "topic"),
            name=limited_text(fields.get("name", ""), MAX_NAME, "name"), client=client)

    def number(self, typed: str) -> str:
        typed = typed.strip()
        if not typed:
            raise InvalidRequestError(NO_NUMBER)
        number = normalise(typed, self.settings.region, self.settings.allow_international)
        if number is None:
            raise InvalidRequestError(NOT_A_NUMBER)
        return number

    def due_at(self, when: str) -> float | None:
        """The epoch of a "YYYY-MM-DDTHH:MM" local time that policy.is_bookable
        accepts; None for "" (as soon as possible)."""
        if not when:
            return None
        if not WHEN.fullmatch(when):
            raise InvalidRequestError(BAD_WHEN)
        try:
            local = datetime.fromisoformat(when)
        except ValueError:  # February 30th; logged with the sentence by the handler
            raise InvalidRequestError(BAD_WHEN) from None
        now = self.clock()
        at = local.timestamp()
        if is_bookable(at, now, self.settings):
            return at
        if at - now < MIN_BOOKING_LEAD_SECONDS:
            raise InvalidRequestError(SOON_WHEN)
        if (local.date() - datetime.fromtimestamp(now).date()).days > self.settings.days_ahead:
            raise InvalidRequestError(f"We can book a callback at most {self.settings.days_ahead} days ahead. "
                                      "Please choose an earlier day.")
        raise InvalidRequestError(f"We call back between {calling_hours(self.settings)}. "
                                  "Please choose a time within those hours.")

    async def submit_and_reply(self, request: web.Request, as_json: bool, callback: WebCallbackRequest,
                               fields: Mapping[str, str]) -> web.Response:
        try:
            result = await self.submit(callback)
        except Exception:
            log.exception("a web callback request for queue %s could not be submitted", callback.queue)
            return self.reply(request, as_json, 503, FAILED, fields)
        log.info("web callback request from %s for queue %s: %s", callback.client, callback.queue, result)
        if result in ("ok", "merged"):
            return self.reply(request, as_json, 201, accepted_sentence(result, callback), {}, name=callback.name)
        if result == "refused":
            return self.reply(request, as_json, 400, REFUSED, {})
        if result == "limited":
            return self.reply(request, as_json, 429, LIMITED, {}, retry_after=self.settings.per_number_seconds)
        log.error("the service answered %r to a web callback request", result)
        return self.reply(request, as_json, 503, FAILED, fields)

    # -- answers ------------------------------------------------------------------
    def reply(self, request: web.Request, as_json: bool, status: int, sentence: str,
              fields: Mapping[str, str], name: str = "", retry_after: float | None = None) -> web.Response:
        """JSON for scripts; for form posts a page: the message alone when the
        request was taken, else the message above the form, filled in again."""
        if as_json:
            key = "message" if status < 300 else "error"
            response = web.json_response({key: sentence}, status=status)
        elif status < 300:
            response = self.page(render_message(f"Thank you, {name}" if name else "Thank you", sentence), status)
        elif not self.settings.web_queues:
            response = self.page(render_message("Sorry", sentence), status)
        else:
            response = self.page(render_form(self.settings, self.clock(), fields, sentence), status)
        if retry_after is not None:
            response.headers["Retry-After"] = str(math.ceil(retry_after))
        response.headers["Cache-Control"] = "no-store"
        self.allow_origin(request, response)
        return response

    def allow_origin(self, request: web.Request, response: web.Response) -> None:
        origin = request.headers.get("Origin", "")
        response.headers["Vary"] = "Origin"
        if origin.lower() in self.settings.web_origins:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Expose-Headers"] = "Retry-After"

    def page(self, body: Callable[[str], str], status: int) -> web.Response:
        """An HTML page; `body(nonce)` renders it with the style's nonce."""
        nonce = secrets.token_urlsafe(16)
        ancestors = " ".join(["'self'", *self.settings.web_origins])
        headers = {
            "Content-Security-Policy": (f"default-src 'none'; style-src 'nonce-{nonce}'; form-action 'self'; "
                                        f"base-uri 'none'; frame-ancestors {ancestors}"),
            "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
            "Cache-Control": "no-cache"}
        return web.Response(text=body(nonce), status=status, content_type="text/html", charset="utf-8",
                            headers=headers)


# -- reading the request ------------------------------------------------------------
def client_address(request: web.Request, trusted_proxies: frozenset[str]) -> str:
    """The visitor's address: the peer, or behind a trusted proxy the last
    X-Forwarded-For hop (the one the proxy added; earlier hops are the
    visitor's to forge)."""
    remote = request.remote or "unknown"
    if remote not in trusted_proxies:
        return remote
    hops = ",".join(request.headers.getall("X-Forwarded-For", [])).split(",")
    last = hops[-1].strip()
    if not last:
        return remote  # the proxy sent none: all its visitors share one limit
    try:
        return str(ipaddress.ip_address(last))
    except ValueError:
        log.warning("the proxy %s forwarded for %r, which is not an address", remote, last[:60])
        return remote


def limit_key(address: str) -> str:
    """What the per-address limit counts: the address, but for IPv6 its /64
    (one subscriber's network; each of its devices has many addresses)."""
    if ":" not in address:
        return address
    try:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    except ValueError:
        log.debug("counting %r as it is", address)
        return address


def own_host(request: web.Request, trusted_proxies: frozenset[str]) -> str:
    """host[:port] the visitor's browser addressed (a trusted proxy may say it
    in X-Forwarded-Host)."""
    if (request.remote or "") in trusted_proxies:
        forwarded = request.headers.get("X-Forwarded-Host", "").split(",")[-1].strip()
        if forwarded:
            return forwarded
    return request.host


async def read_fields(request: web.Request) -> dict[str, str]:
    """The posted fields (form-encoded or a JSON object of texts)."""
    body = await read_body(request)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidRequestError("The request must be sent as UTF-8 text.") from None
    if request.content_type == "application/json":
        return json_fields(text)
    if request.content_type == "application/x-www-form-urlencoded":
        try:
            return {k: v[0] for k, v in parse_qs(text, keep_blank_values=True, max_num_fields=20).items()}
        except ValueError:
            raise InvalidRequestError("The form has too many fields.") from None
    raise InvalidRequestError("Please send the form, or JSON.", 415)


async def read_body(request: web.Request) -> bytes:
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise InvalidRequestError("The request is too large.", 413)
    body = bytearray()
    while chunk := await request.content.read(MAX_BODY + 1 - len(body)):
        body += chunk
        if len(body) > MAX_BODY:
            raise InvalidRequestError("The request is too large.", 413)
    return bytes(body)


def json_fields(text: str) -> dict[str, str]:
    try:
        data = parse_object(text)
    except JsonBodyError as error:  # the same sentences, written as the form's are
        raise InvalidRequestError(f"{str(error).capitalize()}.") from None
    if not all(value is None or isinstance(value, str) for value in data.values()):
        raise InvalidRequestError(NOT_TEXT)
    return {str(key): value or "" for key, value in data.items()}


def topic_of(fields: Mapping[str, str]) -> str:
    """The topic: the chosen one, the visitor's own words for "Other", or both."""
    chosen = fields.get("topic", "").strip()
    own = fields.get("topic_other", "").strip()
    if not own:
        return chosen
    return own if chosen in ("", OTHER_TOPIC) else f"{chosen}: {own}"


def limited_text(value: str, limit: int, what: str) -> str:
    """One line of text of at most `limit` characters (control characters
    become spaces: agents see this text in their task list)."""
    value = CONTROL.sub(" ", value).strip()
    if len(value) > limit:
        raise InvalidRequestError(f"The {what} is too long. Please keep it to {limit} characters.")
    return value


def accepted_sentence(result: str, callback: WebCallbackRequest) -> str:
    if result == "merged":
        return "Thank you. We already have your request, and we will call you back."
    if callback.due_at is None:
        return "Thank you. We will call you back as soon as possible."
    moment = datetime.fromtimestamp(callback.due_at)
    return f"Thank you. We will call you back on {moment:%A %d %B} at {moment:%H:%M}."
