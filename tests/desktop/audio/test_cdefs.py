"""The audio path's C declarations are parsed ahead of time: the committed
_native_ffi.py must be what cffi writes for cdefs.DECLARATIONS today
(after a change: python -m agentdesk.desktop.audio.cdefs)."""

from __future__ import annotations

import re

from agentdesk.desktop.audio import cdefs
from agentdesk.desktop.audio.native import ffi

VERSION = re.compile(r"^\s*_version = 0x[0-9A-Fa-f]+,$", re.MULTILINE)  # the cffi release that wrote it


def test_the_parsed_declarations_are_up_to_date() -> None:
    committed = cdefs.GENERATED.read_text(encoding="utf-8")
    assert VERSION.sub("", committed) == VERSION.sub("", cdefs.generated_source()), (
        "cdefs.py changed: run python -m agentdesk.desktop.audio.cdefs")


def test_the_declarations_lay_out_pjmedia_s_frame_as_pjmedia_does() -> None:
    # pjmedia_frame as pjmedia lays it out on 64-bit: type, buf, size, timestamp, bit_info
    assert ffi.sizeof("pjmedia_frame") == 40 and ffi.offsetof("pjmedia_frame", "timestamp") == 24
