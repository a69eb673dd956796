"""The pages of the public web callback request (see web.py): the form and
the message pages, as functions of the style's CSP nonce. Self-contained:
no scripts, no external assets; everything the visitor typed is escaped
before it reaches a page."""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from .settings import CallbackSettings

POST_PATH = "/public/v1/callbacks"  # where the form posts (web.py serves it)
MAX_NUMBER = 40
MAX_TOPIC = 200
MAX_NAME = 80
OTHER_TOPIC = "Other"
TOPICS = ("General question", "My order", "Billing", "Technical problem", OTHER_TOPIC)

STYLE = (
    "body{font:1rem/1.5 system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}"
    "label{display:block;margin-top:1rem;font-weight:600}.hint{color:#4a4a4a;font-size:.9rem;margin:.25rem 0 0}"
    "input,select{display:block;width:100%;box-sizing:border-box;font:inherit;padding:.4rem}"
    ".alert,.done{border:2px solid #1b6e20;padding:.5rem .75rem}.alert{border-color:#b00020;color:#b00020}"
    "button{margin-top:1.5rem;font:inherit;padding:.5rem 1.25rem}:focus{outline:3px solid #1a5fb4;outline-offset:2px}"
)


def calling_hours(settings: CallbackSettings) -> str:
    """"08:00 and 20:00": the booking hours for a sentence."""
    start, end = settings.booking_minutes
    return f"{start // 60:02d}:{start % 60:02d} and {end // 60:02d}:{end % 60:02d}"


def document(title: str, main: str) -> Callable[[str], str]:
    def render(nonce: str) -> str:
        return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
                f'<meta name="viewport" content="width=device-width, initial-scale=1">'
                f"<title>{html.escape(title)}</title>"
                f'<style nonce="{nonce}">{STYLE}</style></head>\n<body><main>{main}</main></body></html>\n')
    return render


def render_message(heading: str, sentence: str) -> Callable[[str], str]:
    main = f'<h1>{html.escape(heading)}</h1><p class="done" role="status">{html.escape(sentence)}</p>'
    return document("Request a callback", main)


def render_form(settings: CallbackSettings, now: float, fields: Mapping[str, str], error: str) -> Callable[[str], str]:
    """The form; `fields` fill it in again after an error (escaped)."""
    def value(name: str) -> str:
        return html.escape(fields.get(name, ""), quote=True)

    alert = f'<p class="alert" role="alert">{html.escape(error)}</p>' if error else ""
    local = datetime.fromtimestamp(now)
    earliest = f"{local:%Y-%m-%dT%H:%M}"
    latest = f"{local + timedelta(days=settings.days_ahead):%Y-%m-%d}T23:59"
    main = (
        f"<h1>Request a callback</h1>{alert}"
        f'<form method="post" action="{POST_PATH}">'
        f'<label for="number">Phone number</label>'
        f'<input id="number" name="number" type="tel" autocomplete="tel" required maxlength="{MAX_NUMBER}"'
        f' aria-describedby="number-hint" value="{value("number")}">'
        f'<p id="number-hint" class="hint">The number we should call, with its area code.</p>'
        f'<label for="when">When should we call?</label>'
        f'<input id="when" name="when" type="datetime-local" min="{earliest}" max="{latest}"'
        f' aria-describedby="when-hint" value="{value("when")}">'
        f'<p id="when-hint" class="hint">Leave empty and we call you as soon as possible. We call between'
        f" {calling_hours(settings)}, up to {settings.days_ahead} days ahead.</p>"
        f"{topic_inputs(fields)}"
        f'<label for="name">Your name (optional)</label>'
        f'<input id="name" name="name" autocomplete="name" maxlength="{MAX_NAME}" value="{value("name")}">'
        f"{queue_input(settings.web_queues, fields.get('queue', ''))}"
        f'<button type="submit">Call me back</button></form>'
    )
    return document("Request a callback", main)


def topic_inputs(fields: Mapping[str, str]) -> str:
    chosen = fields.get("topic", "")
    options = "".join(option(topic, topic, topic == chosen) for topic in TOPICS)
    other = html.escape(fields.get("topic_other", ""), quote=True)
    return (f'<label for="topic">What is it about?</label><select id="topic" name="topic">{options}</select>'
            f'<label for="topic_other">In your own words (optional)</label>'
            f'<input id="topic_other" name="topic_other" maxlength="{MAX_TOPIC}" value="{other}">')


def queue_input(queues: tuple[str, ...], chosen: str) -> str:
    """A choice of team when the website offers several; one needs no question."""
    if len(queues) < 2:
        return ""
    options = "".join(option(queue, queue.replace("_", " ").replace("-", " ").capitalize(), queue == chosen)
                      for queue in queues)
    return f'<label for="queue">Which team should call you?</label><select id="queue" name="queue">{options}</select>'


def option(value: str, label: str, selected: bool) -> str:
    mark = " selected" if selected else ""
    return f'<option value="{html.escape(value, quote=True)}"{mark}>{html.escape(label)}</option>'
