"""A PBX for remote agents: the bundled Asterisk and its desk service started
inside the PBX namespace of tests/helpers/netlab.py, listening on its
network address, so a desktop in the tests' process reaches it only through
the home router and the impaired wire.

It listens off loopback, so pbx/run insists on real secrets: they are
generated once for its home folder, and `password(user)` reads them back.
From the network it offers SIP over TLS (and plain SIP, asked for with
--plain-sip bind) and the desk service over HTTPS, both with the PBX's own
authority (`ca_file`); phones on the PBX's own host use plain SIP on its
loopback. Its ports are those of the second test PBX (tests/helpers/pbx.py);
being in a namespace of its own, it collides with nothing in the root
namespace.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

from tests.helpers.netlab import PBX, PBX_NS, in_namespace
from tests.helpers.pbx import DESK_PORT, PORT_OFFSET, REPO, RUN, SECOND_SIP_PORT, TLS_PORT, Pbx, second_pbx_env

TLS_SERVER = f"{PBX}:{TLS_PORT + 5}"  # what a remote agent's desktop uses
UDP_SERVER = f"{PBX}:{SECOND_SIP_PORT}"  # plain SIP from the network
DESK_URL = f"https://{PBX}:{DESK_PORT + 5}"


def network_pbx_home() -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "agentdesk"
    return cache / f"pbx-net{PORT_OFFSET or ''}"


class NetworkPbx(Pbx):
    """pbx/run for the PBX in the namespace: every command runs in there."""

    def __init__(self, home: Path | None = None) -> None:
        super().__init__(second_pbx_env(home or network_pbx_home(), REPO / "pbx"))

    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*in_namespace(PBX_NS), str(RUN), *args], env=self.env, capture_output=True,
                              text=True, timeout=timeout)

    def start(self, *options: str) -> None:
        """Stops what an earlier run left running, makes real secrets the first
        time, forgets the desk's earlier calls, and starts on the network."""
        self.forget_desk_data()
        if not self._secrets().get("sip") or self._secrets().get("demo", True):
            result = self.run("secrets", "--generate")
            if result.returncode != 0:
                raise RuntimeError(f"pbx/run secrets --generate failed:\n{result.stdout}\n{result.stderr}")
        super().start("--bind", PBX, "--plain-sip", "bind", *options)

    def plain_sip_server(self) -> str:
        """Where plain SIP listens (address:port), for phones on the PBX's
        own host: loopback, or the network address with --plain-sip bind."""
        match = re.search(r"transport-udp\s+udp\s+\d+\s+\d+\s+(\S+)", self.cli("pjsip show transports"))
        if match is None:
            raise RuntimeError("the PBX has no plain SIP (UDP) transport")
        return match.group(1)

    def _secrets(self) -> dict[str, object]:
        path = self.home / "state" / "secrets.json"
        return dict(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else {}

    @property
    def ca_file(self) -> Path:
        """The authority a desktop pins for this PBX (pbx/run tls-ca)."""
        return self.home / "state" / "tls" / "ca.pem"

    def desktop_settings(self, transport: str = "tls") -> dict[str, str]:
        """A remote desktop's settings besides server and user."""
        return {"transport": transport, "tls_ca_file": str(self.ca_file), "desk_url": DESK_URL}

    def password(self, user: str) -> str:
        """The SIP (and desk sign-in) password of an extension."""
        sip = self._secrets()["sip"]
        assert isinstance(sip, dict)
        return str(sip[user])
