"""The team lead's monitor window (Board tab) and the full-screen wallboard
on a realistic floor (tests/helpers/floor.py), in English.

`python -m tests.helpers.monitor_screens FOLDER` saves monitor-board-en.png
and wallboard-en.png there (docs/screenshots holds the published ones)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication

from agentdesk.contract.leads import SESSION_LIVE, WHISPER, Supervision
from agentdesk.desktop.ui.monitor.controller import MonitorDesk
from agentdesk.desktop.ui.monitor.wallboard import WallboardWindow
from tests.helpers.floor import floor, quiet_monitor_link
from tests.helpers.layout import ENGLISH, language, save_screenshot


def _settle() -> None:
    for _ in range(5):
        QApplication.processEvents()


def save_screenshots(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    now = time.time()
    with language(ENGLISH):
        link = quiet_monitor_link()
        desk = MonitorDesk(link, lambda _text: None)
        link.floor.emit(floor(now))
        link.supervision.emit(Supervision("4f2a9c1e", "1901", "Parisa Rahimi", "1001", "Nina Karimi",
                                          "170001001.1", WHISPER, SESSION_LIVE, now - 40))
        desk.window.resize(1280, 800)
        desk.window.show()
        _settle()
        saved = [save_screenshot(desk.window.grab(), folder / "monitor-board-en.png")]
        wallboard = WallboardWindow(desk.queues, desk.staleness)
        wallboard.resize(1920, 1080)
        wallboard.show()
        _settle()
        saved.append(save_screenshot(wallboard.grab(), folder / "wallboard-en.png"))
        link.link_changed.emit("Cannot reach the desk service")
        _settle()
        saved.append(save_screenshot(wallboard.grab(), folder / "wallboard-stale-en.png"))
        wallboard.close()
        desk.window.close()
        link.stop()
    return saved


def main(argv: list[str]) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication(argv[:1])
    for path in save_screenshots(Path(argv[1])):
        print(path)
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
