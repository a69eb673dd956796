"""A Persian agent's desktop, as shipped: with the setting `language` = fa
the real desktop (registered to the real PBX, signed in to the real desk
service) loads the Persian catalog from resources/translations, lays
itself out right to left and writes dates in the Jalali calendar; the
agent's state from the service reads in Persian."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication

from agentdesk.desktop.ui.common.when import full_text
from tests.helpers.agent import Agent
from tests.helpers.desk import DeskUser
from tests.helpers.pbx import Pbx

pytestmark = pytest.mark.pbx

AGENT = "1012"
PERSIAN = re.compile("[\u0600-\u06ff]")


@pytest.fixture
def persian_agent(make_agent: Callable[..., Agent], pbx: Pbx) -> Iterator[Agent]:
    agent = make_agent(AGENT, language="fa")
    yield agent
    # The language is the application's: English again for the tests after this one.
    agent.desktop.settings.set("language", "")
    agent.desktop.apply_language()
    desk = DeskUser(AGENT)
    desk.leave("support")
    desk.close()


def test_the_desktop_speaks_persian_right_to_left(qtbot: Any, persian_agent: Agent) -> None:
    agent = persian_agent
    assert QApplication.layoutDirection() is Qt.LayoutDirection.RightToLeft
    assert agent.window.isRightToLeft()
    bar = agent.desktop.desk.agent_bar
    qtbot.waitUntil(lambda: "support" in bar.toggles, timeout=10000)
    qtbot.mouseClick(bar.toggles["support"], Qt.MouseButton.LeftButton)
    ready = QCoreApplication.translate("AgentBar", "Ready")
    assert ready != "Ready" and PERSIAN.search(ready)
    qtbot.waitUntil(lambda: bar.activity.text() == ready, timeout=10000)
    assert PERSIAN.search(bar.ready_button.text()) and PERSIAN.search(bar.pause_button.text())
    # Qt's own texts too (qtbase_fa.qm): the standard buttons of the Settings dialog.
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "انصراف"
    # 2026-12-06 is 15 Azar 1405 in the Jalali calendar.
    assert "۱۴۰۵" in full_text(time.mktime((2026, 12, 6, 12, 0, 0, 0, 0, -1)))
