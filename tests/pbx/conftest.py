"""Tests of the bundled PBX's own configuration (pbx/): its dialplan asked
by stubs instead of the desk service."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers.callbackstub import CallbacksStub
from tests.helpers.callers import RouteStub, dialplan_global
from tests.helpers.grownpbx import MakeParty, grown_pbx, parties
from tests.helpers.pbx import Pbx


@pytest.fixture
def route(pbx: Pbx) -> Iterator[RouteStub]:
    """The dialplan asks this stub instead of the desk service."""
    stub = RouteStub()
    with dialplan_global(pbx, "DESK_URL", stub.url):
        yield stub
    stub.close()


@pytest.fixture(scope="module")
def without_desk(pbx: Pbx) -> Iterator[None]:
    """The real desk service would act on callers (offers, placeholders)
    and hold AMI: it is stopped for the module and started again afterwards."""
    pbx.run("desk", "stop", timeout=60)
    yield
    pbx.run("desk", "start", timeout=120)


@pytest.fixture
def desk(pbx: Pbx, without_desk: None) -> Iterator[CallbacksStub]:
    """The dialplan asks this stub instead of the desk service about callbacks."""
    stub = CallbacksStub()
    with dialplan_global(pbx, "DESK_URL", stub.url):
        yield stub
    stub.close()


@pytest.fixture(scope="package")
def grown(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pbx]:
    """A second PBX with agent 1021 and queue billing (7003) added to its
    copy of pbx/ (tests/helpers/grownpbx.py)."""
    with grown_pbx(tmp_path_factory.mktemp("grown")) as server:
        yield server


@pytest.fixture
def grown_party(grown: Pbx) -> Iterator[MakeParty]:
    """grown_party(user) -> a SIP party registered on the grown PBX."""
    with parties() as make:
        yield make
