"""Where the bundled PBX keeps things, and how it is configured.

Everything is decided once, from the environment and the command line, into
a frozen `Layout`; the other modules take it as an argument.

Folders (defaults; AGENTDESK_PBX_HOME moves them all, AGENTDESK_PBX_ROOTFS
the root filesystem alone):
  ~/.cache/agentdesk/pbx/rootfs   Debian sid root filesystem with Asterisk
  ~/.cache/agentdesk/pbx/state    generated config, logs, spool, AstDB, pid

An installed server (`pbx/run install`, install.py) names its folders in
/etc/agentdesk/pbx.env, which the installed tool reads (INSTALLED).
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

# An installed server keeps its settings (its folders, addresses and ports)
# in this file, KEY=VALUE lines that its systemd units read too. The
# installed tool applies them, the environment's own values winning; a
# checkout's pbx/run manages the checkout's own PBX and never reads it.
INSTALLED_ENV_FILE = Path("/etc/agentdesk/pbx.env")
_CHECKOUT_PBX_DIR = Path(__file__).resolve().parents[2] / "pbx"


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines, # comments: the part of systemd's EnvironmentFile=
    syntax pbx.env uses (no quotes, no expansion)."""
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        key, equals, value = line.strip().partition("=")
        if equals and key and not key.startswith("#"):
            values[key.strip()] = value.strip()
    return values


def _apply_installed_settings() -> bool:
    """Is this an installed server's tool? Its settings go into the
    environment (for the desk service it starts, too)."""
    if _CHECKOUT_PBX_DIR.is_dir() or not INSTALLED_ENV_FILE.exists():
        return False
    try:
        for key, value in read_env_file(INSTALLED_ENV_FILE).items():
            os.environ.setdefault(key, value)
    except OSError:
        pass  # not root: cli.py says who manages an installed server
    return True


INSTALLED = _apply_installed_settings()

# The pbx/ folder of the checkout (configuration, directory, queues); an
# installation elsewhere names it with AGENTDESK_PBX_DIR, and the folder of
# Asterisk's configuration templates with AGENTDESK_PBX_TEMPLATES.
PBX_DIR = Path(os.environ.get("AGENTDESK_PBX_DIR") or _CHECKOUT_PBX_DIR)
CONFIG_DIR = Path(os.environ.get("AGENTDESK_PBX_TEMPLATES") or PBX_DIR / "asterisk")
DIRECTORY_FILE = PBX_DIR / "directory.csv"

# Where the project's config and the state folder appear inside the root
# filesystem (bind mounts in a private mount namespace).
CONFIG_MOUNT = "/etc/asterisk-agentdesk"
STATE_MOUNT = "/var/lib/agentdesk-pbx"

# Generated config files holding secrets: readable by Asterisk's group only.
PRIVATE_CONFIG_FILES = ("pjsip_users.conf", "voicemail_users.conf", "manager_users.conf", "extensions_globals.conf")

DEFAULT_MIRROR = "http://deb.debian.org/debian"


class PbxError(Exception):
    """A problem the user can act on; printed as one message, no traceback."""


@dataclass(frozen=True)
class Network:
    """Addresses Asterisk binds to. Loopback unless told otherwise."""

    bind: str = "127.0.0.1"
    sip_port: int = 5060
    # SIP over TLS, on `bind` like the others (the port remote agents use).
    tls_port: int = 5061
    rtp_start: int = 10000
    rtp_end: int = 20000
    ami_port: int = 5038  # always on 127.0.0.1: only the desk service uses AMI
    desk_port: int = 8480  # the desk service's HTTP API, on `bind`
    # Plain SIP (UDP and TCP) off this machine: with a public bind only SIP
    # over TLS is reachable from the network unless the administrator says
    # the network is trusted (--plain-sip bind).
    plain_sip_public: bool = False

    @property
    def desk_pbx_port(self) -> int:
        """The desk service's PBX-only listener (the dialplan's questions),
        always on 127.0.0.1: the port after desk_port."""
        return self.desk_port + 1

    @property
    def is_loopback(self) -> bool:
        return ipaddress.ip_address(self.bind).is_loopback

    @property
    def plain_bind(self) -> str:
        """Where UDP and TCP SIP listen."""
        return self.bind if self.is_loopback or self.plain_sip_public else "127.0.0.1"

    @property
    def sip_address(self) -> str:
        return f"{self.plain_bind}:{self.sip_port}"

    @property
    def tls_address(self) -> str:
        host = f"[{self.bind}]" if ":" in self.bind else self.bind
        return f"{host}:{self.tls_port}"


