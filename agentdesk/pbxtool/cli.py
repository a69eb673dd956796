"""`pbx/run`: the bundled PBX's command line."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from agentdesk.server.directory import Person, Secrets

from . import (
    backup,
    callers,
    confgen,
    deskservice,
    directory,
    enroll,
    install,
    install_config,
    install_files,
    queues,
    runner,
    service,
    tls,
)
from . import engine as engines
from .layout import (
    INSTALLED,
    Layout,
    Network,
    PbxError,
    make_layout,
    make_private_folders,
)
from .queues import QueueSettings

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
    start.add_argument("--no-desk", action="store_true", help="start Asterisk only, not the desk service")
    start.add_argument(
        "--plain-sip", choices=("loopback", "bind"),
        help="where SIP over UDP/TCP listens when --bind is not loopback: loopback (default; only SIP over TLS "
        "is reachable from the network) or the bind address too (a trusted LAN; env AGENTDESK_PLAIN_SIP)")
    start.add_argument(
        "--tls-name", action="append", default=[], metavar="NAME",
        help="a host name or address desktops use for this PBX, put in its certificate (repeat for more; "
        "env AGENTDESK_PBX_TLS_NAMES)")
    start.add_argument("--tls-cert", help="your own certificate (PEM, chain included) instead of the private "
                       "authority's, e.g. from an ACME client (env AGENTDESK_PBX_TLS_CERT)")
    start.add_argument("--tls-key", help="the key of --tls-cert (PEM, unencrypted; env AGENTDESK_PBX_TLS_KEY)")
    start.add_argument(
        "--secure-agents", action="store_true",
        help="every agent and team lead must use SIP over TLS with encrypted audio (SRTP), not only the "
        "people marked tls in pbx/directory.csv (env AGENTDESK_SECURE_AGENTS=1)")
    tls_ca = commands.add_parser(
        "tls-ca", help="show the certificate authority desktops pin (its file and SHA-256 fingerprint)")
    tls_ca.add_argument("--pem", action="store_true", help="print the authority's certificate itself (PEM)")
    commands.add_parser("provision", help="only make sure Asterisk is available (provision it once if needed)")
    commands.add_parser("stop", help="stop the desk service and Asterisk")
    commands.add_parser("status", help="report Asterisk and the desk service; exit 0 when Asterisk runs, 3 when not")
    desk = commands.add_parser("desk", help="only the desk service: start, stop, status (exit 3 when not running)")
    desk.add_argument("action", choices=("start", "stop", "status", "restart"))
    cli = commands.add_parser("cli", help='run one Asterisk CLI command, e.g. cli "pjsip show contacts"')
    cli.add_argument("line", help="the CLI command, quoted")
    call = commands.add_parser("call", help="have a demo customer call an extension")
    call.add_argument("extension", nargs="?", default="1001")
    call.add_argument("--number", default="+982155550101", help="caller number shown to the agent")
    call.add_argument("--name", default="Demo Customer", help="caller name shown to the agent")
    _add_callers_parser(commands)
    secrets = commands.add_parser(
        "secrets", help="show or regenerate SIP passwords and voicemail PINs (and the desk service's PBX token)"
    )
    secrets.add_argument(
        "--generate", action="store_true",
        help="replace every secret with a random one: SIP passwords and PINs at once, "
        "the desk service's PBX token and AMI secret from the next start",
    )
    secrets.add_argument("--show", action="store_true", help="print the secrets as CSV (for provisioning)")
    saved = commands.add_parser(
        "backup", help="save settings, secrets, certificates and the desk store to FILE (mode 600; running or not)")
    saved.add_argument("file", type=Path)
    restored = commands.add_parser("restore", help="bring a backup back (the PBX stopped); then pbx/run start")
    restored.add_argument("file", type=Path)
    restored.add_argument("--force", action="store_true", help="replace this PBX's secrets and store")
    enroll.add_parser(commands)
    install.add_commands(commands)
    return parser


def _add_callers_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    callers = commands.add_parser(
        "callers",
        help="simulated customers calling a queue (one JSON line per caller)",
        description="Simulated customers call a queue through the same path as real ones. Each plays its own "
        "tone (450 + 75*k Hz), gives up after --patience seconds unless answered, and hangs up --talk "
        "seconds after an agent answered. Names and numbers rotate through resources/demo/customers.csv.",
    )
    callers.add_argument("--queue", default="support", help="queue name from pbx/queues.ini (default support)")
    callers.add_argument("--count", type=int, default=1, help="how many callers (default 1)")
    callers.add_argument("--interval", type=float, default=1.5, help="seconds between callers (default 1.5)")
    callers.add_argument("--patience", type=int, default=90, help="seconds a caller waits (default 90)")
    callers.add_argument("--talk", type=int, default=20, help="seconds a caller talks once answered (default 20)")
    callers.add_argument(
        "--abandon-share", type=float, default=0.0, help="share of impatient callers who give up early (0-1)"
    )
    callers.add_argument("--number", help="caller number instead of the demo customers'")
    callers.add_argument("--name", help="caller name instead of the demo customers'")
    callers.add_argument(
        "--forever", action="store_true", help="keep callers coming at random, --interval apart on average (Ctrl+C)"
    )


def run(args: argparse.Namespace) -> int:
    install.check_command(args.command)
    if args.command in ("install", "uninstall"):
        return install.run(args)
    layout = make_layout(
        getattr(args, "bind", None), getattr(args, "sip_port", None), getattr(args, "rtp_ports", None),
        plain_sip=getattr(args, "plain_sip", None), tls_names=tuple(getattr(args, "tls_name", ())),
        tls_cert=getattr(args, "tls_cert", None), tls_key=getattr(args, "tls_key", None),
        secure_agents=getattr(args, "secure_agents", False),
    )
    if args.command in ("start", "provision", "secrets", "restore"):
        make_private_folders(layout)
    if args.command == "start":
        runner.start(layout)
        if not args.no_desk:
            start_desk(layout, required=False)
    elif args.command == "provision":
        engine = engines.choose(layout)
        print(f"Asterisk is available ({engine.kind}: {engine.binary}).")
    elif args.command == "configure":
        install_config.configure(layout)
    elif args.command == "stop":
        if deskservice.stop(layout):
            print("Desk service stopped.")
        print("Asterisk stopped." if runner.stop(layout) else "Asterisk was not running.")
    elif args.command == "status":
        return status(layout)
    elif args.command == "desk":
        return manage_desk(layout, args.action)
    elif args.command == "cli":
        return run_cli(layout, args.line)
    elif args.command == "call":
        runner.place_demo_call(layout, args.extension, args.number, args.name)
        print(f"Calling {args.extension} as {args.name} <{args.number}>.")
    elif args.command == "callers":
        callers.run(layout, caller_plan(args))
    elif args.command == "secrets":
        manage_secrets(layout, args.generate, args.show)
    elif args.command == "tls-ca":
        show_tls(layout, args.pem)
    elif args.command == "backup":
        print(backup.backup(layout, args.file))
    elif args.command == "restore":
        print(backup.restore(layout, args.file, args.force))
    elif args.command == "enroll":
        enroll.run(layout, args)
    return 0


def show_tls(layout: Layout, pem: bool) -> None:
    """What a desktop's administrator needs to trust this PBX."""
    server = tls.describe(layout.server_cert_file)
    if server is None:
        raise PbxError("there is no certificate yet; it is made at the first start: pbx/run start")
    if tls.is_given(layout):
        if pem:
            raise PbxError("the PBX uses your own certificate; desktops trust it through the system's authorities")
        print(f"The PBX uses your certificate, issued by {server.issuer}: desktops need no pinned authority.")
    else:
        authority = tls.describe(layout.ca_cert_file)
        assert authority is not None
        if pem:
            print(layout.ca_cert_file.read_text(encoding="ascii"), end="")
            return
        print(f"Authority    {layout.ca_cert_file}")
        print(f"  SHA-256    {authority.fingerprint}")
        print(f"  valid to   {authority.not_after:%Y-%m-%d}")
        print("  Desktops: copy the file (pbx/run tls-ca --pem > pbx-ca.pem), compare the fingerprint, and set")
        print("  agentdesk config set tls_ca_file /path/to/pbx-ca.pem  and  agentdesk config set transport tls")
    print(f"Server       {', '.join(server.names)}")
    print(f"  SHA-256    {server.fingerprint}")
    print(f"  valid to   {server.not_after:%Y-%m-%d} ({server.days_left} days)")


