"""The settings an administrator gives desktops: site-wide defaults and
per-agent overrides, each with the names desktops may not change
(agentdesk/contract/provisioning.py PROVISIONABLE says which settings).

An agent's effective settings are the site's, then the agent's own on top;
locked is the union of both. A change reaches the desktops it concerns at
once: a site change every signed-in desktop, an agent's change that
agent's, as the PROVISIONING event, on which they read theirs again.
"""

from __future__ import annotations

import logging
from typing import Any

from agentdesk.contract.events import PROVISIONING
from agentdesk.contract.provisioning import provisioning_problem

from ..hub import EventHub
from ..queues.agents import CommandError
from ..runtime import StoreAccess
from ..store import SITE, ScopeSettings
from .addresses import SiteAddresses

log = logging.getLogger("agentdesk.server")

MAX_TEXT = 2000  # a URL template or a header name; nothing a desktop takes is longer


class AdminSettings:
    def __init__(self, db: StoreAccess, hub: EventHub, addresses: SiteAddresses) -> None:
        self._db = db
        self._hub = hub
        self._addresses = addresses

    async def of_scope(self, scope: str) -> ScopeSettings:
        """SITE's settings or one agent's overrides."""
        return await self._db(lambda s: s.provisioned.scope_settings(scope))

    async def effective(self, agent: str) -> ScopeSettings:
        site = await self.of_scope(SITE)
        own = await self.of_scope(agent)
        return ScopeSettings({**site.settings, **own.settings}, site.locked | own.locked)

    async def replace(self, scope: str, data: dict[str, Any], changed_by: str) -> ScopeSettings:
        """The scope's settings become `data`'s {"settings", "locked"}; CommandError 400 when they cannot."""
        settings, locked = data.get("settings"), data.get("locked", [])
        problem = provisioning_problem(settings, locked)
        if problem is not None:
            raise CommandError(400, problem)
        assert isinstance(settings, dict) and isinstance(locked, list)
        problem = self._site_problem(settings)
        if problem is not None:
            raise CommandError(400, problem)
        value = ScopeSettings(dict(settings), frozenset(locked))
        await self._db(lambda s: s.provisioned.replace_scope(scope, value))
        log.info("%s changed the provisioned settings of %s: %s; locked: %s", changed_by,
                 "the site" if scope == SITE else f"agent {scope}", ", ".join(sorted(value.settings)) or "none",
                 ", ".join(sorted(value.locked)) or "none")
        self._hub.publish(PROVISIONING, {}, agent=None if scope == SITE else scope)
        return value

    def _site_problem(self, settings: dict[str, Any]) -> str | None:
        """What this site cannot give, beyond the contract's names and kinds."""
        for name, value in settings.items():
            if isinstance(value, str) and len(value) > MAX_TEXT:
                return f"{name} is longer than {MAX_TEXT} characters"
        transport = settings.get("transport")
        offered = self._addresses.offered()
        if transport is not None and transport not in offered:
            return f"this PBX offers desktops the transport {' or '.join(offered)}, not {str(transport)[:20]!r}"
        return None
