"""User settings: each declared once, with its type, default, title and check.

Three separate stores:
- settings.json in the user's config folder: what the user chose;
- ui-state.json next to it: window geometry and the like;
- the OS keyring: passwords (see credentials.py). Never in a file.

Files are written atomically (temporary file + rename) so a crash never
leaves half a settings file. `AGENTDESK_CONFIG_DIR` moves the folder (tests,
portable installs). A `version` key allows migrations when a setting changes.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCore import QT_TRANSLATE_NOOP

from .private_files import private_folder, private_opener

log = logging.getLogger("agentdesk.desktop")
SCHEMA_VERSION = 1


class SettingError(ValueError):
    """A setting name or value is not acceptable; the message says why."""


KIND_NAMES = {bool: "true or false", int: "a whole number", str: "text"}


@dataclass(frozen=True)
class Setting:
    key: str
    kind: type
    default: Any
    title: str  # marked for translation; translate with QCoreApplication.translate("Settings", title)
    choices: tuple[str, ...] = ()
    check: Callable[[Any], str | None] | None = None  # returns a problem, or None

    def parse(self, text: str) -> Any:
        """A value from text (command line, config file)."""
        if self.kind is bool:
            lowered = text.strip().lower()
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("0", "false", "no", "off"):
                return False
            raise SettingError(f"{self.key} must be true or false, not {text!r}")
        try:
            return self.validate(self.kind(text.strip()))
        except (TypeError, ValueError) as error:
            if isinstance(error, SettingError):
                raise
            raise SettingError(f"{self.key} must be {KIND_NAMES[self.kind]}, not {text!r}") from None

    def validate(self, value: Any) -> Any:
        if not isinstance(value, self.kind) or (self.kind is int and isinstance(value, bool)):
            raise SettingError(f"{self.key} must be {KIND_NAMES[self.kind]}")
        if self.choices and value not in self.choices:
            raise SettingError(f"{self.key} must be one of: {', '.join(self.choices)}")
        problem = self.check(value) if self.check else None
        if problem:
            raise SettingError(f"{self.key}: {problem}")
        return value


def _server_problem(value: str) -> str | None:
    if value == "":
        return None  # not set up yet
    host, _, port = value.rpartition(":") if value.count(":") == 1 else (value, "", "")
    if any(ch.isspace() for ch in value) or "/" in value:
        return "give the PBX as host or host:port, e.g. pbx.example.com:5060"
    if port and not (port.isdigit() and 0 < int(port) < 65536):
        return f"{port!r} is not a port number"
    return None if host or not port else "the host is missing"


def _ca_file_problem(value: str) -> str | None:
    if value == "" or os.path.isabs(value):
        return None
    return "give the full path of the authority's PEM file, e.g. /etc/agentdesk/pbx-ca.pem"


def _user_problem(value: str) -> str | None:
    allowed = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.+*")
    return None if value == "" or set(value) <= allowed else "use letters, digits and - _ . + * only"


def _url_problem(value: str) -> str | None:
    if value == "":
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "give an http:// or https:// address, e.g. https://desk.example.com:8480"
    return None


def _seconds_problem(value: int) -> str | None:
    return None if 15 <= value <= 3600 else "between 15 and 3600 seconds"


def _crm_template_problem(value: str) -> str | None:
    # Imported here, not at the top: the CRM client loads an HTTP library
    # that `agentdesk config` and start-up do not otherwise need.
    from .crm.lookup import template_problem

    return template_problem(value)


def _crm_timeout_problem(value: int) -> str | None:
    return None if 200 <= value <= 30000 else "between 200 and 30000 milliseconds"


def _header_name_problem(value: str) -> str | None:
    allowed = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_!#$%&'*+.^`|~")
    return None if set(value) <= allowed else "an HTTP header name: letters, digits and - only, e.g. Authorization"


SETTINGS: tuple[Setting, ...] = (
    Setting("server", str, "", str(QT_TRANSLATE_NOOP("Settings", "PBX address")), check=_server_problem),
    Setting("user", str, "", str(QT_TRANSLATE_NOOP("Settings", "Extension")), check=_user_problem),
    Setting("transport", str, "udp", str(QT_TRANSLATE_NOOP("Settings", "SIP transport")),
            choices=("udp", "tcp", "tls")),
    # Empty: the system's trusted authorities. Otherwise the one authority
    # trusted for the PBX and the desk service (pinned): the file
    # `pbx/run tls-ca` shows. Used for SIP over TLS and for the desk link.
    Setting("tls_ca_file", str, "", str(QT_TRANSLATE_NOOP("Settings", "Trusted certificate authority (PEM file)")),
            check=_ca_file_problem),
    Setting("display_name", str, "", str(QT_TRANSLATE_NOOP("Settings", "Display name"))),
    Setting("register_seconds", int, 120, str(QT_TRANSLATE_NOOP("Settings", "Registration interval (seconds)")),
            check=_seconds_problem),
    Setting("auto_answer", bool, False, str(QT_TRANSLATE_NOOP("Settings", "Answer queue calls automatically"))),
    Setting("microphone", str, "", str(QT_TRANSLATE_NOOP("Settings", "Microphone"))),
    Setting("speaker", str, "", str(QT_TRANSLATE_NOOP("Settings", "Speaker"))),
    Setting("ring_device", str, "", str(QT_TRANSLATE_NOOP("Settings", "Ring on"))),
    Setting("tone_zone", str, "us", str(QT_TRANSLATE_NOOP("Settings", "Call progress tones")),
            choices=("us", "eu", "ir", "ru")),
    Setting("language", str, "", str(QT_TRANSLATE_NOOP("Settings", "Language")), choices=("", "en", "fa", "ru")),
    Setting("layout_direction", str, "auto", str(QT_TRANSLATE_NOOP("Settings", "Layout direction")),
            choices=("auto", "ltr", "rtl")),
    # Empty: the PBX's host on the desk service's default port 8480.
    Setting("desk_url", str, "", str(QT_TRANSLATE_NOOP("Settings", "Desk service address")), check=_url_problem),
    # The CRM look-up for screen-pops (agentdesk/desktop/crm/lookup.py). The auth
    # header's value is a secret: keyring only (credentials.load_crm_token).
    Setting("crm_lookup_url", str, "", str(QT_TRANSLATE_NOOP("Settings", "CRM look-up address")),
            check=_crm_template_problem),
    Setting("crm_open_url", str, "", str(QT_TRANSLATE_NOOP("Settings", "CRM customer page address")),
            check=_crm_template_problem),
    Setting("crm_timeout_ms", int, 2000, str(QT_TRANSLATE_NOOP("Settings", "CRM time limit (milliseconds)")),
            check=_crm_timeout_problem),
    Setting("crm_auth_header", str, "", str(QT_TRANSLATE_NOOP("Settings", "CRM authorisation header name")),
            check=_header_name_problem),
)
BY_KEY = {s.key: s for s in SETTINGS}


def config_dir() -> Path:
    explicit = os.environ.get("AGENTDESK_CONFIG_DIR")
    if explicit:
        return Path(explicit)
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA", Path.home())) / "AgentDesk"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "AgentDesk"
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "agentdesk"


def data_dir() -> Path:
    explicit = os.environ.get("AGENTDESK_DATA_DIR")
    if explicit:
        return Path(explicit)
    if sys.platform in ("win32", "darwin"):
        return config_dir()
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "agentdesk"


def write_json_atomically(path: Path, data: dict[str, Any]) -> None:
    private_folder(path.parent)
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "w", encoding="utf-8", opener=private_opener) as out:
        out.write(json.dumps(data, indent=2, sort_keys=True))
    os.replace(temporary, path)


def read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        log.error("%s is unreadable (%s); using defaults", path, error)
        return {}
    return data if isinstance(data, dict) else {}


class Settings:
    """The user's settings. Unknown keys in the file are kept, not lost."""

    def __init__(self, folder: Path | None = None) -> None:
        self.path = (folder or config_dir()) / "settings.json"
        self._values = self._migrate(read_json(self.path))

    @staticmethod
    def _migrate(values: dict[str, Any]) -> dict[str, Any]:
        values.setdefault("version", SCHEMA_VERSION)
        return values

    def get(self, key: str) -> Any:
        setting = BY_KEY.get(key)
        if setting is None:
            raise SettingError(f"there is no setting {key!r}")
        value = self._values.get(key, setting.default)
        try:
            return setting.validate(value)
        except SettingError as error:
            log.warning("ignoring stored %s: %s", key, error)
            return setting.default

    def set(self, key: str, value: Any) -> None:
        setting = BY_KEY.get(key)
        if setting is None:
            raise SettingError(f"there is no setting {key!r}; known: {', '.join(BY_KEY)}")
        self._values[key] = setting.validate(value)

    def reset(self, key: str) -> None:
        self._values.pop(key, None)

    def save(self) -> None:
        write_json_atomically(self.path, self._values)

    def as_dict(self) -> dict[str, Any]:
        return {s.key: self.get(s.key) for s in SETTINGS}
