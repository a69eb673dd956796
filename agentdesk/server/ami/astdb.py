"""What the dialplan keeps in AstDB while the desk service does not answer
(callback requests, survey results): read with DBGetTree, which the desk
service's AMI user may do, and removed through a dialplan context, since
that user may not write AstDB (no DBDel: it would need the "system" class)."""

from __future__ import annotations

import logging

from .client import AmiClient, AmiError

log = logging.getLogger("agentdesk.server.ami")


async def pending_entries(ami: AmiClient, family: str) -> list[tuple[str, str]] | None:
    """Every (key, value) of `family` (the key's last part: the caller's
    UNIQUEID); None when AMI cannot read it now."""
    try:
        events = await ami.action_list("DBGetTree", Family=family)
    except AmiError as error:
        log.debug("AstDB %s not read: %s", family, error)  # also "not found" when empty; tried again later
        return None
    entries = [(event.get("Key"), event.get("Val")) for event in events]
    return [(key.rsplit("/", 1)[-1], value) for key, value in entries if key]


async def forget_pending(ami: AmiClient, context: str, key: str) -> None:
    """Remove an imported entry: Originate into `context` (extension `key`),
    whose dialplan deletes it."""
    try:
        await ami.action("Originate", Channel=f"Local/{key}@{context}/n", Context=context,
                         Exten="s", Priority="1", Async="true", Timeout="5000")
    except AmiError as error:
        log.warning("could not remove imported entry %s from AstDB (%s): %s", key[:64], context, error)
