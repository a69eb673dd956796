"""`python -m agentdesk.server --config desk-service.json`: run the desk
service until SIGTERM/SIGINT. `pbx/run start` starts it next to the bundled
PBX; on a real server run it under the service manager."""

from __future__ import annotations

import argparse
import asyncio
import logging
import logging.handlers
import os
import signal
import ssl
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from .apps import build_app, build_pbx_app, run_service_with
from .config import ConfigError, DeskConfig, load_config
from .https import TlsSetupError, server_context
from .service import DeskService
from .store import Store, StoreError, open_store

log = logging.getLogger("agentdesk.server")


@dataclass(frozen=True)
class Assembly:
    """The service and its two applications: the desktops' (and the public
    form's) and the PBX-only one."""

    service: DeskService
    desk_app: web.Application
    pbx_app: web.Application


def assemble(config: DeskConfig, store: Store) -> Assembly:
    service = DeskService(config, store)
    desk_app = build_app(service)
    run_service_with(desk_app)
    return Assembly(service, desk_app, build_pbx_app(service))


def main(argv: list[str] | None = None, build: Callable[[DeskConfig, Store], Assembly] = assemble) -> int:
    """Run the service `build` assembles (the tests build their own)."""
    parser = argparse.ArgumentParser(prog="python -m agentdesk.server", description="The AgentDesk desk service.")
    parser.add_argument("--config", required=True, type=Path, help="desk-service.json")
    parser.add_argument("--database", help="override the database URL (sqlite:///PATH or postgresql://...)")
    args = parser.parse_args(argv)
    # Everything the service creates (database, its journal, logs and their
    # rotations, folders) is its own: calls, numbers and notes are in there.
    os.umask(0o077)
    try:
        config = load_config(args.config)
    except ConfigError as error:
        print(f"desk service: {error}", file=sys.stderr)
        return 2
    setup_logging(config)
    try:
        tls = server_context(config.tls) if config.tls is not None else None
    except TlsSetupError as error:
        log.error("cannot serve HTTPS: %s", error)
        print(f"desk service: cannot serve HTTPS: {error}", file=sys.stderr)
        return 2
    try:
        store = open_store(args.database or config.database)
    except StoreError as error:
        log.error("cannot open the database: %s", error)
        print(f"desk service: cannot open the database: {error}", file=sys.stderr)
        return 2
    try:
        asyncio.run(serve(config, build(config, store), tls))
    except ListenError as error:
        log.error("%s", error)
        print(f"desk service: {error}", file=sys.stderr)
        return 1
    finally:
        store.close()
    return 0


class ListenError(Exception):
    """A listener could not be opened; the message says which and why."""


async def serve(config: DeskConfig, parts: Assembly, tls: ssl.SSLContext | None = None) -> None:
    """Two listeners: desktops and the public form on "http" (HTTPS with
    `tls`), the dialplan's questions on "pbx_listener" (loopback only, plain
    HTTP)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    # The desktops' application starts and stops the service with it
    # (apps.run_service_with); the PBX's stops taking questions first.
    runners = [web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=2.0)
               for app in (parts.desk_app, parts.pbx_app)]
    listeners = [(config.http_host, config.http_port, tls), (config.pbx_host, config.pbx_port, None)]
    try:
        for runner in runners:
            await runner.setup()
        for runner, (host, port, context) in zip(runners, listeners, strict=True):
            await _listen(runner, host, port, context)
        log.info("desk service listening on %s://%s:%s (the PBX's questions on http://%s:%s)",
                 "https" if tls else "http", config.http_host, config.http_port, config.pbx_host, config.pbx_port)
        await stop.wait()
    finally:
        log.info("desk service stopping")
        for runner in reversed(runners):
            await runner.cleanup()


async def _listen(runner: web.AppRunner, host: str, port: int, tls: ssl.SSLContext | None) -> None:
    try:
        await web.TCPSite(runner, host, port, reuse_address=True, ssl_context=tls).start()
    except OSError as error:
        raise ListenError(f"cannot listen on {host}:{port}: {error.strerror}") from None


def setup_logging(config: DeskConfig) -> None:
    handlers: list[logging.Handler] = [logging.StreamHandler()]
    if config.log is not None:
        config.log.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.close(os.open(config.log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600))
        handlers.append(logging.handlers.RotatingFileHandler(config.log, maxBytes=5_000_000, backupCount=3))
    logging.basicConfig(level=logging.INFO, handlers=handlers,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


if __name__ == "__main__":
    sys.exit(main())
