"""Keeps the administrator's settings current while the desktop runs.

Signals: changed(frozenset[str]) the settings whose value an administrator
changed (on the GUI thread); the composition root applies them the way a
saved Settings dialog applies the agent's own changes.

They are re-read after every (re)connection of the desk link, so a change
made while this desktop was away arrives at the next connection, and
whenever the desk service sends the PROVISIONING event.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal

from ..link.api import DeskError
from ..link.connection import DeskConnection
from ..settings import Settings
from .link import ProvisioningError
from .refresh import apply_provisioning

log = logging.getLogger("agentdesk.desktop.provisioning")


class ProvisioningWatch(QObject):
    changed = Signal(object)

    def __init__(self, link: DeskConnection, settings: Settings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._link = link
        self._settings = settings
        link.snapshot_received.connect(lambda _snapshot: self.refresh())
        link.provisioning_changed.connect(self.refresh)

    def refresh(self) -> None:
        # Only the request runs on the link's worker: the settings are
        # changed here on the GUI thread, which reads them everywhere.
        self._link.run_request(lambda api: api.provisioning(), self._received, self._failed)

    def _received(self, data: object) -> None:
        try:
            keys = apply_provisioning(data, self._settings)
        except ProvisioningError as error:
            log.warning("%s", error)
            return
        if keys:
            log.info("an administrator changed: %s", ", ".join(sorted(keys)))
            self.changed.emit(keys)

    @staticmethod
    def _failed(error: Exception) -> None:
        if isinstance(error, DeskError) and error.status == 404:
            log.info("the desk service provisions no settings (an older version)")
        else:
            # The settings stay as they were; the next connection tries again.
            log.warning("could not re-read the provisioned settings: %s", error)
