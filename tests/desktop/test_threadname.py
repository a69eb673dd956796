"""The desktop's threads carry their names to the system (top -H, /proc)."""

from __future__ import annotations

import threading
from pathlib import Path

from agentdesk.desktop.threadname import name_this_thread


def test_a_named_thread_shows_its_name_to_the_system() -> None:
    seen: list[str] = []

    def work() -> None:
        name_this_thread("ad-a-rather-long-name")
        seen.append(Path(f"/proc/self/task/{threading.get_native_id()}/comm").read_text().strip())

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert seen == ["ad-a-rather-lon"]  # the kernel keeps 15 bytes
