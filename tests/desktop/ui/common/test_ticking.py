"""A running time on screen repaints its own label only: a new text each
second must not make the window lay itself out again (that was the idle
window's whole cost)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from agentdesk.desktop.ui.common.text import format_duration
from agentdesk.desktop.ui.common.ticking import ClockLabel


class LayoutRequests(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            self.count += 1
        return False


def ticking(qtbot: Any, label: QLabel, window: QWidget) -> int:
    """How often `window` was asked to lay out again while `label` in it showed 60 running times."""
    qtbot.addWidget(window)
    row = QHBoxLayout(window)
    row.addWidget(label)
    row.addWidget(QLabel("Ready"))
    label.setStyleSheet("font-size: 14pt; padding: 2px 6px;")
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(20)  # what showing it asked for is done
    requests = LayoutRequests()
    window.installEventFilter(requests)
    for second in range(3590, 3650):  # 59:50 ... 1:00:49: the text grows a digit on the way
        label.setText(format_duration(second))
        qtbot.wait(1)
    return requests.count


def test_a_clock_label_ticks_without_laying_out_the_window(qtbot: Any) -> None:
    clock, window = ClockLabel("Clock"), QWidget()
    assert ticking(qtbot, clock, window) == 0
    assert clock.width() >= clock.fontMetrics().horizontalAdvance("1:00:49")  # the longest text fits


def test_a_plain_label_would_lay_it_out(qtbot: Any) -> None:
    assert ticking(qtbot, QLabel(), QWidget()) > 0  # what the clock label saves
