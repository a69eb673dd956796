"""A remote agent's network, built for real from network namespaces:

    tests' process (the desktop)            root namespace   10.78.N.2
        | veth: the home LAN
    home router, masquerading (nftables)    agentdesk-homeN  10.78.N.1 | 10.77.N.2
        | the wire: TUN <-> TUN through the impairment process (netwire.py)
    the PBX's host                          agentdesk-pbxN   10.77.N.1

N is the tests' port offset (AGENTDESK_TEST_PORT_OFFSET), so test runs on
one machine never share a name or an address. The impairment sits where a
remote agent's trouble is, between the home router and the PBX. With
`nat=False` the router only routes: the PBX then sees the desktop's own
address. With NAT it sees the router's (10.77.N.2) and cannot reach the
desktop at all except through a mapping the desktop's own traffic made,
like behind a home router.

Traffic stays inside: the namespaces have no other device, and the root
namespace only gains a route to 10.77.N.0/24 through the LAN. Everything is
removed by close(); a crashed run's leftovers (its namespaces and the
processes still in them) are removed before anything is built.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

from tests.helpers.netwire import Wire
from tests.helpers.pbx import PORT_OFFSET

SUBNET = PORT_OFFSET  # the third byte of every address (offsets are 0, 10, ... 250)
HOME_NS = f"agentdesk-home{PORT_OFFSET}"
PBX_NS = f"agentdesk-pbx{PORT_OFFSET}"
LAN_DEV = f"adlan{PORT_OFFSET}"  # the desktop's side of the home LAN
LAN_ROUTER_DEV = f"adlan{PORT_OFFSET}r"
WAN_ROUTER_DEV = f"adwan{PORT_OFFSET}r"  # the wire's ends
WAN_PBX_DEV = f"adwan{PORT_OFFSET}p"
DESKTOP = f"10.78.{SUBNET}.2"
DESKTOP_MOVED = f"10.78.{SUBNET}.3"  # the desktop's address after move_desktop(): from Wi-Fi to cable
ROUTER_LAN = f"10.78.{SUBNET}.1"
ROUTER_WAN = f"10.77.{SUBNET}.2"
PBX = f"10.77.{SUBNET}.1"

# A home router: the LAN's connections leave with the router's address, and
# from outside only answers to them come in (no SIP ALG: the kernel's SIP
# helper is never attached, as on a router with it switched off).
NAT_RULES = f"""
table ip agentdesk_home {{
    chain postrouting {{
        type nat hook postrouting priority srcnat; policy accept;
        oifname "{WAN_ROUTER_DEV}" masquerade
    }}
    chain forward {{
        type filter hook forward priority filter; policy drop;
        ct state established,related accept
        iifname "{LAN_ROUTER_DEV}" accept
    }}
}}
"""


class NetLabError(RuntimeError):
    pass


def ip(*args: str, namespace: str | None = None, check: bool = True) -> str:
    prefix = ["ip", "-n", namespace] if namespace else ["ip"]
    result = subprocess.run([*prefix, *args], capture_output=True, text=True, timeout=20)
    if check and result.returncode != 0:
        raise NetLabError(f"ip {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


def in_namespace(namespace: str) -> list[str]:
    """The command prefix that runs a program inside `namespace`."""
    return ["ip", "netns", "exec", namespace]


def remove_leftovers() -> None:
    """Take down what a run with this port offset left behind: the processes
    still inside its namespaces (one by one, by their ids), then the
    namespaces, which removes their devices and with them the root side's
    LAN device and route."""
    for namespace in (PBX_NS, HOME_NS):
        if not Path(f"/run/netns/{namespace}").exists():
            continue
        pids = [int(pid) for pid in ip("netns", "pids", namespace, check=False).split()]
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        _wait_gone(pids)
        ip("netns", "del", namespace)
    ip("link", "del", LAN_DEV, check=False)


def _wait_gone(pids: list[int], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while any(Path(f"/proc/{pid}").exists() for pid in pids):
        if time.monotonic() > deadline:
            raise NetLabError(f"processes {pids} in a stale test namespace did not die")
        time.sleep(0.05)


class RemoteNetwork:
    """The namespaces, devices, routes, NAT and wire above. `wire` changes
    what the link between router and PBX does while it runs."""

    def __init__(self, nat: bool = True) -> None:
        if SUBNET > 255:
            raise NetLabError(f"port offset {PORT_OFFSET} does not fit an address byte")
        self.nat = nat
        remove_leftovers()
        try:
            self.wire = self._build()
        except BaseException:
            remove_leftovers()
            raise

    def _build(self) -> Wire:
        for namespace in (HOME_NS, PBX_NS):
            ip("netns", "add", namespace)
            ip("link", "set", "lo", "up", namespace=namespace)
        ip("link", "add", LAN_DEV, "type", "veth", "peer", "name", LAN_ROUTER_DEV, "netns", HOME_NS)
        ip("addr", "add", f"{DESKTOP}/24", "dev", LAN_DEV)
        ip("link", "set", LAN_DEV, "up")
        ip("addr", "add", f"{ROUTER_LAN}/24", "dev", LAN_ROUTER_DEV, namespace=HOME_NS)
        ip("link", "set", LAN_ROUTER_DEV, "up", namespace=HOME_NS)
        wire = Wire(HOME_NS, WAN_ROUTER_DEV, PBX_NS, WAN_PBX_DEV)
        for namespace, device, local, peer in ((HOME_NS, WAN_ROUTER_DEV, ROUTER_WAN, PBX),
                                               (PBX_NS, WAN_PBX_DEV, PBX, ROUTER_WAN)):
            ip("addr", "add", local, "peer", peer, "dev", device, namespace=namespace)
            ip("link", "set", device, "up", namespace=namespace)
        ip("route", "add", f"10.77.{SUBNET}.0/24", "via", ROUTER_LAN, "dev", LAN_DEV)
        self._run_in(HOME_NS, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1")
        if self.nat:
            self._run_in(HOME_NS, "nft", "-f", "-", stdin=NAT_RULES)
        else:
            ip("route", "add", f"10.78.{SUBNET}.0/24", "dev", WAN_PBX_DEV, namespace=PBX_NS)
        return wire

    @staticmethod
    def _run_in(namespace: str, *command: str, stdin: str | None = None) -> None:
        result = subprocess.run([*in_namespace(namespace), *command], input=stdin, capture_output=True, text=True,
                                timeout=20)
        if result.returncode != 0:
            raise NetLabError(f"{' '.join(command)} in {namespace} failed: {result.stderr.strip()}")

    def move_desktop(self) -> None:
        """The desktop's computer changes address (DESKTOP to DESKTOP_MOVED),
        as when it moves from Wi-Fi to cable: the old address goes, with
        every connection and socket bound to it, and the route to the PBX
        with it; then the new address comes, and the route again."""
        ip("addr", "del", f"{DESKTOP}/24", "dev", LAN_DEV)
        ip("addr", "add", f"{DESKTOP_MOVED}/24", "dev", LAN_DEV)
        ip("route", "replace", f"10.77.{SUBNET}.0/24", "via", ROUTER_LAN, "dev", LAN_DEV)

    def close(self) -> None:
        self.wire.close()
        remove_leftovers()
