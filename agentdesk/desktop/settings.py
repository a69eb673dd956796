"""User settings: each declared once, with its type, default, title and check.

Separate stores:
- settings.json in the user's config folder: what the user chose;
- provisioned.json next to it: what an administrator set for this desk
  (provisioning/ writes it), and which of those the agent may not change;
- ui-state.json next to it: window geometry and the like;
- the OS keyring: passwords (see credentials.py). Never in a file.

A setting's value is, first found: the administrator's value of a locked
setting, the user's own choice, the administrator's value, the default.

Files are written atomically (temporary file + rename) so a crash never
leaves half a settings file. `AGENTDESK_CONFIG_DIR` moves the folder (tests,
portable installs). settings.json carries a `version`: older files are
brought up to this one step by step (MIGRATIONS); a file from a newer
AgentDesk is read as far as this one understands it and nothing in it is
lost.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCore import QT_TRANSLATE_NOOP

from agentdesk.contract.provisioning import PROVISIONABLE, SIP_TRANSPORTS

from .private_files import private_folder, private_opener

log = logging.getLogger("agentdesk.desktop")
PROVISIONED_VERSION = 1  # provisioned.json's shape


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
    Setting("transport", str, "udp", str(QT_TRANSLATE_NOOP("Settings", "SIP transport")), choices=SIP_TRANSPORTS),
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
    # ~/.config/autostart/agentdesk.desktop, written or removed at each start (autostart.py).
    Setting("autostart", bool, False, str(QT_TRANSLATE_NOOP("Settings", "Start AgentDesk when I log in"))),
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


class Origin(Enum):
    """Where a setting's value comes from (`agentdesk config list` shows it)."""

    DEFAULT = "default"
    USER = "user"
    PROVISIONED = "provisioned"
    LOCKED = "locked"


@dataclass(frozen=True)
class Provisioned:
    """What an administrator set for this desk: values, and the settings
    the agent may not change (a locked setting without a value keeps its
    default, locked)."""

    values: Mapping[str, Any] = field(default_factory=dict)
    locked: frozenset[str] = frozenset()


def locked_message(key: str) -> str:
    return f"{key} is set by your administrator and cannot be changed on this computer"


class Settings:
    """The user's settings over the provisioned ones. Unknown keys in the
    file are kept, not lost. `notice` says what the user should know about
    the file (written by a newer AgentDesk), or is ""."""

    def __init__(self, folder: Path | None = None) -> None:
        folder = folder or config_dir()
        self.path = folder / "settings.json"
        self.provisioned_path = folder / "provisioned.json"
        self._values, self.notice = upgrade(read_json(self.path))
        if self.notice:
            log.warning("%s", self.notice)
        self._provisioned = read_provisioned(self.provisioned_path)
        self._provisioning = threading.Lock()  # two re-reads at once store one after the other

    @property
    def provisioned(self) -> Provisioned:
        return self._provisioned

    def get(self, key: str) -> Any:
        setting = _declared(key)
        for origin, value in self._candidates(key):
            try:
                return setting.validate(value)
            except SettingError as error:
                log.warning("ignoring the %s value of %s: %s", origin.value, key, error)
        return setting.default

    def origin(self, key: str) -> Origin:
        """Which store the value of `key` comes from (when valid)."""
        _declared(key)
        if key in self._provisioned.locked:
            return Origin.LOCKED
        if key in self._values:
            return Origin.USER
        return Origin.PROVISIONED if key in self._provisioned.values else Origin.DEFAULT

    def is_locked(self, key: str) -> bool:
        return key in self._provisioned.locked

    def _candidates(self, key: str) -> list[tuple[Origin, Any]]:
        provisioned = self._provisioned
        if key in provisioned.locked:
            return [(Origin.LOCKED, provisioned.values[key])] if key in provisioned.values else []
        stores = ((Origin.USER, self._values), (Origin.PROVISIONED, provisioned.values))
        return [(origin, store[key]) for origin, store in stores if key in store]

    def set(self, key: str, value: Any) -> None:
        setting = BY_KEY.get(key)
        if setting is None:
            raise SettingError(f"there is no setting {key!r}; known: {', '.join(BY_KEY)}")
        if self.is_locked(key):
            raise SettingError(locked_message(key))
        self._values[key] = setting.validate(value)

    def reset(self, key: str) -> None:
        """Forget the user's choice: the administrator's value or the default again."""
        self._values.pop(key, None)

    def save(self) -> None:
        write_json_atomically(self.path, self._values)

    def provision(self, values: object, locked: object) -> frozenset[str]:
        """Replace what the administrator set, store it, and return the
        settings whose value changed by it. A setting this desktop does not
        know or finds wrong (a newer desk service may provision more) is
        left out with a warning; the rest still applies."""
        if not isinstance(values, dict) or not isinstance(locked, list):
            raise SettingError("the provisioned settings are not an object of settings and a list of locked names")
        provisioned = usable_provisioned(values, locked, log.warning)
        with self._provisioning:
            if provisioned == self._provisioned and self.provisioned_path.exists():
                return frozenset()  # the usual re-read at each connection: nothing to write
            before = self.as_dict()
            write_json_atomically(self.provisioned_path, {"version": PROVISIONED_VERSION,
                                                          "settings": dict(provisioned.values),
                                                          "locked": sorted(provisioned.locked)})
            self._provisioned = provisioned  # one reference swap: readers on other threads see old or new
            after = self.as_dict()
        return frozenset(key for key in after if after[key] != before[key])

    def as_dict(self) -> dict[str, Any]:
        return {s.key: self.get(s.key) for s in SETTINGS}


