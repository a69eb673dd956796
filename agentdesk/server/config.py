"""The desk service's configuration: desk-service.json (written by
`pbx/run start` next to the bundled PBX, or by hand on a real server).

    {"ami": {"host", "port", "username", "secret"},
     "http": {"host", "port"},      # desktops and the public callback form
     "tls": {"certificate", "key"},  # PEM files: "http" serves HTTPS (TLS 1.2+); required
                                    # unless "http" is a loopback address; optional "authority":
                                    # the private authority the certificate chains to (PEM), which
                                    # provisioned desktops pin (absent: a publicly trusted certificate)
     "pbx_token": "...",            # the dialplan's token for /pbx/v1/* (X-PBX-Token header)
     "pbx_listener": {"host", "port"},  # optional: where /pbx/v1/* is served, a loopback
                                    # address (default 127.0.0.1, the http port + 1)
     "directory": "pbx/directory.csv", "secrets": ".../secrets.json",
     "database": "sqlite:///...",   # or postgresql://...
     "log": ".../desk.log",
     # optional, with defaults:
     "pause_reasons": [...], "token_hours": 12, "repeat_days": 7,
     "sticky_hours": 24, "queue_titles": {"support": "Support"},
     "desk_phones": ["1020"],      # shared desk phones any agent may log in from
     "callbacks": {...},           # callback knobs (agentdesk/server/callbacks/settings.py)
     "monitor": {...},             # the floor's thresholds (agentdesk/server/monitor/settings.py)
     "wrapup": {"support": {...}},  # after-call work per queue (agentdesk/server/wrapups/settings.py)
     "queue_pause_after_missed": {"support": 1},  # missed offers in a row before the
                                    # agent is paused ("missed call"); 0 = never; default 1
     "provisioning": {"desk_url", "sip": {"tls": "host:port", ...}, "transport"}}
                                    # what provisioned desktops are told (provisioning/addresses.py)
"""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentdesk.contract.signin import is_loopback_host

from .callbacks.settings import CallbackSettings, parse_callback_settings
from .monitor.settings import MonitorSettings, parse_monitor_settings
from .provisioning.addresses import SiteAddresses, parse_site_addresses
from .wrapups.settings import WrapUpPolicy, parse_wrapup_settings

DEFAULT_PAUSE_REASONS = ("Break", "Lunch", "Training", "Back office", "Meeting")
DEFAULT_PAUSE_AFTER_MISSED = 1


class ConfigError(Exception):
    """The configuration cannot be used; the message says why."""


@dataclass(frozen=True)
class AmiSettings:
    host: str
    port: int
    username: str
    secret: str = field(repr=False)


@dataclass(frozen=True)
class TlsFiles:
    certificate: Path  # the server's certificate, then its chain (PEM)
    key: Path
    authority: Path | None = None  # the private authority it chains to, which desktops pin


@dataclass(frozen=True)
class DeskConfig:
    ami: AmiSettings
    http_host: str
    http_port: int
    pbx_token: str = field(repr=False)
    pbx_host: str
    pbx_port: int
    directory: Path
    secrets: Path
    database: str = field(repr=False)
    log: Path | None = None
    tls: TlsFiles | None = None  # the desktops' listener serves HTTPS with these
    pause_reasons: tuple[str, ...] = DEFAULT_PAUSE_REASONS
    token_seconds: float = 12 * 3600
    repeat_seconds: float = 7 * 86400
    sticky_seconds: float = 24 * 3600
    queue_titles: dict[str, str] = field(default_factory=dict)
    desk_phones: frozenset[str] = frozenset()  # shared phones any agent may work from
    queue_extensions: dict[str, str] = field(default_factory=dict)  # queue -> the number that reaches it
    queue_wrapup_seconds: dict[str, int] = field(default_factory=dict)  # queue -> Asterisk's wrapuptime
    callbacks: CallbackSettings = field(default_factory=lambda: parse_callback_settings({}))
    wrapup: dict[str, WrapUpPolicy] = field(default_factory=dict)  # queue -> after-call work (default if absent)
    queue_pause_after_missed: dict[str, int] = field(default_factory=dict)  # queue -> missed offers (default 1)
    provisioning: SiteAddresses = field(default_factory=SiteAddresses)  # what provisioned desktops are told
    monitor: MonitorSettings = field(default_factory=MonitorSettings)  # team leads' floor

    def wrapup_policy(self, queue: str) -> WrapUpPolicy:
        """The queue's after-call work policy (the defaults for a queue not configured)."""
        return self.wrapup.get(queue) or WrapUpPolicy()

    def pause_after_missed(self, queue: str) -> int:
        """Missed offers in a row of `queue` before its agent is paused (0: never)."""
        return self.queue_pause_after_missed.get(queue, DEFAULT_PAUSE_AFTER_MISSED)


