"""The real desk service without Asterisk, for the fast tier: its
configuration as pbx/run writes it (the repository's directory, demo
secrets, a SQLite file in a test folder), AMI pointed at a port nobody
listens on and never started, and both HTTP applications (desktops' and
the PBX-only one) behind aiohttp's test servers."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import queue
import threading
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from agentdesk.contract.signin import signin_key, signin_proof
from agentdesk.server.ami.protocol import AmiMessage
from agentdesk.server.apps import build_app, build_pbx_app
from agentdesk.server.config import DeskConfig, load_config
from agentdesk.server.directory import read_directory
from agentdesk.server.service import DeskService
from agentdesk.server.store import open_store

T = TypeVar("T")
Client = TestClient[web.Request, web.Application]
REPO = Path(__file__).resolve().parents[2]
TOKEN = "offline-pbx-token-0123456789"
CLOSED_PORT = 9  # discard: nothing answers AMI here


def write_config(folder: Path, **settings: Any) -> Path:
    """desk-service.json in `folder` (with demo secrets beside it); `settings`
    replace top-level keys."""
    people = read_directory(REPO / "pbx" / "directory.csv")
    secrets = {"demo": True, "sip": {p.extension: f"demo-{p.extension}" for p in people}, "voicemail_pin": {}}
    (folder / "secrets.json").write_text(json.dumps(secrets), encoding="utf-8")
    config: dict[str, Any] = {
        "ami": {"host": "127.0.0.1", "port": CLOSED_PORT, "username": "desk", "secret": "not-used"},
        "http": {"host": "127.0.0.1", "port": 18480},
        "pbx_token": TOKEN,
        "directory": str(REPO / "pbx" / "directory.csv"),
        "secrets": str(folder / "secrets.json"),
        "database": f"sqlite:///{folder / 'desk.sqlite3'}",
        **settings,
    }
    path = folder / "desk-service.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    return path


def directory_where_1001_joins(folder: Path, queues: str) -> Path:
    """The repository's directory with agent 1001's queues (the 4th column) replaced."""
    lines = []
    for line in (REPO / "pbx" / "directory.csv").read_text(encoding="utf-8").splitlines():
        lines.append(f"1001,Sara Karimi,agent,{queues}" if line.startswith("1001,") else line)
    path = folder / "directory.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def touch(path: Path) -> None:
    """A later modification time than the last one, however coarse the file system's clock."""
    stamp = path.stat().st_mtime + 2
    os.utime(path, (stamp, stamp))


class OfflineDesk:
    """`desk` (the service's app) and `pbx` (the PBX-only app) clients."""

    def __init__(self, service: DeskService, desk: Client, pbx: Client) -> None:
        self.service = service
        self.desk = desk
        self.pbx = pbx

    def load_queues(self, *names: str) -> None:
        """The queues Asterisk would report (no members, no callers)."""
        self.service.board.load_status(
            [AmiMessage((("Event", "QueueParams"), ("Queue", name), ("Strategy", "rrmemory"))) for name in names])

    async def sign_in(self, agent: str, secret: str = "") -> dict[str, str]:
        """Authorization headers of a fresh session of `agent` (a desktop's
        sign-in: the challenge answered with the demo secret)."""
        async with self.desk.post("/api/v1/session", json=await self.answer(agent, secret)) as reply:
            assert reply.status == 200, await reply.text()
            return {"Authorization": f"Bearer {(await reply.json())['token']}"}

    async def answer(self, agent: str, secret: str = "", nonce: str = "") -> dict[str, str]:
        """A sign-in body: the answer to a fresh challenge (or to `nonce`)
        with `secret` (the demo secret of `agent` unless given)."""
        if not nonce:
            async with self.desk.post("/api/v1/session/challenge", json={"agent": agent}) as reply:
                assert reply.status == 200, await reply.text()
                nonce = (await reply.json())["nonce"]
        proof = signin_proof(signin_key(secret or f"demo-{agent}"), nonce, agent)
        return {"agent": agent, "nonce": nonce, "proof": proof}

    @property
    def url(self) -> str:
        """The desktops' address of the service."""
        return str(self.desk.make_url("/"))


def run_offline(folder: Path, scenario: Callable[[OfflineDesk], Awaitable[T]], **settings: Any) -> T:
    config = load_config(write_config(folder, **settings))
    return asyncio.run(asyncio.wait_for(_main(config, scenario), 30))


async def _main(config: DeskConfig, scenario: Callable[[OfflineDesk], Awaitable[T]]) -> T:
    store = open_store(config.database)
    service = DeskService(config, store)
    try:
        async with TestClient(TestServer(build_app(service))) as desk, \
                TestClient(TestServer(build_pbx_app(service))) as pbx:
            return await scenario(OfflineDesk(service, desk, pbx))
    finally:
        await service.stop()
        store.close()


@contextlib.contextmanager
def serving_offline(folder: Path, queues: tuple[str, ...], **settings: Any) -> Iterator[OfflineDesk]:
    """The offline service on a thread of its own, with `queues` loaded and
    following the directory as a started service does, for a test whose
    desktop connects to it over HTTP (`.url`). The test's thread must leave
    the service's objects alone: they belong to that thread's loop."""
    started: queue.Queue[OfflineDesk | BaseException] = queue.Queue()
    stop = threading.Event()

    async def serve(desk: OfflineDesk) -> None:
        desk.load_queues(*queues)
        desk.service.spawn(desk.service.follow_directory())
        started.put(desk)
        await asyncio.to_thread(stop.wait)

    def run() -> None:
        try:
            run_offline(folder, serve, **settings)
        except BaseException as error:  # handed to the test's thread
            started.put(error)

    thread = threading.Thread(target=run, name="offline-desk", daemon=True)
    thread.start()
    desk = started.get(timeout=10)
    if isinstance(desk, BaseException):
        raise desk
    try:
        yield desk
    finally:
        stop.set()
        thread.join(10)
