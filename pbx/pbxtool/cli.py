"""`pbx/run`: the bundled PBX's command line."""

from __future__ import annotations

import argparse
import subprocess
import sys

from . import confgen, directory, runner
from . import engine as engines
from .layout import DIRECTORY_FILE, Layout, PbxError, make_layout

EXIT_NOT_RUNNING = 3


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pbx/run",
        description="Run the bundled Asterisk PBX of AgentDesk. Binds to 127.0.0.1 unless told otherwise.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    start = commands.add_parser("start", help="start Asterisk (provisioning it once if needed)")
    start.add_argument("--bind", help="IP address to listen on (default 127.0.0.1, env AGENTDESK_PBX_BIND)")
    start.add_argument("--sip-port", type=int, help="SIP UDP/TCP port (default 5060, env AGENTDESK_SIP_PORT)")
    start.add_argument("--rtp-ports", help="RTP port range (default 10000-20000, env AGENTDESK_RTP_PORTS)")
    commands.add_parser("provision", help="only make sure Asterisk is available (provision it once if needed)")
    commands.add_parser("stop", help="stop the Asterisk that start started")
    commands.add_parser("status", help="exit 0 when running, 3 when not")
    cli = commands.add_parser("cli", help='run one Asterisk CLI command, e.g. cli "pjsip show contacts"')
    cli.add_argument("line", help="the CLI command, quoted")
    call = commands.add_parser("call", help="have a demo customer call an extension")
    call.add_argument("extension", nargs="?", default="1001")
    call.add_argument("--number", default="+982155550101", help="caller number shown to the agent")
    call.add_argument("--name", default="Demo Customer", help="caller name shown to the agent")
    secrets = commands.add_parser("secrets", help="show or regenerate SIP passwords and voicemail PINs")
    secrets.add_argument("--generate", action="store_true", help="replace every secret with a random one")
    secrets.add_argument("--show", action="store_true", help="print the secrets as CSV (for provisioning)")
    return parser


def run(args: argparse.Namespace) -> int:
    layout = make_layout(getattr(args, "bind", None), getattr(args, "sip_port", None), getattr(args, "rtp_ports", None))
    if args.command == "start":
        runner.start(layout)
    elif args.command == "provision":
        engine = engines.choose(layout)
        print(f"Asterisk is available ({engine.kind}: {engine.binary}).")
    elif args.command == "stop":
        print("Asterisk stopped." if runner.stop(layout) else "Asterisk was not running.")
    elif args.command == "status":
        return status(layout)
    elif args.command == "cli":
        return run_cli(layout, args.line)
    elif args.command == "call":
        runner.place_demo_call(layout, args.extension, args.number, args.name)
        print(f"Calling {args.extension} as {args.name} <{args.number}>.")
    elif args.command == "secrets":
        manage_secrets(layout, args.generate, args.show)
    return 0


def status(layout: Layout) -> int:
    pid = runner.running_pid(layout)
    if pid is None:
        print("Asterisk is not running.")
        return EXIT_NOT_RUNNING
    runner.print_summary(layout, pid)
    return 0


def run_cli(layout: Layout, line: str) -> int:
    if runner.running_pid(layout) is None:
        raise PbxError("Asterisk is not running; start it with: pbx/run start")
    result = runner.cli(layout, line)
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    return result.returncode


def manage_secrets(layout: Layout, generate: bool, show: bool) -> None:
    users = directory.read_directory(DIRECTORY_FILE)
    value = directory.load_secrets(layout.secrets_file, users)
    if generate:
        value = directory.random_secrets(users)
        directory.save_secrets(layout.secrets_file, value)
        print(f"New random secrets for {len(users)} users saved in {layout.secrets_file} (mode 600).")
        _apply_if_running(layout, users, value)
    if show or not generate:
        if value.demo:
            print("# DEMO secrets: replace them with `pbx/run secrets --generate` before real use.")
        sys.stdout.write(directory.secrets_table(users, value))


def _apply_if_running(layout: Layout, users: list[directory.User], value: directory.Secrets) -> None:
    engine = engines.load(layout)
    if runner.running_pid(layout) is None or engine is None:
        return
    network = confgen.read_network(layout) or layout.network
    current = Layout(layout.home, network, layout.mirror, layout.engine)
    confgen.assemble(current, engine.base, engine.config_root, users, value)
    engines.prepare_state(current, engine)
    for command in ("module reload res_pjsip.so", "voicemail reload"):
        runner.cli(current, command)
    print("The running PBX now uses them.")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return run(args)
    except PbxError as error:
        print(f"pbx/run: {error}", file=sys.stderr)
        return 1
    except subprocess.TimeoutExpired as error:
        print(f"pbx/run: Asterisk did not answer in time ({error.timeout:.0f} s)", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
