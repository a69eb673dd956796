"""The post-call survey as tests drive it: a stand-in for the desk service's
POST /pbx/v1/surveys (and its /pbx/v1/route, which every queue caller asks
first), and a customer phone that waits in the survey's questions."""

from __future__ import annotations

import http.server
import threading
import urllib.parse
from typing import Any

from tests.helpers.party import SipParty
from tests.helpers.pbx import Pbx
from tests.helpers.waiting import wait_until


class SurveyStub:
    """Records each survey result the dialplan posts (the form fields plus
    "call" and "token") and answers `reply` with `status`; GET route
    questions get "0," (no priority, no sticky agent)."""

    def __init__(self) -> None:
        self.posts: list[dict[str, str]] = []
        self.status, self.reply = 200, b"ok"
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._answer(200, b"0,")

            def do_POST(self) -> None:
                url = urllib.parse.urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
                fields = dict(urllib.parse.parse_qsl(body, keep_blank_values=True))
                fields.update(call=dict(urllib.parse.parse_qsl(url.query)).get("call", ""), path=url.path,
                              token=self.headers.get("X-PBX-Token", ""))
                stub.posts.append(fields)
                self._answer(stub.status, stub.reply)

            def _answer(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_posted(self, timeout: float = 15.0) -> dict[str, str]:
        wait_until(lambda: self.posts, timeout, "a survey result posted")
        return self.posts[0]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def channel_app(pbx: Pbx, prefix: str) -> tuple[str, str]:
    """(application, its data) of the channel whose name starts with
    `prefix`; ("", "") once it is gone."""
    for line in pbx.cli("core show channels concise").splitlines():
        fields = line.split("!")
        if fields[0].startswith(prefix) and len(fields) > 6:
            return fields[5], fields[6]
    return "", ""


def channel_uniqueid(pbx: Pbx, prefix: str) -> str:
    for line in pbx.cli("core show channels concise").splitlines():
        fields = line.split("!")
        if fields[0].startswith(prefix) and len(fields) >= 14:
            return fields[13]
    raise AssertionError(f"no channel {prefix}")


def wait_playing(pbx: Pbx, number: str, app: str, prompt: str, timeout: float = 15.0) -> None:
    """Until the customer's channel runs `app` (Read: a question waiting
    for a key; Playback) with prompt `prompt` (e.g. survey-rate)."""
    def there() -> bool:
        running, data = channel_app(pbx, f"PJSIP/{number}-")
        return running == app and f"/{prompt}," in data + ","

    wait_until(there, timeout, f"{number} hears {prompt} ({app})")


def press_when_asked(pbx: Pbx, customer: SipParty, number: str, prompt: str, key: str) -> None:
    """The customer presses `key` once question `prompt` waits for it."""
    wait_playing(pbx, number, "Read", prompt)
    customer.send("dtmf", digits=key)