def load_config(path: Path) -> DeskConfig:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"cannot read {path}: {error.strerror}") from None
    except json.JSONDecodeError as error:
        raise ConfigError(f"{path} is not valid JSON: {error}") from None
    try:
        config = _parse(data, path.parent)
    except (KeyError, TypeError, ValueError) as error:
        raise ConfigError(f"{path}: missing or bad setting {error}") from None
    if config.tls is None and not is_loopback_host(config.http_host):
        # Plain HTTP would carry every agent's bearer token readable across
        # the network; on loopback it never leaves this machine.
        raise ConfigError(
            f"{path}: the desk service would listen on {config.http_host} without a certificate; plain HTTP "
            "is only for loopback (127.0.0.1): give \"tls\" {\"certificate\", \"key\"} (pbx/run start "
            "makes them) or listen on 127.0.0.1")
    return config


def _parse(data: dict[str, Any], base: Path) -> DeskConfig:
    ami = data["ami"]
    log = data.get("log")
    if len(str(data["pbx_token"])) < 16:
        raise ValueError("pbx_token (at least 16 characters)")
    http_port = int(data["http"]["port"])
    pbx_host, pbx_port = _pbx_listener(data.get("pbx_listener", {}), http_port)
    return DeskConfig(
        ami=AmiSettings(str(ami["host"]), int(ami["port"]), str(ami["username"]), str(ami["secret"])),
        http_host=str(data["http"]["host"]),
        http_port=http_port,
        pbx_token=str(data["pbx_token"]),
        pbx_host=pbx_host,
        pbx_port=pbx_port,
        directory=base / str(data["directory"]),
        secrets=base / str(data["secrets"]),
        database=str(data["database"]),
        log=base / str(log) if log else None,
        tls=_tls_files(data.get("tls"), base),
        pause_reasons=tuple(str(r) for r in data.get("pause_reasons", DEFAULT_PAUSE_REASONS)),
        token_seconds=float(data.get("token_hours", 12)) * 3600,
        repeat_seconds=float(data.get("repeat_days", 7)) * 86400,
        sticky_seconds=float(data.get("sticky_hours", 24)) * 3600,
        queue_titles={str(k): str(v) for k, v in data.get("queue_titles", {}).items()},
        desk_phones=frozenset(str(p) for p in data.get("desk_phones", [])),
        queue_extensions={str(k): str(v) for k, v in data.get("queue_extensions", {}).items()},
        queue_wrapup_seconds={str(k): int(v) for k, v in data.get("queue_wrapup_seconds", {}).items()},
        callbacks=parse_callback_settings(data.get("callbacks", {})),
        wrapup=parse_wrapup_settings(data.get("wrapup", {})),
        queue_pause_after_missed=_missed_limits(data.get("queue_pause_after_missed", {})),
        provisioning=parse_site_addresses(data.get("provisioning", {})),
        monitor=parse_monitor_settings(data.get("monitor", {})),
    )


def _tls_files(data: object, base: Path) -> TlsFiles | None:
    if data is None:
        return None
    if not isinstance(data, dict) or not data.get("certificate") or not data.get("key"):
        raise ValueError("tls (an object with the certificate and key files)")
    authority = data.get("authority")
    return TlsFiles(base / str(data["certificate"]), base / str(data["key"]),
                    base / str(authority) if authority else None)


def _missed_limits(data: object) -> dict[str, int]:
    if not isinstance(data, dict):
        raise ValueError("queue_pause_after_missed (an object of queue: count)")
    limits: dict[str, int] = {}
    for queue, count in data.items():
        if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= 100:
            raise ValueError(f"queue_pause_after_missed.{queue} (a whole number from 0 to 100)")
        limits[str(queue)] = count
    return limits


def _pbx_listener(data: object, http_port: int) -> tuple[str, int]:
    """(host, port) of the PBX-only listener. Only loopback: the dialplan runs
    on this machine, and nothing else may ask the PBX's questions."""
    if not isinstance(data, dict):
        raise ValueError("pbx_listener (an object with host and port)")
    host = str(data.get("host", "127.0.0.1"))
    port = int(data.get("port", http_port + 1))
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError("pbx_listener.host (a loopback address such as 127.0.0.1)")
    if not 1 <= port <= 65535 or port == http_port:
        raise ValueError("pbx_listener.port (a free port other than the http port)")
    return host, port
