"""Malformed input to every route that reads a JSON body gets a 4xx with
a sentence, never a 500 (the error_log fixture fails a test on any error
logged): bodies that are not JSON, not an object, nested deeply or huge,
and each field of a good body replaced by a value of the wrong type. The
real service's applications, without Asterisk (tests/helpers/offline.py)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from tests.helpers.offline import OfflineDesk, run_offline

LEAD = "1901"
LATER = time.time() + 3600
TASK = "{task}"  # replaced by a task made for the test
# (method, path, a good body); the team lead sends them, except the sign-in.
ROUTES: list[tuple[str, str, dict[str, Any]]] = [
    ("POST", "/api/v1/session/challenge", {"agent": "1001"}),
    ("POST", "/api/v1/session", {"agent": "1001", "nonce": "n" * 32, "proof": "0" * 64}),
    ("PUT", "/api/v1/agents/1001/queues/support", {"logged_in": True, "phone": "1001"}),
    ("PUT", "/api/v1/agents/1001/pause", {"paused": True, "reason": "Lunch"}),
    ("PUT", "/api/v1/vips/09121234567", {"note": "a note"}),
    ("POST", "/api/v1/callbacks", {"queue": "support", "number": "09121112233", "due_at": LATER,
                                   "window_end": LATER + 3600, "same_agent": True, "name": "Reza",
                                   "topic": "Invoice", "notes": "after 10"}),
    ("POST", f"/api/v1/callbacks/{TASK}/skip", {"reason": "busy"}),
    ("POST", f"/api/v1/callbacks/{TASK}/outcome", {"outcome": "reached", "note": "done", "due_at": LATER}),
    ("POST", f"/api/v1/callbacks/{TASK}/reschedule", {"due_at": LATER, "note": "later"}),
    ("POST", f"/api/v1/callbacks/{TASK}/cancel", {"reason": "test"}),
    ("PUT", "/api/v1/callbacks/blocked/09121234567", {"reason": "asked", "until": LATER}),
    ("PUT", "/api/v1/wrapups/1700000000.42", {"disposition": "sale", "notes": "n", "first_contact_resolved": True,
                                              "follow_up": {"at": LATER, "topic": "t"}, "finish": False,
                                              "record_id": "crm-1"}),
    ("POST", "/public/v1/callbacks", {"number": "09121112233", "topic": "Billing", "name": "Zahra"}),
]
WRONG = [12345, 1.5, True, "text", ["text"], {"a": "text"}]
NESTED = b"[" * 5000 + b"]" * 5000
BAD_BODIES: dict[str, bytes] = {
    "not JSON": b"{\"agent\": ",
    "not UTF-8": b"{\"a\": \"\xff\"}",
    "a list": b"[]", "a text": b"\"text\"", "a number": b"5", "null": b"null",
    "nested 5000 deep": NESTED,
    "a field nested 50 deep": b"{\"notes\": " + b"[" * 50 + b"]" * 50 + b"}",
    "huge": json.dumps({"notes": "x" * 100_000}).encode(),
}


def same_kind(wrong: Any, good: Any) -> bool:
    numbers = (int, float)
    if isinstance(good, bool) or isinstance(wrong, bool):
        return type(good) is type(wrong)
    return type(good) is type(wrong) or (isinstance(good, numbers) and isinstance(wrong, numbers))


def is_sentence(body: str) -> bool:
    try:
        data = json.loads(body)
    except ValueError:
        return False
    sentence = data.get("error") if isinstance(data, dict) else None
    return isinstance(sentence, str) and len(sentence.split()) >= 3 and "Traceback" not in sentence


async def send(desk: OfflineDesk, headers: dict[str, str], method: str, path: str,
               body: bytes) -> tuple[int, str]:
    headers = {**headers, "Content-Type": "application/json"}
    async with desk.desk.request(method, path, data=body, headers=headers) as reply:
        return reply.status, await reply.text()


async def make_task(desk: OfflineDesk, headers: dict[str, str], number: str) -> str:
    body = {"queue": "support", "number": number, "due_at": LATER, "same_agent": False}
    async with desk.desk.post("/api/v1/callbacks", json=body, headers=headers) as reply:
        assert reply.status == 201, await reply.text()
        return str((await reply.json())["id"])


def test_every_json_route_answers_malformed_bodies_with_a_sentence(tmp_path: Path) -> None:
    async def scenario(desk: OfflineDesk) -> list[str]:
        desk.load_queues("support", "sales")
        lead = await desk.sign_in(LEAD)
        task = await make_task(desk, lead, "09121110001")
        wrong: list[str] = []
        for method, path, _good in ROUTES:
            path = path.replace(TASK, task)
            for name, body in BAD_BODIES.items():
                status, text = await send(desk, lead, method, path, body)
                if not (400 <= status < 500 and is_sentence(text)):
                    wrong.append(f"{method} {path} with {name}: {status} {text[:120]}")
        return wrong

    assert run_offline(tmp_path, scenario, callbacks=WEB_FORM) == []


def test_every_field_of_the_wrong_type_is_named_in_a_400(tmp_path: Path) -> None:
    async def scenario(desk: OfflineDesk) -> list[str]:
        desk.load_queues("support", "sales")
        lead = await desk.sign_in(LEAD)
        wrong: list[str] = []
        made = 0
        for method, path, good in ROUTES:
            for field, value in good.items():
                for bad in (w for w in WRONG if not same_kind(w, value)):
                    # A fresh task each time: a body that got through must not hide the next one.
                    made += 1
                    task = await make_task(desk, lead, f"0912200{made:04d}")
                    concrete = path.replace(TASK, task)
                    status, text = await send(desk, lead, method, concrete, json.dumps({**good, field: bad}).encode())
                    named = field in text or concrete.startswith("/public/")  # the form says "Each field must be text."
                    if not (status == 400 and is_sentence(text) and named):
                        wrong.append(f"{method} {concrete} {field}={bad!r}: {status} {text[:120]}")
        return wrong

    assert run_offline(tmp_path, scenario, callbacks=WEB_FORM) == []


WEB_FORM = {"region": "IR", "per_client_limit": 10000, "web_queues": ["support"],
            "queues": {"support": {"enabled": True}}}
