"""Two measures that keep the desktop's memory down, taken at start-up.

Fewer malloc arenas. glibc gives threads that allocate at the same time
arenas of their own, up to eight per core, and memory freed in one arena
serves only that arena again. The desktop has a dozen threads that mostly
sleep; two arenas cost them nothing measurable and saved 8 MB resident.

PySide6's scan of every imported module's source, switched off. PySide6
comes with optional `__feature__` switches (snake_case names, true
properties) that AgentDesk does not use. To support them it hooks
every import after its own and reads the imported module's whole source to
see whether it mentions PySide - leaving every line of every module in
Python's line cache. Measured on the desktop: 11 MB of its Python heap
(the largest single part), and time at start-up without byte-code caches.

`skip_source_scan` answers the hook's question without reading: every
module counts as a PySide user with no feature switched on, which is what
the scan concludes for AgentDesk's own modules anyway. The cache filled
before it ran is emptied. Where PySide's internals differ, nothing changes.
"""

from __future__ import annotations

import ctypes
import linecache
import sys
from types import ModuleType

MALLOC_ARENAS = 2
M_ARENA_MAX = -8  # mallopt's parameter (glibc malloc.h)


def _uses_pyside(module: ModuleType) -> bool:
    return True


def skip_source_scan() -> None:
    """Once PySide6 is imported (this imports it: its hook comes with it)."""
    import PySide6.QtCore  # noqa: F401

    try:
        from shibokensupport import feature  # type: ignore[import-not-found]
    except ImportError:
        return
    if callable(getattr(feature, "_mod_uses_pyside", None)):
        feature._mod_uses_pyside = _uses_pyside
    linecache.clearcache()


def limit_malloc_arenas() -> bool:
    """Before threads start; glibc only (elsewhere nothing changes).
    Whether the C library took the setting."""
    if not sys.platform.startswith("linux"):
        return False
    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)
    return mallopt is not None and mallopt(M_ARENA_MAX, MALLOC_ARENAS) == 1


def release_free_memory() -> None:
    """Give the C heap's free pages back to the system (glibc only): once
    start-up is over, most of what the imports and the window's building
    allocated for a moment is free but still resident."""
    if not sys.platform.startswith("linux"):
        return
    malloc_trim = getattr(ctypes.CDLL(None), "malloc_trim", None)
    if malloc_trim is not None:
        malloc_trim(0)
