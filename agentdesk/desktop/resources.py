"""Where the shipped resources (icons, sounds, translations) are: the
top-level resources/ folder in a source checkout, agentdesk/desktop/_resources in an
installed wheel."""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def resource_dir() -> Path:
    package = Path(__file__).resolve().parent
    for candidate in (package / "_resources", package.parents[1] / "resources"):
        if (candidate / "icons").is_dir():
            return candidate
    raise FileNotFoundError("AgentDesk's resources folder is missing from this installation")


def resource(*parts: str) -> Path:
    return resource_dir().joinpath(*parts)
