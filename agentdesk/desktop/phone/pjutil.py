"""Helpers of the pjsua2 façade that need no pjsua2 themselves: callback
guarding and silencing pjlib's start-up lines on standard output."""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import sys
from collections.abc import Callable, Iterator
from typing import Any

log = logging.getLogger("agentdesk.desktop.phone")


def guarded(method: Callable[..., None]) -> Callable[..., None]:
    """pjsua2 callbacks must never raise: SWIG would hide the error."""

    def wrapper(self: Any, *args: Any) -> None:
        try:
            method(self, *args)
        except Exception:
            log.exception("error in pjsua2 callback %s", method.__name__)

    wrapper.__name__ = method.__name__
    return wrapper


@contextlib.contextmanager
def quiet_stdout() -> Iterator[None]:
    sys.stdout.flush()
    saved, devnull = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    try:
        yield
    finally:
        ctypes.CDLL(None).fflush(None)  # C stdio may still hold pjlib's lines
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)
