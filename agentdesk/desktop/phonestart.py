"""The phone starts before the window is built.

An agent who opens AgentDesk should be reachable at once: the queue may
offer a call the moment the PBX sees the phone registered. So start-up
first opens the audio side, starts the SIP stack, reads the password and
sends the REGISTER; only then are the window's modules imported and its
widgets built (launch.py), while the PBX answers. Nothing here needs the
window: what went wrong is kept for it to show (`StartedPhone`).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal

from agentdesk import __version__

from . import credentials
from .audio.bridge import DeviceChoice
from .audio.setup import Audio, open_audio
from .phone.engine import PhoneEngine
from .phone.model import AccountConfig, PhoneError
from .settings import Settings

log = logging.getLogger("agentdesk.desktop")
REGISTER_SENT_WAIT = 0.5  # seconds; the REGISTER normally leaves within a few milliseconds


# The settings account_config() reads: a change to one of them registers again.
ACCOUNT_KEYS = frozenset(("server", "user", "transport", "display_name", "register_seconds", "tls_ca_file"))


def account_config(settings: Settings, password: str) -> AccountConfig:
    get = settings.get
    return AccountConfig(get("server"), get("user"), password, get("transport"), get("display_name"),
                         get("register_seconds"), get("tls_ca_file"))


class StartedPhone(QObject):
    """Audio and the phone engine, started and registering if it could.

    `audio_problem(str)` carries what the audio worker thread reports, on
    the GUI thread (relayed like the engine's reports: a receiver connected
    before the event loop first runs still hears it). After `start()`: `start_problem` (the SIP stack
    did not start), `account_problem` (no account, the password store
    failed, or the account was refused), `password` (None: none stored)."""

    audio_problem = Signal(str)
    _audio_reported = Signal(str)  # from the audio worker thread, queued to this object

    def __init__(self, settings: Settings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self._audio_reported.connect(self.audio_problem)
        get = settings.get
        self.audio: Audio = open_audio(DeviceChoice(get("microphone"), get("speaker"), get("tone_zone")),
                                       get("ring_device"), self._audio_reported.emit)
        self.engine = PhoneEngine(self.audio.bridge, f"AgentDesk/{__version__}", parent=self)
        self.start_problem = ""
        self.account_problem = ""
        self.password: str | None = None

    @property
    def has_account(self) -> bool:
        return bool(self._settings.get("user") and self._settings.get("server"))

    def start(self) -> None:
        get = self._settings.get
        try:
            self.engine.start(get("server"), get("transport"), get("tls_ca_file"))
        except PhoneError as error:
            self.start_problem = str(error)
            log.error("%s", error)
            return
        self.engine.set_auto_answer(get("auto_answer"))
        if not self.has_account:
            return
        try:
            self.password = credentials.load_password(get("user"), get("server"))
        except Exception as error:  # a password store's own failure, whatever its kind: said in the window
            log.warning("the password store failed: %s", error)
            self.account_problem = str(error)
            return
        if self.password is None:
            return
        try:
            self.engine.configure(account_config(self._settings, self.password))
        except PhoneError as error:
            self.account_problem = str(error)
            return
        # The REGISTER leaves before the window's modules load: those would
        # hold the interpreter while the SIP thread waits for its turn.
        self.engine.flush(REGISTER_SENT_WAIT)


def start_phone(settings: Settings) -> StartedPhone:
    phone = StartedPhone(settings)
    phone.start()
    return phone
