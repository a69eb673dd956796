"""The running desktop's side of click-to-dial (handoff.py): a local
server for `agentdesk dial` of the same user and settings folder, and the
window raised with the number in its focused dial box."""

from __future__ import annotations

import logging
import socket
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QLineEdit, QWidget

from .handoff import ANSWER_SECONDS, MAX_LINE_BYTES, HandoffError, dial_text, socket_path

if TYPE_CHECKING:
    from .ui.phone.main_window import MainWindow

log = logging.getLogger("agentdesk.desktop.handoff")


def show_number(window: QWidget, entry: QLineEdit, text: str) -> None:
    """Raises the window with `text` (if any) in the focused dial box."""
    if text:
        entry.setText(text)
    if window.isMinimized():
        window.showNormal()
    else:
        window.show()
    window.raise_()
    window.activateWindow()
    entry.setFocus(Qt.FocusReason.OtherFocusReason)


class HandoffServer(QObject):
    """Listens for `agentdesk dial` of the same user and settings folder.

    Signals: numberArrived(text): a checked dial-box text ("" only raises
    the window). Invariant: a connection is answered within
    ANSWER_SECONDS or dropped; nothing but a checked number leaves here."""

    numberArrived = Signal(str)

    def __init__(self, path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)

    def listen(self) -> bool:
        """False when another AgentDesk of this profile listens already."""
        if _someone_listens(self.path):
            log.info("another AgentDesk of this profile is running: links go to it")
            return False
        QLocalServer.removeServer(str(self.path))  # a socket file left by a crash
        if not self._server.listen(str(self.path)):
            log.warning("click-to-dial is off: cannot listen at %s (%s)", self.path, self._server.errorString())
            return False
        return True

    def close(self) -> None:
        self._server.close()

    def _accept(self) -> None:
        while (connection := self._server.nextPendingConnection()) is not None:
            connection.readyRead.connect(lambda c=connection: self._read(c))
            connection.disconnected.connect(connection.deleteLater)
            QTimer.singleShot(int(ANSWER_SECONDS * 1000), connection, connection.abort)

    def _read(self, connection: QLocalSocket) -> None:
        if not connection.canReadLine():
            if connection.bytesAvailable() > MAX_LINE_BYTES:
                connection.abort()
            return
        line = bytes(connection.readLine(MAX_LINE_BYTES).data()).decode("utf-8", "replace").strip()
        try:
            text = dial_text(line)
        except HandoffError as error:
            log.warning("refused a number handed over: %s", error)
            connection.write(f"error: {error}\n".encode())
        else:
            connection.write(b"ok\n")
            log.info("a number was handed over for the dial box (agentdesk dial)")
            self.numberArrived.emit(text)
        connection.disconnectFromServer()




def _someone_listens(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        try:
            probe.connect(str(path))
        except OSError:
            return False
    return True


def listen_for_numbers(window: MainWindow, number: str, app: QCoreApplication) -> HandoffServer | None:
    """Shows `number` (the one AgentDesk was started with, if any), then
    every number handed over until the application quits."""
    if number:
        show_number(window, window.dialer.entry, number)
    try:
        path = socket_path()
    except HandoffError as error:
        log.warning("click-to-dial is off: %s", error)
        return None
    server = HandoffServer(path, app)
    server.numberArrived.connect(lambda text: show_number(window, window.dialer.entry, text))
    app.aboutToQuit.connect(server.close)
    server.listen()
    return server
