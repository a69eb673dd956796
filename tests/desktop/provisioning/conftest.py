"""Fixtures of the provisioning tests: a stand-in desk service over HTTPS."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.desktop.provisioning.standin import StandInDesk


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[StandInDesk]:
    service = StandInDesk(tmp_path / "desk")
    yield service
    service.close()
