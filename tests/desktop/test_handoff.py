"""Click-to-dial from a browser: `agentdesk dial tel:…` puts the number in
the running desktop's dial box for the agent to confirm; links that are no
number are refused with a sentence; only the same user can hand one over."""

from __future__ import annotations

import os
import shutil
import socket
import stat
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from agentdesk.desktop.cli import main
from agentdesk.desktop.handoff import HandoffError, dial_command, dial_text, hand_over, socket_path
from agentdesk.desktop.handoff_listener import HandoffServer, show_number
from agentdesk.desktop.ui.phone.main_window import MainWindow
from tests.helpers.fakes import FakeEngine


@pytest.mark.parametrize(("link", "dial_box"), [
    ("tel:+1-201-555-0123", "+12015550123"),
    ("tel:%2B98%20912%20111%200001", "+989121110001"),  # as a browser hands it over
    ("tel://1002", "1002"),
    ("tel:7001;phone-context=example.com", "7001"),
    ("sip:1002@pbx.example.com", "sip:1002@pbx.example.com"),
    ("sips:1020@pbx.example.com:5061", "sips:1020@pbx.example.com:5061"),
    ("0912 111 0001", "09121110001"),
    ("", ""),
])
def test_links_become_what_the_dial_box_shows(link: str, dial_box: str) -> None:
    assert dial_text(link) == dial_box


@pytest.mark.parametrize(("link", "says"), [
    ("javascript:alert(1)", "AgentDesk dials tel:, sip: and sips: links"),
    ("https://crm.example.com/call?n=1002", "AgentDesk dials tel:, sip: and sips: links"),
    ("tel:call-me-maybe", "is not a phone number"),
    ("sip:1002@pbx.example.com?Replaces=abc%3Bto-tag%3D1", "does not dial SIP links with headers"),
    ("tel:" + "1" * 300, "too long"),
    ("tel:1002%0Asip:evil", "is not a phone number"),
])
def test_garbage_gets_a_clear_sentence(link: str, says: str) -> None:
    with pytest.raises(HandoffError, match=says):
        dial_text(link)


@pytest.fixture
def runtime_dir(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private folder with a short path (a socket's path has 107 bytes at most)."""
    folder = Path(tempfile.mkdtemp(prefix="ad-"))  # mode 700
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(folder))
    yield folder
    shutil.rmtree(folder)


@pytest.fixture
def server(qtbot: Any, runtime_dir: Path) -> Iterator[HandoffServer]:
    listening = HandoffServer(socket_path())
    assert listening.listen()
    yield listening
    listening.close()


def hand_over_in_thread(qtbot: Any, text: str, path: Path) -> list[object]:
    """hand_over blocks for the answer, which the server (on this thread's
    Qt loop) gives: run it beside the loop."""
    outcome: list[object] = []

    def work() -> None:
        try:
            outcome.append(hand_over(text, path))
        except HandoffError as error:
            outcome.append(error)

    worker = threading.Thread(target=work)
    worker.start()
    qtbot.waitUntil(lambda: bool(outcome), timeout=5000)
    worker.join()
    return outcome


def test_a_number_reaches_the_running_desktop(qtbot: Any, server: HandoffServer) -> None:
    with qtbot.waitSignal(server.numberArrived, timeout=5000) as arrived:
        outcome = hand_over_in_thread(qtbot, "+12015550123", server.path)
    assert outcome == [True]
    assert arrived.args == ["+12015550123"]


def test_a_line_that_is_no_number_is_refused_by_the_desktop_too(qtbot: Any, server: HandoffServer) -> None:
    with qtbot.assertNotEmitted(server.numberArrived, wait=300):
        outcome = hand_over_in_thread(qtbot, "javascript:alert(1)", server.path)
    assert isinstance(outcome[0], HandoffError)
    assert "AgentDesk dials tel:, sip: and sips: links" in str(outcome[0])


def test_only_the_user_can_reach_the_socket(server: HandoffServer, runtime_dir: Path) -> None:
    assert stat.S_IMODE(runtime_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(server.path.stat().st_mode) & 0o077 == 0


def test_a_folder_others_may_enter_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(shared))  # not private: the temporary folder is tried
    monkeypatch.setattr(tempfile, "tempdir", str(shared))
    (shared / f"agentdesk-{os.getuid()}").mkdir(mode=0o755)  # someone made it first
    with pytest.raises(HandoffError, match="is not a private folder"):
        socket_path()


def test_a_second_desktop_leaves_the_links_to_the_first(qtbot: Any, server: HandoffServer) -> None:
    second = HandoffServer(server.path)
    assert not second.listen()
    with qtbot.waitSignal(server.numberArrived, timeout=5000):
        assert hand_over_in_thread(qtbot, "1002", server.path) == [True]


def test_a_socket_left_by_a_crash_is_taken_over(qtbot: Any, runtime_dir: Path) -> None:
    path = socket_path()
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(path))
    stale.close()  # the file stays, nobody listens
    assert hand_over("1002", path) is False
    server = HandoffServer(path)
    try:
        assert server.listen()
    finally:
        server.close()


def test_without_a_running_desktop_it_starts_with_the_number(runtime_dir: Path) -> None:
    started: list[str] = []

    def start(number: str) -> int:
        started.append(number)
        return 0

    assert dial_command("tel:+12015550123", start) == 0
    assert started == ["+12015550123"]


def test_garbage_on_the_command_line_is_a_message_not_a_start(
        runtime_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dial", "javascript:alert(1)"]) == 2
    assert "agentdesk: AgentDesk dials tel:, sip: and sips: links" in capsys.readouterr().err


def test_the_window_comes_up_with_the_number_focused_and_enter_dials(qtbot: Any) -> None:
    engine = FakeEngine()
    window = MainWindow(engine)
    qtbot.addWidget(window)
    try:
        window.show()
        window.showMinimized()
        show_number(window, window.dialer.entry, "+12015550123")
        assert window.isVisible() and not window.isMinimized()
        assert window.dialer.entry.text() == "+12015550123"
        qtbot.waitUntil(window.dialer.entry.hasFocus, timeout=2000)
        assert engine.dialled == []  # nothing is called before the agent confirms
        qtbot.keyClick(window.dialer.entry, Qt.Key.Key_Return)
        assert engine.dialled == ["+12015550123"]
    finally:
        window.incoming.close()
