"""Reading a JSON request body, whoever sent it (desktops, the public
form): a body that is not JSON, nested deeper than any request of this
service needs, or not an object gets a sentence, never an exception from
deep inside the parser (json.loads raises RecursionError on deep nesting,
and code printing such a value would too)."""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 8  # the deepest request body (a wrap-up's follow_up) needs 2


class JsonBodyError(ValueError):
    """The body cannot be used; the message is a sentence for the sender."""


def parse_object(raw: bytes | str) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except RecursionError:
        raise JsonBodyError("the request body is nested too deeply") from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise JsonBodyError("the request body must be JSON") from None
    if not isinstance(data, dict):
        raise JsonBodyError("the request body must be a JSON object")
    if _depth(data) > MAX_DEPTH:
        raise JsonBodyError("the request body is nested too deeply")
    return data


def _depth(value: Any) -> int:
    """How deeply containers nest in `value` (without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, depth)
            if depth <= MAX_DEPTH:
                stack.extend((child, depth + 1) for child in item)
    return deepest
