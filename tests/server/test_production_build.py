"""A production start of the desk service has no test-only behaviour: no
/api/v1/test/* route, its clock is the real one and callbacks and wrap-up
are on (and so is the pause after missed offers), whatever the environment or desk-service.json says; only the tests'
own build (tests/helpers/testdesk.py) has them."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from agentdesk.server.__main__ import assemble
from agentdesk.server.config import load_config
from agentdesk.server.store import open_store
from tests.helpers.offline import OfflineDesk, run_offline, write_config
from tests.helpers.testdesk import assemble_for_tests

TEST_ROUTES = [("/api/v1/test/clock", {"advance_seconds": 3600}), ("/api/v1/test/callbacks", {"enabled": True}),
               ("/api/v1/test/wrapup", {"enabled": True}), ("/api/v1/test/missed-offers", {"pause_after": 0})]


def test_the_production_app_has_no_test_route_even_when_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTDESK_DESK_TEST_CLOCK", "1")  # what switched test behaviour on before

    async def scenario(desk: OfflineDesk) -> list[int]:
        lead = await desk.sign_in("1901")
        statuses = []
        for path, body in TEST_ROUTES:
            async with desk.desk.put(path, json=body, headers=lead) as reply:
                statuses.append(reply.status)
        assert desk.service.callbacks.switched_on and desk.service.wrapups.switched_on
        assert abs(desk.service.clock() - time.time()) < 5
        assert desk.service.not_responding.override is None  # the configured count holds
        return statuses

    assert run_offline(tmp_path, scenario, test_clock=True) == [404, 404, 404, 404]


def test_the_assemblies_differ_only_by_the_test_parts(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path))
    with open_store(config.database) as store:
        production, tests = assemble(config, store), assemble_for_tests(config, store)
        paths = {r.resource.canonical for r in production.desk_app.router.routes() if r.resource is not None}
        test_paths = {r.resource.canonical for r in tests.desk_app.router.routes() if r.resource is not None}
        assert test_paths - paths == {path for path, _ in TEST_ROUTES}
        assert not any(path.startswith("/api/v1/test") for path in paths)
        assert production.service.callbacks.switched_on and not tests.service.callbacks.switched_on
        assert production.service.wrapups.switched_on and not tests.service.wrapups.switched_on
        assert production.service.not_responding.override is None and tests.service.not_responding.override == 0
        for built in (production, tests):
            asyncio.run(built.service.stop())  # lets go of its store thread
