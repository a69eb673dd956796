"""Fixtures shared by the integration tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers.callbackflow import Lead, callbacks_on
from tests.helpers.pbx import Pbx


@pytest.fixture
def lead(pbx: Pbx) -> Iterator[Lead]:
    """A team lead signed in to the desk service, with callbacks switched on
    for the test (a module that needs more of its lead defines its own)."""
    lead = Lead()
    with callbacks_on(lead):
        yield lead
    lead.close()
