"""`pbx/run enroll AGENT... [--hours N]` and `pbx/run enroll --csv FILE`:
one-time enrollment links for agents' desktops, printed as CSV (agent,
name, link, expires_at) for the roll-out; nowhere else.

The running desk service makes them, asked on its PBX-only listener
(loopback) with the PBX token from its own desk-service.json, as the
dialplan asks it. Not the store directly: the service is the store's one
writer (a SQLite file opened by root could leave the service's own user
locked out of it), builds the links from its own configuration, and is
what redeems them, so a link is made only where it can be used.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from agentdesk.contract.provisioning import DEFAULT_ENROLLMENT_HOURS
from agentdesk.server.provisioning.batch import BatchError, agents_from_csv, enrollments_csv

from . import deskservice
from .layout import Layout, PbxError

PATH = "/pbx/v1/enrollments"
TOKEN_HEADER = "X-PBX-Token"
TIMEOUT_SECONDS = 30


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    enroll = commands.add_parser(
        "enroll", help="one-time links that set up agents' desktops (agentdesk provision LINK), as CSV",
        description="Make one-time enrollment links with the running desk service and print them as CSV "
        "(agent,name,link,expires_at). Each link sets up one agent's AgentDesk once: their SIP account, the "
        "desk service and their settings. Hand each link to its agent only.")
    enroll.add_argument("agents", nargs="*", metavar="AGENT", help="agent IDs (extensions) from pbx/directory.csv")
    enroll.add_argument("--csv", type=Path, metavar="FILE", help="a CSV whose first line names its columns, one "
                        "of them 'agent' (other columns are ignored)")
    enroll.add_argument("--hours", type=int, default=DEFAULT_ENROLLMENT_HOURS,
                        help=f"how long the links work (default {DEFAULT_ENROLLMENT_HOURS})")


def run(layout: Layout, args: argparse.Namespace) -> None:
    agents = list(args.agents) + (_agents_of(args.csv) if args.csv else [])
    if not agents:
        raise PbxError("name the agents to enroll (pbx/run enroll 1001 1002) or give --csv FILE")
    rows = make(layout, agents, args.hours)
    sys.stdout.write(enrollments_csv(rows))


def make(layout: Layout, agents: list[str], hours: int) -> list[dict[str, Any]]:
    """The running desk service's new enrollments for `agents`."""
    host, port, token = _pbx_listener(layout)
    if deskservice.running_pid(layout) is None:
        raise PbxError("the desk service is not running; it makes and redeems the links: pbx/run desk start")
    body = json.dumps({"agents": agents, "hours": hours, "created_by": f"pbx/run ({getpass.getuser()})"})
    request = urllib.request.Request(f"http://{host}:{port}{PATH}", data=body.encode(), method="POST",
                                     headers={"Content-Type": "application/json", TOKEN_HEADER: token})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as reply:
            return list(json.loads(reply.read())["enrollments"])
    except urllib.error.HTTPError as error:
        raise PbxError(f"the desk service made no links: {_sentence(error)}") from None
    except (urllib.error.URLError, OSError) as error:
        raise PbxError(f"cannot reach the desk service at {host}:{port}: {error}") from None


def _agents_of(path: Path) -> list[str]:
    try:
        return agents_from_csv(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise PbxError(f"cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise PbxError(f"{path} is not UTF-8 text") from None
    except BatchError as error:
        raise PbxError(f"{path}: {error}") from None


def _pbx_listener(layout: Layout) -> tuple[str, int, str]:
    """Where the running service takes the PBX's questions, and its token:
    from the desk-service.json it was started with (a token rotated since
    counts only from its next start)."""
    try:
        config = json.loads(layout.desk_config_file.read_text(encoding="utf-8"))
        listener = config.get("pbx_listener", {})
        return str(listener.get("host", "127.0.0.1")), int(listener["port"]), str(config["pbx_token"])
    except FileNotFoundError:
        raise PbxError("the desk service has never been set up here; start the PBX first: pbx/run start") from None
    except PermissionError:
        raise PbxError(f"cannot read {layout.desk_config_file}, which holds the PBX token: run pbx/run enroll as "
                       "the user that runs the PBX") from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise PbxError(f"cannot read {layout.desk_config_file}: {error}") from None


def _sentence(error: urllib.error.HTTPError) -> str:
    try:
        return str(json.loads(error.read())["error"])
    except (ValueError, KeyError, TypeError, OSError):
        return f"HTTP {error.code}"
