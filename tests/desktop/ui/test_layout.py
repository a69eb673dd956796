"""Nothing an agent needs is cut off: the whole main window (as the
composition root builds it) walked through idle, ringing, a call with its
screen-pop, a callback offer, wrap-up and the transfer picker, at a
1280×800 screen, at the size it opens with on such a screen and at its
minimum size; every visible button and input must lie wholly inside its
window and every scroll viewport around it (a pane that has to scroll
sideways counts as cut off).

Run in English, in the shipped Persian translation (right to left), and
in a pseudo-translation with every word about 40 % longer (as Russian runs;
the repository has no Russian yet), left to right and right to left."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import QApplication

from tests.helpers.layout import ENGLISH, LONGER, PERSIAN, RTL, STATES, Language, MainScreen, language, unreachable

SCREEN = QRect(0, 0, 1280, 800)
# What a desktop leaves a window on a 1280×800 screen: a panel and the title bar.
AVAILABLE = QRect(0, 0, 1280, 760)


@pytest.fixture(params=[ENGLISH, LONGER, RTL, PERSIAN], ids=lambda choice: choice.name)
def screen(request: Any, qtbot: Any, tmp_path: Path) -> Iterator[MainScreen]:
    choice: Language = request.param
    with language(choice):
        built = MainScreen.build(tmp_path / "wrapups")
        yield built
        built.stop()  # not qtbot's: closing it first would ask about the live call


def settle() -> None:
    """Let new cards and pickers be laid out: a layout that wraps asks again
    once it knows its width, and the window's minimum follows its panes."""
    for _ in range(5):
        QApplication.processEvents()


def cut_off(screen: MainScreen, qtbot: Any, state: str, size: QSize) -> list[str]:
    """What is cut off in `state` with the window resized to `size` (Qt
    keeps it at least at its minimum size)."""
    window = screen.window
    window.resize(size)
    window.show()
    qtbot.waitExposed(window)
    screen.show_state(state)
    settle()
    window.resize(size)  # again: the state's content may need more, or allow less, than idle's
    settle()
    return check(screen, state)


def check(screen: MainScreen, state: str) -> list[str]:
    window = screen.window
    problems = [f"{shown.objectName() or type(shown).__name__}: {problem}"
                for shown in screen.windows() for problem in unreachable(shown)]
    if problems:
        problems.insert(0, f"at {window.width()}×{window.height()} in {state}:")
    if window.width() > SCREEN.width() or window.height() > SCREEN.height():
        problems.append(f"the window grew to {window.width()}×{window.height()}, larger than the screen")
    return problems


@pytest.mark.parametrize("state", STATES)
def test_every_control_shows_at_1280_by_800_at_the_opening_and_at_the_minimum_size(
        screen: MainScreen, qtbot: Any, state: str) -> None:
    window = screen.window
    opening = window.opening_size(AVAILABLE)
    assert AVAILABLE.width() >= opening.width() and AVAILABLE.height() >= opening.height()
    problems = cut_off(screen, qtbot, state, SCREEN.size())
    window.resize(opening)
    settle()
    problems += check(screen, state)
    window.resize(QSize(1, 1))  # Qt stops it at the least it allows
    settle()
    problems += check(screen, state)
    smallest = window.size()
    assert smallest.width() < SCREEN.width() and smallest.height() < AVAILABLE.height()
    assert not problems, "\n".join(problems)
