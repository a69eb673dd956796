"""Click-to-dial: `agentdesk dial URI`, which the desktop entry runs for a
tel:, sip: or sips: link clicked in a browser (a CRM's phone numbers).

The number goes to this user's running AgentDesk, which raises its window
with the number in the dial box, focused: the agent confirms with Enter. A
web page can put a number in front of the agent, never place a call by
itself. When AgentDesk is not running it starts with the number filled in.
Without a URI, `agentdesk dial` raises the running AgentDesk or starts one
(what the menu entry does).

The running desktop listens on a local socket in a folder only its user
may enter ($XDG_RUNTIME_DIR, else a folder of its own in the temporary
folder, checked to be the user's and mode 700), named after the settings
folder, so that two AgentDesk profiles of one user each get their own.
One line of UTF-8 goes in (the number as the dial box shows it), "ok" or
"error: why" comes back; the desktop checks the line again, so whoever
connects can do no more than the command line.

This module is the command's side and needs no Qt widgets (a click must
reach the running desktop quickly); handoff_listener.py is the desktop's.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote

from .phone.dialing import normalize_number, target_uri
from .phone.model import PhoneError
from .settings import config_dir

MAX_URI_CHARS = 256
MAX_LINE_BYTES = 1024
ANSWER_SECONDS = 3.0


class HandoffError(ValueError):
    """A link or number AgentDesk will not dial; the message says why."""


def dial_text(uri: str) -> str:
    """What the dial box should show for `uri` (a tel:, sip: or sips: link,
    or a number as typed); "" for nothing. Raises HandoffError."""
    text = unquote(uri.strip())
    if not text:
        return ""
    if len(text) > MAX_URI_CHARS:
        raise HandoffError(f"“{text[:40]}…” is too long to be a phone number or SIP address.")
    if not text.isprintable():
        raise HandoffError(f"“{repr(text[:40])[1:-1]}” is not a phone number, an extension or a SIP address.")
    scheme = text.split(":", 1)[0].lower() + ":" if ":" in text else ""
    try:
        if scheme == "tel:":
            return normalize_number(text[4:].lstrip("/").split(";", 1)[0])
        if scheme in ("sip:", "sips:"):
            return _sip_address(text)
        if scheme and not scheme[:-1].isdigit():
            raise HandoffError(f"AgentDesk dials tel:, sip: and sips: links, not “{text[:40]}”.")
        return normalize_number(text)
    except PhoneError as error:
        raise HandoffError(str(error)) from None


def _sip_address(text: str) -> str:
    # Headers in a SIP link (sip:x@y?Replaces=...) would go into the INVITE
    # and could take over someone's call: a link may name an address, no more.
    if "?" in text:
        raise HandoffError(f"AgentDesk does not dial SIP links with headers: “{text[:60]}”.")
    return target_uri(text, server="")


def socket_path() -> Path:
    """Where this user's AgentDesk (for this settings folder) listens."""
    profile = hashlib.sha256(str(config_dir().resolve()).encode()).hexdigest()[:16]
    return private_runtime_dir() / f"agentdesk-{profile}.sock"


def private_runtime_dir() -> Path:
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if runtime and _is_private(Path(runtime)):
        return Path(runtime)
    folder = Path(tempfile.gettempdir()) / f"agentdesk-{os.getuid()}"
    with contextlib.suppress(FileExistsError):
        folder.mkdir(mode=0o700)
    if not _is_private(folder):
        raise HandoffError(f"{folder} is not a private folder of this user: AgentDesk will not listen there.")
    return folder


def _is_private(folder: Path) -> bool:
    try:
        info = folder.lstat()
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and info.st_mode & 0o077 == 0


def hand_over(text: str, path: Path) -> bool:
    """Gives `text` to the AgentDesk listening at `path`: True once it took
    it, False when none is listening. Raises HandoffError when one is
    there and refuses or does not answer."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.settimeout(ANSWER_SECONDS)
        try:
            connection.connect(str(path))
        except (FileNotFoundError, ConnectionRefusedError):
            return False  # not running, or a socket left by one that crashed
        try:
            connection.sendall(text.encode("utf-8") + b"\n")
            answer = connection.makefile("rb").readline(MAX_LINE_BYTES).decode("utf-8", "replace").strip()
        except OSError as error:
            raise HandoffError(f"AgentDesk is running but did not answer ({error}).") from None
    if answer != "ok":
        raise HandoffError(answer.removeprefix("error: ") or "AgentDesk is running but did not take the number.")
    return True


def dial_command(uri: str, start: Callable[[str], int]) -> int:
    """`agentdesk dial [URI]`: hand the number over, or `start(number)`."""
    try:
        text = dial_text(uri)
        if hand_over(text, socket_path()):
            return 0
    except HandoffError as error:
        print(f"agentdesk: {error}", file=sys.stderr)
        return 2
    return start(text)
