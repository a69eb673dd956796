"""The start-up measures that keep the desktop's memory down (desktop/lean.py)."""

from __future__ import annotations

import importlib
import linecache
import sys
from pathlib import Path
from typing import Any

import PySide6.QtCore  # noqa: F401 - PySide6's import hook is what is measured here
from shibokensupport import feature  # type: ignore[import-not-found]

from agentdesk.desktop.lean import limit_malloc_arenas, release_free_memory, skip_source_scan


def import_fresh(folder: Path, name: str) -> str:
    path = folder / f"{name}.py"
    path.write_text("VALUE = 1\n" * 50, encoding="utf-8")
    importlib.invalidate_caches()
    __import__(name)  # an import statement's way in, where PySide6's hook sits (import_module bypasses it)
    return str(path)


def test_pyside_keeps_the_source_of_imported_modules_until_the_scan_is_skipped(
        tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(feature, "_mod_uses_pyside", feature._mod_uses_pyside)  # restored afterwards
    try:
        scanned = import_fresh(tmp_path, "lean_probe_before")
        assert scanned in linecache.cache  # PySide read it all (the cost skip_source_scan removes)
        skip_source_scan()
        assert not linecache.cache  # what was read is let go
        skipped = import_fresh(tmp_path, "lean_probe_after")
        assert skipped not in linecache.cache
        assert sys.modules["lean_probe_after"].VALUE == 1
    finally:
        for name in ("lean_probe_before", "lean_probe_after"):
            sys.modules.pop(name, None)


def test_glibc_takes_the_arena_limit_and_the_heap_can_be_trimmed_at_any_time() -> None:
    assert limit_malloc_arenas() is sys.platform.startswith("linux")  # glibc here; elsewhere nothing is set
    assert limit_malloc_arenas() is sys.platform.startswith("linux")  # and again: it is a setting, not a step
    release_free_memory()