def caller_plan(args: argparse.Namespace) -> callers.CallerPlan:
    by_name = {q.name: q for q in queues.read_queues()}
    if args.queue not in by_name:
        raise PbxError(f"no queue {args.queue!r}; pbx/queues.ini has {', '.join(by_name)}")
    return callers.CallerPlan(
        queue=by_name[args.queue], count=args.count, interval=args.interval, patience=args.patience,
        talk=args.talk, abandon_share=args.abandon_share, number=args.number, name=args.name, forever=args.forever,
    )


def status(layout: Layout) -> int:
    pid = runner.running_pid(layout)
    if pid is None:
        print("Asterisk is not running.")
    else:
        runner.print_summary(layout, pid)
    desk_status(layout)
    return EXIT_NOT_RUNNING if pid is None else 0


def manage_desk(layout: Layout, action: str) -> int:
    if action in ("stop", "restart"):
        print("Desk service stopped." if deskservice.stop(layout) else "The desk service was not running.")
    if action in ("start", "restart"):
        if runner.running_pid(layout) is None:
            raise PbxError("Asterisk is not running; start both with: pbx/run start")
        start_desk(layout, required=True)
    if action == "status":
        return desk_status(layout)
    return 0


def start_desk(layout: Layout, required: bool) -> None:
    """Start the desk service next to the running PBX. Without a Python
    that has it, one line says so (an error only when it was asked for)."""
    network = confgen.read_network(layout) or layout.network
    try:
        pid = deskservice.start(layout, network)
    except deskservice.DeskUnavailableError as reason:
        if required:
            raise PbxError(f"cannot start the desk service: {reason}") from None
        print(f"  Desk  not started: {reason}. Later: pbx/run desk start")
        return
    print_desk(layout, network, pid)


