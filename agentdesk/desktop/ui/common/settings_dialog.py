"""Settings: account, audio devices, calls and interface.

Editors are built from the settings' declarations (settings.py): a check box
for a flag, a list for choices, a number box for a number, a text field for
text. Audio device settings list the devices PortAudio sees. The password
goes to the keyring on a worker thread; the dialog closes when it is saved,
or shows why it could not be. A setting an administrator locked shows
greyed, with "Set by your administrator". On the Account page, "Set up from
a link…" takes a one-time set-up link instead of typing the account in
(the owner sets the desktop up from it: agentdesk/desktop/provisioning).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...settings import (
    BY_KEY,
    Setting,
    SettingError,
    Settings,
)
from .text import plain_label

PAGES = (
    (str(QT_TRANSLATE_NOOP("SettingsDialog", "Account")),
     ("server", "user", "transport", "tls_ca_file", "display_name", "register_seconds")),
    (str(QT_TRANSLATE_NOOP("SettingsDialog", "Audio")), ("microphone", "speaker", "ring_device", "tone_zone")),
    (str(QT_TRANSLATE_NOOP("SettingsDialog", "Calls")), ("auto_answer",)),
    (str(QT_TRANSLATE_NOOP("SettingsDialog", "Contact center")),
     ("desk_url", "crm_lookup_url", "crm_open_url", "crm_timeout_ms", "crm_auth_header")),
    (str(QT_TRANSLATE_NOOP("SettingsDialog", "Interface")), ("language", "layout_direction", "autostart")),
)
DEVICE_KEYS = {"microphone": True, "speaker": False, "ring_device": False}  # key -> wants input
CHOICE_NAMES = {
    "": str(QT_TRANSLATE_NOOP("SettingsDialog", "System default")),
    "udp": "UDP", "tcp": "TCP", "tls": str(QT_TRANSLATE_NOOP("SettingsDialog", "TLS (encrypted calls)")),
    "us": str(QT_TRANSLATE_NOOP("SettingsDialog", "North America")),
    "eu": str(QT_TRANSLATE_NOOP("SettingsDialog", "Europe")),
    "ir": str(QT_TRANSLATE_NOOP("SettingsDialog", "Iran")),
    "ru": str(QT_TRANSLATE_NOOP("SettingsDialog", "Russia")),
    "en": "English", "fa": "فارسی", "ru_lang": "Русский",
    "auto": str(QT_TRANSLATE_NOOP("SettingsDialog", "From the language")),
    "ltr": str(QT_TRANSLATE_NOOP("SettingsDialog", "Left to right")),
    "rtl": str(QT_TRANSLATE_NOOP("SettingsDialog", "Right to left")),
}


def choice_name(key: str, value: str) -> str:
    if key == "language" and value == "ru":
        value = "ru_lang"
    return QCoreApplication.translate("SettingsDialog", CHOICE_NAMES.get(value, value))


class SettingsDialog(QDialog):
    """Emits saved(values, password) with every setting's value and the new
    password ('' when unchanged); the owner stores them. Emits
    enrollRequested(link) with a pasted set-up link; the owner sets the
    desktop up from it and closes the dialog, or shows why not (show_problem)."""

    saved = Signal(dict, str)
    echoTestRequested = Signal()
    enrollRequested = Signal(str)

    def __init__(self, settings: Settings, devices: list[tuple[str, bool, bool]] | None,
                 audio_problem: str, mic_level: Callable[[], float], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("AgentDesk settings"))
        self.setMinimumWidth(480)
        self.settings = settings
        self._devices = devices or []
        self._getters: dict[str, Callable[[], Any]] = {}
        self.editors: dict[str, QWidget] = {}
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("unchanged (kept in the system keyring)"))
        self.problem = plain_label("", "Problem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.level = QProgressBar(self)
        self.level.setRange(0, 100)
        self.level.setTextVisible(False)
        self._mic_level = mic_level
        self._meter = QTimer(self)
        self._meter.setInterval(80)
        self._meter.timeout.connect(lambda: self.level.setValue(int(100 * self._mic_level())))
        self.link = QLineEdit(self)
        self.link.setPlaceholderText("https://…/enroll/…")
        self.link_button = QPushButton(self.tr("Set up from a link…"), self)
        self.link_button.clicked.connect(self._enroll)
        tabs = QTabWidget(self)
        for title, keys in PAGES:
            tabs.addTab(self._page(keys, audio_problem), QCoreApplication.translate("SettingsDialog", title))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        column = QVBoxLayout(self)
        column.addWidget(tabs)
        column.addWidget(self.problem)
        column.addWidget(buttons)
        self.tabs = tabs

    def _page(self, keys: tuple[str, ...], audio_problem: str) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        if "server" in keys:
            form.addRow(self._link_row())
        if "microphone" in keys and audio_problem:
            warning = plain_label(audio_problem, "AudioWarning")
            warning.setWordWrap(True)
            form.addRow(warning)
        for key in keys:
            setting = BY_KEY[key]
            editor = self._editor(setting)
            locked = self.settings.is_locked(key)
            editor.setEnabled(not locked and not (key in DEVICE_KEYS and audio_problem))
            self.editors[key] = editor
            form.addRow(QCoreApplication.translate("Settings", setting.title),
                        self._locked(editor) if locked else editor)
            if key == "user":
                form.addRow(self.tr("Password"), self.password)
        if "microphone" in keys:
            form.addRow(self.tr("Microphone level"), self.level)
            echo = QPushButton(self.tr("Call the echo test"), page)
            echo.setEnabled(not audio_problem)
            echo.clicked.connect(self.echoTestRequested)
            form.addRow("", echo)
        return page

    def _link_row(self) -> QWidget:
        """"Set up from a link…": a field for the link and the button that uses it."""
        row = QWidget(self)
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.link, 1)
        line.addWidget(self.link_button)
        self.link.returnPressed.connect(self._enroll)
        return row

    def _locked(self, editor: QWidget) -> QWidget:
        """The editor, greyed, with why it cannot be changed."""
        note = self.tr("Set by your administrator")
        editor.setToolTip(note)
        row = QWidget(self)
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(editor, 1)
        line.addWidget(plain_label(note, "LockedNote", row))
        return row

    def _enroll(self) -> None:
        if not self.link.text().strip():
            self.show_problem(self.tr("Paste the set-up link from your administrator into the field first."))
            self.link.setFocus()
            return
        self.buttons.setEnabled(False)
        self.link_button.setEnabled(False)  # a link is good once: never sent twice
        self.problem.hide()
        self.enrollRequested.emit(self.link.text().strip())

    def _editor(self, setting: Setting) -> QWidget:
        value = self.settings.get(setting.key)
        if setting.key in DEVICE_KEYS:
            names = [""] + [name for name, has_in, has_out in self._devices
                            if (has_in if DEVICE_KEYS[setting.key] else has_out)]
            return self._combo(setting.key, names if value in names else [*names, value], value)
        if setting.kind is bool:
            box = QCheckBox(self)
            box.setChecked(bool(value))
            self._getters[setting.key] = box.isChecked
            return box
        if setting.choices:
            return self._combo(setting.key, list(setting.choices), value)
        if setting.kind is int:
            spin = QSpinBox(self)
            spin.setRange(0, 100000)
            spin.setValue(int(value))
            self._getters[setting.key] = spin.value
            return spin
        line = QLineEdit(str(value), self)
        self._getters[setting.key] = lambda: line.text().strip()
        return line

    def _combo(self, key: str, values: list[str], current: str) -> QComboBox:
        combo = QComboBox(self)
        for value in values:
            combo.addItem(choice_name(key, value), value)
        combo.setCurrentIndex(max(0, values.index(current) if current in values else 0))
        self._getters[key] = combo.currentData
        return combo

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self._meter.start()

    def hideEvent(self, event: Any) -> None:
        self._meter.stop()
        super().hideEvent(event)

    def values(self) -> dict[str, Any]:
        """Every edited value, checked; raises SettingError on the first bad one."""
        result = {}
        for key, getter in self._getters.items():
            result[key] = BY_KEY[key].validate(getter())
        return result

    def _save(self) -> None:
        try:
            values = self.values()
        except SettingError as error:
            self.show_problem(str(error))
            return
        self.buttons.setEnabled(False)
        self.saved.emit(values, self.password.text())

    def show_problem(self, text: str) -> None:
        self.buttons.setEnabled(True)
        self.link_button.setEnabled(True)
        self.problem.setText(text)
        self.problem.show()
