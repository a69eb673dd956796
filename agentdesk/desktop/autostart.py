"""Starting AgentDesk when the agent logs in, per user: the setting
`autostart` writes ~/.config/autostart/agentdesk.desktop (the XDG
autostart folder that GNOME, KDE and Xfce read) or removes it.

The desktop applies the setting each time it starts, so an administrator
can provision it (or `agentdesk config set autostart true`) and it takes
effect from the next start. An entry there that AgentDesk did not write
(no AUTOSTART_MARK) is the user's or IT's own and is never removed.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from pathlib import Path

log = logging.getLogger("agentdesk.desktop")
AUTOSTART_MARK = "X-AgentDesk-Autostart=true"
RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


def autostart_file() -> Path:
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "autostart" / "agentdesk.desktop"


def start_command() -> str:
    """The installed `agentdesk`, or this Python running the desktop module
    (a checkout), as a desktop entry's Exec line wants it; `dial` raises an
    AgentDesk already running instead of starting a second one."""
    installed = shutil.which("agentdesk")
    words = [installed] if installed else [sys.executable, "-m", "agentdesk.desktop"]
    return " ".join(map(_exec_word, [*words, "dial"]))


def _exec_word(word: str) -> str:
    """Quoted as the desktop entry specification asks for reserved characters."""
    if not any(ch in RESERVED for ch in word):
        return word
    return '"' + "".join("\\" + ch if ch in '"`$\\' else ch for ch in word) + '"'


def entry_text() -> str:
    return ("[Desktop Entry]\nType=Application\nName=AgentDesk\nComment=Contact-center softphone\n"
            f"Exec={start_command()}\nIcon=agentdesk\nTerminal=false\nX-GNOME-Autostart-enabled=true\n"
            f"{AUTOSTART_MARK}\n")


def apply_autostart(enabled: bool) -> None:
    """Writes or removes the entry; a failure is logged, never raised (it
    must not keep the desktop from starting)."""
    path = autostart_file()
    try:
        if enabled:
            text = entry_text()
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
                log.info("AgentDesk starts at login from now on (%s)", path)
        elif path.exists() and AUTOSTART_MARK in path.read_text(encoding="utf-8", errors="replace"):
            path.unlink()
            log.info("AgentDesk no longer starts at login (removed %s)", path)
    except OSError as error:
        log.warning("could not change starting at login (%s): %s", path, error)
