"""Operating-system names for the desktop's own threads.

Python names its threads only for itself; the system sees every one as
the process ("python3"). Named, they can be told apart in `top -H`, in
/proc/<pid>/task/*/comm and by the benchmarks that count each thread's CPU
time and wake-ups. Linux only (prctl); elsewhere this does nothing.
"""

from __future__ import annotations

import ctypes
import sys

_PR_SET_NAME = 15
_MAX = 15  # the kernel keeps 15 bytes of a thread's name


def name_this_thread(name: str) -> None:
    """Call first thing on the thread to be named."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_NAME, name.encode("ascii", "replace")[:_MAX], 0, 0, 0)
    except (OSError, AttributeError):  # no libc prctl: the name is only a convenience
        pass
