"""Starting the desktop from the command line: the display check, the Qt
application, logging, the phone, then the window, and SIGINT/SIGTERM
handled inside the Qt loop.

The window's modules (app.py and the UI under it, about half of start-up)
are imported only after the phone has sent its REGISTER (phonestart.py), so
the agent is reachable while the window is still being built. The log
says when the window was first painted.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys

from PySide6.QtCore import QEvent, QObject, QSocketNotifier, QTimer, Signal
from PySide6.QtWidgets import QApplication, QWidget

from agentdesk import __version__

from .autostart import apply_autostart
from .lean import release_free_memory
from .logs import setup_logging
from .phonestart import start_phone
from .settings import Settings, data_dir
from .threadname import name_this_thread
from .ui.common.style import STYLE_SHEET

log = logging.getLogger("agentdesk.desktop")


class SignalWatcher(QObject):
    """SIGINT/SIGTERM handled inside the Qt loop: a Python signal handler
    alone would not run while Qt waits in C, so the signal wakes the loop
    through a socket instead. Made right after the application, before the
    phone and the window: a signal that comes while they are being built
    waits in the socket and is handled once the loop runs, so even an early
    SIGTERM ends with the phone unregistered instead of killing the process."""

    caught = Signal()

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._reader, self._writer = socket.socketpair()
        self._writer.setblocking(False)
        signal.set_wakeup_fd(self._writer.fileno())
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, lambda *_: None)
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._woke)

    def _woke(self) -> None:
        self._reader.recv(64)
        self.caught.emit()


class FirstPaint(QObject):
    """Logs when a widget is first painted (start-up time as the agent sees it)."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            log.info("window painted")
            watched.removeEventFilter(self)
            QTimer.singleShot(0, release_free_memory)  # after this paint, not in the middle of it
        return False


NO_DISPLAY = (
    "agentdesk: there is no graphical session here (DISPLAY and WAYLAND_DISPLAY are unset), and the "
    "desktop needs one. Configure the account without a window with `agentdesk account add`; "
    "for a headless check set QT_QPA_PLATFORM=offscreen."
)


def has_display() -> bool:
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run_desktop(log_level: str, number: str = "") -> int:
    """`number`: for the dial box, from a click-to-dial link (handoff.py)."""
    if not has_display():
        print(NO_DISPLAY, file=sys.stderr)
        return 1
    name_this_thread("agentdesk")  # the GUI thread, and what `ps` shows for the process
    log_path = setup_logging(log_level, data_dir())
    log.info("AgentDesk %s starting; log file %s", __version__, log_path)
    app = QApplication(sys.argv)
    app.setApplicationName("AgentDesk")
    app.setOrganizationName("AgentDesk")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("agentdesk")  # the menu entry: its icon, and on Wayland the window's app id
    app.setStyleSheet(STYLE_SHEET)
    app.setQuitOnLastWindowClosed(False)
    signals = SignalWatcher(app)
    settings = Settings()
    apply_autostart(settings.get("autostart"))
    phone = start_phone(settings)
    from .app import Desktop  # after the REGISTER has gone out: see above
    from .handoff_listener import listen_for_numbers

    desktop = Desktop(app, settings, phone)
    FirstPaint(desktop.window)
    desktop.finished.connect(lambda: app.exit(0))
    signals.caught.connect(desktop.quit)
    desktop.start()
    listen_for_numbers(desktop.window, number, app)
    code = app.exec()
    log.info("AgentDesk stopped with %s", code)
    return code
