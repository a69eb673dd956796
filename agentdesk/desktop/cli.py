"""`agentdesk`: start the desktop, or configure it without a window.

    agentdesk                                    start the softphone
    agentdesk account add --server HOST[:PORT] --user 1001 --password-stdin
    agentdesk account show | remove
    agentdesk config list | get KEY | set KEY VALUE | reset KEY
    agentdesk provision LINK | -                 set up from a one-time link (-: read it from standard input)
    agentdesk provision --refresh                re-read what your administrator set
    agentdesk crm-token set --stdin | remove   the CRM's auth header value (keyring)
    agentdesk dial [LINK]                        a tel:/sip: link's number into the running desktop's dial box

The password is read from standard input (never from the command line,
where other users can see it) and stored only in the OS keyring. A set-up
link's code is good for one use only, spent within a second of the command
starting; an installer that would rather not show it can pass `-` and the
link on standard input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from urllib.parse import urlsplit

from . import credentials
from .audio.devices import preload_portaudio
from .lean import limit_malloc_arenas, skip_source_scan
from .provisioning.link import ProvisioningError
from .settings import (
    BY_KEY,
    SETTINGS,
    Origin,
    SettingError,
    Settings,
)

ORIGIN_MARKS = {Origin.LOCKED: "  (set by your administrator, locked)",
                Origin.PROVISIONED: "  (set by your administrator)"}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="agentdesk", description="AgentDesk agent softphone.")
    parser.add_argument("--version", action="store_true",
                        help="show the version, and those of pjproject, its TLS library, Qt and PortAudio")
    parser.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING (default INFO)")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="start the softphone (the default)")
    commands.add_parser("dial", help="put a tel:, sip: or sips: link's number in the running desktop's dial box, "
                        "or start it with it (click-to-dial)").add_argument("link", nargs="?", default="")

    account = commands.add_parser("account", help="the SIP account").add_subparsers(dest="action", required=True)
    add = account.add_parser("add", help="set the account and store its password in the keyring")
    add.add_argument("--server", required=True, help="PBX as host or host:port")
    add.add_argument("--user", required=True, help="extension, e.g. 1001")
    add.add_argument("--transport", choices=("udp", "tcp", "tls"),
                     help="udp (the default), or tls: SIP over TLS with encrypted audio (SRTP), for a PBX "
                          "across the internet")
    add.add_argument("--ca-file", help="the PBX's certificate authority to pin (PEM; `pbx/run tls-ca --pem`)")
    add.add_argument("--display-name")
    add.add_argument("--password-stdin", action="store_true", required=True,
                     help="read the password from standard input")
    account.add_parser("show", help="show the account (never the password)")
    account.add_parser("remove", help="forget the account and delete its password")

    config = commands.add_parser("config", help="settings").add_subparsers(dest="action", required=True)
    config.add_parser("list", help="every setting with its value")
    config.add_parser("get").add_argument("key")
    set_ = config.add_parser("set")
    set_.add_argument("key")
    set_.add_argument("value")
    config.add_parser("reset").add_argument("key")

    provision = commands.add_parser("provision", help="set this desktop up from a one-time link from your "
                                                      "administrator, or re-read what they set")
    provision.add_argument("link", nargs="?", help="the link, in quotes (it holds a #); - reads it from standard input")
    provision.add_argument("--refresh", action="store_true",
                           help="re-read the settings your administrator set, now (the desktop does at start)")

    crm = commands.add_parser("crm-token", help="the value of the CRM look-up's auth header (crm_auth_header)")
    crm_actions = crm.add_subparsers(dest="action", required=True)
    crm_actions.add_parser("set", help="read the value from standard input into the keyring").add_argument(
        "--stdin", action="store_true", required=True)
    crm_actions.add_parser("remove", help="delete it from the keyring")
    return parser


def account_command(args: argparse.Namespace, settings: Settings) -> int:
    if args.action == "add":
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise SettingError("no password on standard input")
        choices = [("server", args.server), ("user", args.user)]
        # Left out, these keep what an administrator locked rather than refusing it.
        for key, given, default in (("transport", args.transport, "udp"), ("display_name", args.display_name, "")):
            if given is not None or not settings.is_locked(key):
                choices.append((key, default if given is None else given))
        if args.ca_file:
            choices.append(("tls_ca_file", str(Path(args.ca_file).expanduser().resolve())))
        for key, value in choices:
            settings.set(key, value)
        credentials.save_password(args.user, args.server, password)
        settings.save()
        print(f"Account {args.user} on {args.server} saved; its password is in the keyring "
              f"({credentials.backend_name()}).")
    elif args.action == "show":
        user, server = settings.get("user"), settings.get("server")
        if not user or not server:
            print("No account is set up.")
            return 1
        stored = credentials.load_password(user, server) is not None
        print(f"user {user}\nserver {server}\ntransport {settings.get('transport')}")
        print(f"password {'stored in the keyring' if stored else 'MISSING'}")
    elif args.action == "remove":
        user, server = settings.get("user"), settings.get("server")
        if user and server:
            credentials.delete_password(user, server)
        settings.reset("user")
        settings.reset("server")
        settings.save()
        print("Account removed.")
    return 0


def config_command(args: argparse.Namespace, settings: Settings) -> int:
    if args.action == "list":
        for setting in SETTINGS:
            mark = ORIGIN_MARKS.get(settings.origin(setting.key), "")
            print(f"{setting.key} = {settings.get(setting.key)!r}{mark}")
    elif args.action == "get":
        print(settings.get(args.key))
    elif args.action == "set":
        declared = BY_KEY.get(args.key)
        if declared is None:
            raise SettingError(f"there is no setting {args.key!r}; known: {', '.join(BY_KEY)}")
        settings.set(args.key, declared.parse(args.value))
        settings.save()
    elif args.action == "reset":
        settings.get(args.key)  # unknown keys are an error
        settings.reset(args.key)
        settings.save()
    return 0


def provision_command(args: argparse.Namespace, settings: Settings) -> int:
    # Imported here: `agentdesk config` and start-up need no HTTP library.
    from .provisioning.enroll import describe, enroll, provisioned_lines
    from .provisioning.refresh import refresh_now

    if args.refresh == bool(args.link):
        raise SettingError("give either a set-up link or --refresh")
    if args.refresh:
        changed = refresh_now(settings)
        print(f"Re-read from {settings.get('desk_url')}; changed: {', '.join(sorted(changed)) or 'nothing'}.")
        print("\n".join(provisioned_lines(settings)))
        return 0
    link = sys.stdin.readline() if args.link == "-" else args.link
    print("\n".join(describe(enroll(link, settings), settings)))
    return 0


def crm_token_command(args: argparse.Namespace, settings: Settings) -> int:
    host = urlsplit(settings.get("crm_lookup_url")).hostname
    if not host:
        raise SettingError("set crm_lookup_url first: the token is kept per CRM host")
    if args.action == "set":
        token = sys.stdin.readline().rstrip("\r\n")
        if not token:
            raise SettingError("no token on standard input")
        credentials.save_crm_token(host, token)
        print(f"CRM token for {host} saved in the keyring ({credentials.backend_name()}).")
    else:
        credentials.delete_crm_token(host)
        print(f"CRM token for {host} removed.")
    return 0


def start_desktop(log_level: str, number: str = "") -> int:
    limit_malloc_arenas()
    skip_source_scan()
    preload_portaudio()
    from .launch import run_desktop

    return run_desktop(log_level, number)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.version:
        from .versions import version_report

        print(version_report())
        return 0
    if args.command == "dial":
        from .handoff import dial_command

        return dial_command(args.link, lambda number: start_desktop(args.log_level, number))
    if args.command in (None, "run"):
        return start_desktop(args.log_level)
    settings = Settings()
    try:
        if args.command == "account":
            return account_command(args, settings)
        if args.command == "crm-token":
            return crm_token_command(args, settings)
        if args.command == "provision":
            return provision_command(args, settings)
        return config_command(args, settings)
    except (SettingError, credentials.CredentialStoreError, ProvisioningError) as error:
        print(f"agentdesk: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
