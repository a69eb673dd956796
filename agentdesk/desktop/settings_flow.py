"""Settings while the desktop runs: the dialog, storing what the agent
changed (keyring and settings file, on a worker), and setting up from a
one-time link. Once stored, `applied(password)` tells the composition root
to apply them ('' when the password did not change)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from . import credentials
from .audio.devices import list_devices
from .audio.setup import Audio
from .provisioning.enroll import Enrollment, enroll
from .settings import Settings
from .tasks import TaskRunner
from .ui.common.settings_dialog import SettingsDialog
from .ui.phone.main_window import MainWindow

ECHO_TEST = "600"


class SettingsFlow(QObject):
    """Opens Settings over `window`; signal `applied(str)` once a save or an enrolment is stored."""

    applied = Signal(str)

    def __init__(self, settings: Settings, audio: Audio, window: MainWindow, tasks: TaskRunner,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.audio = audio
        self.window = window
        self.tasks = tasks

    def open(self) -> None:
        audio = self.audio
        devices = None
        if audio.portaudio is not None:
            devices = [(d.name, d.inputs > 0, d.outputs > 0) for d in list_devices(audio.portaudio)]
        bridge = audio.bridge
        level = (lambda: bridge.mic_level) if bridge is not None else (lambda: 0.0)
        dialog = SettingsDialog(self.settings, devices, audio.problem, level, self.window)
        dialog.saved.connect(lambda values, password: self._save(dialog, values, password))
        dialog.echoTestRequested.connect(lambda: self.window.dial(ECHO_TEST))
        dialog.enrollRequested.connect(lambda link: self._enroll(dialog, link))
        if bridge is not None:
            bridge.monitor(True)
            dialog.finished.connect(lambda _code: bridge.monitor(False))
        dialog.open()

    def _save(self, dialog: SettingsDialog, values: dict[str, Any], password: str) -> None:
        settings = self.settings

        def store() -> None:
            if password:
                credentials.save_password(values["user"], values["server"], password)
            for key, value in values.items():
                # Only what the agent changed becomes their choice: a value
                # an administrator set stays theirs, so their changes reach it.
                if value != settings.get(key):
                    settings.set(key, value)
            settings.save()

        def done(_: object) -> None:
            dialog.accept()
            self.applied.emit(password)

        self.tasks.run(store, done, lambda error: dialog.show_problem(str(error)))

    def _enroll(self, dialog: SettingsDialog, link: str) -> None:
        """Set up from a one-time link (Settings → Set up from a link…), then start as after a save."""
        def done(enrollment: Enrollment) -> None:
            dialog.accept()
            self.window.set_notice("account", "")
            self.applied.emit(enrollment.secret)

        self.tasks.run(lambda: enroll(link, self.settings), done, lambda error: dialog.show_problem(str(error)))