def desk_status(layout: Layout) -> int:
    pid = deskservice.running_pid(layout)
    if pid is None:
        print("  Desk  not running (start it: pbx/run desk start)")
        return EXIT_NOT_RUNNING
    print_desk(layout, confgen.read_network(layout) or layout.network, pid)
    return 0


def print_desk(layout: Layout, network: Network, pid: int) -> None:
    address = deskservice.url(network, deskservice.serves_https(layout))
    log = install_files.DESK_LOG if INSTALLED else layout.desk_dir / "desk.log"
    print(f"  Desk  {address}  (desk service, pid {pid}; log {log})")


def run_cli(layout: Layout, line: str) -> int:
    if runner.running_pid(layout) is None:
        raise PbxError("Asterisk is not running; start it with: pbx/run start")
    result = runner.cli(layout, line)
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    return result.returncode


def manage_secrets(layout: Layout, generate: bool, show: bool) -> None:
    users, queue_list, value = runner.load_setup(layout)
    mailboxes = [q.extension for q in queue_list]
    if generate:
        value = directory.add_mailbox_pins(directory.random_secrets(users), mailboxes)
        directory.save_secrets(layout.secrets_file, value)
        print(f"New random secrets for {len(users)} users saved in {layout.secrets_file} (mode 600).")
        running = _apply_if_running(layout, users, value, queue_list)
        # After the running PBX's config was made again with the token it
        # and the desk service share now: both take the new one together.
        service.rotate_service_secrets(layout.service_secrets_file)
        restart = ("systemctl restart agentdesk-asterisk agentdesk-desk" if INSTALLED
                   else "pbx/run stop && pbx/run start")
        when = f"at the next start (now: {restart})" if running else "at the next start"
        print(f"New PBX token and AMI secret for the desk service saved in {layout.service_secrets_file}; "
              f"in use {when}.")
    if show or not generate:
        if value.demo:
            print("# DEMO secrets: replace them with `pbx/run secrets --generate` before real use.")
        sys.stdout.write(directory.secrets_table(users, value, [(q.extension, q.title) for q in queue_list]))


def _apply_if_running(
    layout: Layout, users: list[Person], value: Secrets, queue_list: list[QueueSettings]
) -> bool:
    """Hand the new SIP passwords and PINs to a running PBX; False when none runs."""
    engine = engines.load(layout)
    if runner.running_pid(layout) is None or engine is None:
        return False
    network = confgen.read_network(layout) or layout.network
    current = Layout(layout.home, network, layout.mirror, layout.engine)
    confgen.assemble(current, engine.base, engine.config_root, users, value, queue_list)
    engines.prepare_state(current, engine)
    for command in ("module reload res_pjsip.so", "voicemail reload"):
        runner.cli(current, command)
    print("The running PBX now uses them.")
    return True


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
