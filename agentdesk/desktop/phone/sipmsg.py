"""Small, pure helpers for SIP text (no pjsua2 here)."""

from __future__ import annotations


def header_map(message: str) -> dict[str, str]:
    """Headers of a SIP message, names lower-cased (the first value wins)."""
    head = message.split("\r\n\r\n", 1)[0].split("\n")[1:]
    headers: dict[str, str] = {}
    for line in head:
        name, sep, value = line.partition(":")
        if sep:
            headers.setdefault(name.strip().lower(), value.strip())
    return headers


def host_only(server: str) -> str:
    """'pbx:5060' -> 'pbx', '[::1]:5060' -> '[::1]'."""
    if server.startswith("["):
        return server.split("]", 1)[0] + "]"
    return server.split(":", 1)[0] if server.count(":") == 1 else server
