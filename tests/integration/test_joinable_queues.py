"""An agent's desktop offers to join only the queues the directory lets them
join: the real desk service (without Asterisk: tests/helpers/offline.py)
and a real desktop's queue side (link, agent bar, queue panel) talking to it
over HTTP. Every queue stays in view; only the joinable ones get a toggle
and a Ctrl+digit, a change to the directory shows at once, and a refusal
from the service is shown as it was said."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from agentdesk.desktop.crm.lookup import CrmLookup
from agentdesk.desktop.link.connection import DeskConnection
from agentdesk.desktop.tasks import TaskRunner
from agentdesk.desktop.ui.queues.controller import DeskView
from tests.helpers.offline import OfflineDesk, directory_where_1001_joins, serving_offline, touch

QUEUES = ("support", "sales")
Service = Callable[..., OfflineDesk]  # starts the service; settings as for run_offline
Desktop = Callable[[OfflineDesk, str], DeskView]
REFUSED = "agent 1001 may not join queue 'sales': the directory does not list it for them"


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    """Starts the service with QUEUES; `settings` as for run_offline. Stops
    after the desktops (the fixture below) are gone."""
    with contextlib.ExitStack() as running:
        yield lambda **settings: running.enter_context(serving_offline(tmp_path, QUEUES, **settings))


@pytest.fixture
def desktop(qtbot: Any, service: Service) -> Iterator[Desktop]:
    """Connects the queue side of a desktop, signed in as an agent, to a service."""
    opened: list[tuple[QWidget, DeskConnection]] = []  # kept: Python owns the windows

    def connect(desk: OfflineDesk, agent: str) -> DeskView:
        window = QWidget()
        qtbot.addWidget(window)
        link = DeskConnection()  # not the window's: it is shut down after the window closes
        view = DeskView(link, CrmLookup(TaskRunner(parent=window)), window)
        column = QVBoxLayout(window)
        column.addWidget(view.agent_bar)
        column.addWidget(view.queue_panel)
        with qtbot.waitActive(window):  # the bar's shortcuts need an active window
            window.show()
        opened.append((window, link))
        link.start(desk.url, agent, agent, lambda: f"demo-{agent}")
        qtbot.waitUntil(lambda: set(view.queue_panel.cards) == set(QUEUES), timeout=5000)
        return view

    yield connect
    for _window, link in opened:
        link.shutdown()


def view_only(view: DeskView) -> dict[str, bool]:
    return {name: card.view_only.isVisibleTo(card) for name, card in view.queue_panel.cards.items()}


def test_an_agent_allowed_only_support_gets_no_way_to_join_sales(
    tmp_path: Path, qtbot: Any, service: Service, desktop: Desktop
) -> None:
    view = desktop(service(directory=str(directory_where_1001_joins(tmp_path, "support"))), "1001")
    bar = view.agent_bar
    assert list(bar.toggles) == ["support"]
    assert view_only(view) == {"support": False, "sales": True}  # sales stays in view, to follow
    with qtbot.assertNotEmitted(bar.queue_login_requested, wait=200):
        qtbot.keyClick(bar, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert not bar.problem.isVisibleTo(bar)


def test_a_queue_the_directory_opens_is_offered_at_once(
    tmp_path: Path, qtbot: Any, service: Service, desktop: Desktop
) -> None:
    """A team lead edits the directory while the agent works: the new queue's
    toggle appears, and its "View only" mark goes, without signing in again."""
    listing = directory_where_1001_joins(tmp_path, "support")
    view = desktop(service(directory=str(listing)), "1001")
    directory_where_1001_joins(tmp_path, "support sales")
    touch(listing)
    qtbot.waitUntil(lambda: sorted(view.agent_bar.toggles) == ["sales", "support"], timeout=10000)
    assert view_only(view) == {"support": False, "sales": False}


def test_a_team_lead_gets_a_toggle_for_every_queue(service: Service, desktop: Desktop) -> None:
    view = desktop(service(), "1901")
    assert sorted(view.agent_bar.toggles) == sorted(QUEUES)
    assert view_only(view) == {"support": False, "sales": False}


def test_a_join_the_service_refuses_is_explained_in_its_words(
    tmp_path: Path, qtbot: Any, service: Service, desktop: Desktop
) -> None:
    """A desktop that asks anyway (an older one offers every queue) shows the
    service's sentence, and the toggles keep showing the service's truth."""
    view = desktop(service(directory=str(directory_where_1001_joins(tmp_path, "support"))), "1001")
    bar = view.agent_bar
    bar.queue_login_requested.emit("sales", True)
    qtbot.waitUntil(lambda: bar.problem.isVisibleTo(bar), timeout=5000)
    assert bar.problem.text() == REFUSED and bar.problem.textFormat() is Qt.TextFormat.PlainText
    assert list(bar.toggles) == ["support"] and not bar.toggles["support"].isChecked()
    assert bar.toggles["support"].isEnabled()  # no longer waiting for an answer