@dataclass(frozen=True)
class Layout:
    home: Path
    network: Network
    mirror: str = DEFAULT_MIRROR
    engine: str = "auto"  # auto | rootfs | system
    tls_names: tuple[str, ...] = ()  # names the server certificate must carry besides the defaults (tls.py)
    tls_given: tuple[Path, Path] | None = None  # the administrator's certificate and key, if any
    secure_agents: bool = False  # every agent and team lead must use TLS and SRTP, not only those marked

    @property
    def rootfs(self) -> Path:
        # One provisioned root filesystem can serve several PBX homes (the
        # demo's and the tests').
        shared = os.environ.get("AGENTDESK_PBX_ROOTFS")
        return Path(shared).expanduser().resolve() if shared else self.home / "rootfs"

    @property
    def state(self) -> Path:
        return self.home / "state"

    @property
    def pid_file(self) -> Path:
        return self.state / "asterisk.pid"

    @property
    def log_dir(self) -> Path:
        return self.state / "log"

    @property
    def secrets_file(self) -> Path:
        return self.state / "secrets.json"

    @property
    def service_secrets_file(self) -> Path:
        return self.state / "service-secrets.json"

    @property
    def desk_config_file(self) -> Path:
        return self.state / "desk-service.json"

    @property
    def desk_dir(self) -> Path:
        """The desk service's own folder: its database and log."""
        return self.state / "desk"

    @property
    def desk_pid_file(self) -> Path:
        return self.state / "desk.pid"

    @property
    def tls_dir(self) -> Path:
        """The PBX's certificate authority and server certificate (tls.py)."""
        return self.state / "tls"

    @property
    def ca_cert_file(self) -> Path:
        return self.tls_dir / "ca.pem"

    @property
    def ca_key_file(self) -> Path:
        return self.tls_dir / "ca.key"

    @property
    def server_cert_file(self) -> Path:
        """The server certificate followed by the CA's: what SIP over TLS and
        the desk service's HTTPS present."""
        return self.tls_dir / "server.pem"

    @property
    def server_key_file(self) -> Path:
        return self.tls_dir / "server.key"


def make_private_folders(layout: Layout) -> None:
    """The PBX home and its state folder are made 0700: secrets, the desk
    database and the logs are for pbx/run's user alone (engine.prepare_state
    lets Asterisk's group into the state folder when Asterisk runs as its
    own user)."""
    for folder in (layout.home, layout.state):
        if not folder.exists():
            folder.mkdir(mode=0o700, parents=True)
            folder.chmod(0o700)  # whatever the umask


def default_home() -> Path:
    explicit = os.environ.get("AGENTDESK_PBX_HOME")
    if explicit:
        return Path(explicit).expanduser().resolve()
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "agentdesk" / "pbx"


def parse_port_range(text: str) -> tuple[int, int]:
    try:
        start_text, end_text = text.split("-", 1)
        start, end = int(start_text), int(end_text)
    except ValueError:
        raise PbxError(f"RTP port range must look like 10000-20000, not {text!r}") from None
    if not 1024 <= start < end <= 65535:
        raise PbxError(f"RTP port range {text!r} is outside 1024-65535 or empty")
    return start, end


def make_network(
    bind: str | None, sip_port: int | None, rtp_ports: str | None, plain_sip: str | None = None
) -> Network:
    bind = bind or os.environ.get("AGENTDESK_PBX_BIND") or "127.0.0.1"
    try:
        ipaddress.ip_address(bind)
    except ValueError:
        raise PbxError(f"bind address must be an IP address, not {bind!r}") from None
    port = sip_port or int(os.environ.get("AGENTDESK_SIP_PORT", "5060"))
    if not 1 <= port <= 65535:
        raise PbxError(f"SIP port {port} is not a valid port")
    tls_port = _port_from_env("AGENTDESK_SIP_TLS_PORT", 5061)
    if tls_port == port:
        raise PbxError(f"the SIP port and the SIP over TLS port are both {port}")
    start, end = parse_port_range(rtp_ports or os.environ.get("AGENTDESK_RTP_PORTS", "10000-20000"))
    ami_port = _port_from_env("AGENTDESK_AMI_PORT", 5038)
    desk_port = _port_from_env("AGENTDESK_DESK_PORT", 8480)
    if desk_port == 65535:
        raise PbxError("AGENTDESK_DESK_PORT must leave the next port free for the PBX's questions, not 65535")
    plain = plain_sip or os.environ.get("AGENTDESK_PLAIN_SIP", "loopback")
    if plain not in ("loopback", "bind"):
        raise PbxError(f"plain SIP goes on 'loopback' or on the 'bind' address, not {plain!r}")
    return Network(
        bind=bind,
        sip_port=port,
        tls_port=tls_port,
        rtp_start=start,
        rtp_end=end,
        ami_port=ami_port,
        desk_port=desk_port,
        plain_sip_public=plain == "bind",
    )


def _port_from_env(name: str, default: int) -> int:
    text = os.environ.get(name, str(default))
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise PbxError(f"{name} must be a port number, not {text!r}")
    return int(text)


def make_layout(
    bind: str | None = None,
    sip_port: int | None = None,
    rtp_ports: str | None = None,
    plain_sip: str | None = None,
    tls_names: tuple[str, ...] = (),
    tls_cert: str | None = None,
    tls_key: str | None = None,
    secure_agents: bool = False,
) -> Layout:
    engine = os.environ.get("AGENTDESK_PBX_ENGINE", "auto")
    if engine not in ("auto", "rootfs", "system"):
        raise PbxError(f"AGENTDESK_PBX_ENGINE must be auto, rootfs or system, not {engine!r}")
    names = tls_names or tuple(os.environ.get("AGENTDESK_PBX_TLS_NAMES", "").replace(",", " ").split())
    cert = tls_cert or os.environ.get("AGENTDESK_PBX_TLS_CERT")
    key = tls_key or os.environ.get("AGENTDESK_PBX_TLS_KEY")
    if bool(cert) != bool(key):
        raise PbxError("give the TLS certificate and its key together (--tls-cert and --tls-key)")
    return Layout(
        home=default_home(),
        network=make_network(bind, sip_port, rtp_ports, plain_sip),
        mirror=os.environ.get("AGENTDESK_DEBIAN_MIRROR", DEFAULT_MIRROR),
        engine=engine,
        tls_names=names,
        tls_given=(Path(cert).expanduser(), Path(key).expanduser()) if cert and key else None,
        secure_agents=secure_agents or os.environ.get("AGENTDESK_SECURE_AGENTS", "") == "1",
    )