def _declared(key: str) -> Setting:
    setting = BY_KEY.get(key)
    if setting is None:
        raise SettingError(f"there is no setting {key!r}")
    return setting


def usable_provisioned(values: dict[Any, Any], locked: list[Any], warn: Callable[..., None]) -> Provisioned:
    """The administrator's settings this desktop can use; `warn` hears of the others."""
    kept = {}
    for key, value in values.items():
        if key not in PROVISIONABLE or key not in BY_KEY:
            warn("leaving out the provisioned setting %r: this AgentDesk cannot take it", key)
            continue
        try:
            kept[key] = BY_KEY[key].validate(value)
        except SettingError as error:
            warn("leaving out the provisioned %s", error)
    known = frozenset(key for key in locked if isinstance(key, str) and key in PROVISIONABLE and key in BY_KEY)
    unknown = [str(key) for key in locked if not (isinstance(key, str) and key in known)]
    if unknown:
        warn("leaving unlocked what this AgentDesk does not know: %s", ", ".join(unknown))
    return Provisioned(kept, known)


def read_provisioned(path: Path) -> Provisioned:
    data = read_json(path)
    values, locked = data.get("settings", {}), data.get("locked", [])
    if not isinstance(values, dict) or not isinstance(locked, list):
        log.error("%s is not usable; ignoring what an administrator set", path)
        return Provisioned()
    return usable_provisioned(values, locked, log.info)


# -- settings.json versions -----------------------------------------------------------

def _drop_defaults(values: dict[str, Any]) -> dict[str, Any]:
    """Version 1 -> 2. A version-1 Settings dialog stored every setting on
    every save, so a stored value said nothing about what the agent chose;
    from version 2 a stored value is a choice and outranks an
    administrator's unlocked value. A value equal to the default is
    therefore dropped: it changes nothing the agent sees."""
    return {key: value for key, value in values.items()
            if not (key in BY_KEY and value == BY_KEY[key].default and type(value) is BY_KEY[key].kind)}


# MIGRATIONS[n] turns a version-n file into a version-(n + 1) one.
MIGRATIONS: Mapping[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _drop_defaults}
SCHEMA_VERSION = 1 + max(MIGRATIONS)


def upgrade(values: dict[str, Any], migrations: Mapping[int, Callable[[dict[str, Any]], dict[str, Any]]] = MIGRATIONS,
            current: int | None = None) -> tuple[dict[str, Any], str]:
    """The file's values in the `current` version's shape, and a notice
    when the file is newer than that (it is then left as it is: a newer
    AgentDesk's keys and version survive this one)."""
    current = SCHEMA_VERSION if current is None else current
    version = values.get("version", 1)  # files before the version key were version 1
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        log.warning("settings.json has an unreadable version %r; reading it as version 1", version)
        version = 1
    if version > current:
        return values, (f"settings.json was written by a newer AgentDesk (settings version {version}; this one "
                        f"knows {current}): settings this version does not know are kept as they are")
    for step in range(version, current):
        values = migrations[step](values)
        log.info("settings.json upgraded from version %d to %d", step, step + 1)
    return {**values, "version": current}, ""
