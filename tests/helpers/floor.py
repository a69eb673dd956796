"""A contact-center floor as a team lead's desktop receives it, for the
monitor's widget tests and screenshots: fourteen agents in three queues
(ringing, talking, on hold, in wrap-up, paused, logged out), callers
waiting, today's figures and monitor.ini's default thresholds; and a
monitor link that is never started, whose signals the test emits itself
(it plays the desk service's monitor stream)."""

from __future__ import annotations

from dataclasses import replace

from agentdesk.contract.monitor import (
    FLOOR_LOGGED_OUT,
    FLOOR_ON_CALL,
    FLOOR_ON_HOLD,
    FLOOR_PAUSED,
    FLOOR_READY,
    FLOOR_RINGING,
    FLOOR_UNAVAILABLE,
    FLOOR_WRAP_UP,
    INBOUND,
    OUTBOUND,
    AgentRow,
    FloorSnapshot,
    Limit,
    LiveCallRow,
    QueueBoardRow,
    QueueThresholds,
)
from agentdesk.contract.queues import WaitingCaller
from agentdesk.desktop.link.connection import DeskConnection
from agentdesk.desktop.link.monitor_link import MonitorLink

DEFAULT_LIMITS = {
    "ringing_seconds": Limit(15, 30), "on_call_seconds": Limit(600, 900), "on_hold_seconds": Limit(60, 180),
    "paused_seconds": Limit(900, 1800), "wrapup_over_seconds": Limit(0, 60), "unavailable_seconds": Limit(0, 60),
    "waiting_callers": Limit(3, 6), "longest_wait_seconds": Limit(60, 120), "service_level_percent": Limit(80, 70),
    "abandoned_percent": Limit(5, 10), "callbacks_due": Limit(5, 20),
}
THRESHOLDS = {"": QueueThresholds(DEFAULT_LIMITS, {"Lunch": Limit(3600, 4200), "Training": Limit(0, 0)})}


def call(agent: str, name: str, now: float, since: float, queue: str = "support", number: str = "+982155550101",
         peer: str = "Dmitri Volkov", **marks: object) -> LiveCallRow:
    return LiveCallRow(f"17000{agent}.1", f"17000{agent}.0", agent, name, f"PJSIP/{agent}-0000001a",
                       INBOUND if queue else OUTBOUND, queue, number, peer, now - since, **marks)  # type: ignore[arg-type]


def agent(number: str, name: str, state: str, since: float, now: float, queues: dict[str, bool] | None = None,
          **fields: object) -> AgentRow:
    joined = queues if queues is not None else {"support": True, "sales": False}
    return AgentRow(number, name, number, joined, {}, state, now - since, **fields)  # type: ignore[arg-type]


def agents(now: float) -> tuple[AgentRow, ...]:
    both = {"support": True, "sales": True}
    sales = {"sales": True, "billing": False}
    billing = {"billing": True}
    return (
        agent("1001", "Nina Karimi", FLOOR_ON_CALL, 192, now, both, answered_today=14, handle_seconds_today=271,
              call=call("1001", "Nina Karimi", now, 192, peer="Reza Hosseini", vip=True), quality="good"),
        agent("1002", "Sara Ahmadi", FLOOR_READY, 48, now, both, answered_today=11, handle_seconds_today=302),
        agent("1003", "Omid Rezaei", FLOOR_PAUSED, 1210, now, paused_reason="Lunch", answered_today=9,
              handle_seconds_today=255, missed_today=1),
        agent("1004", "Leila Moradi", FLOOR_RINGING, 21, now, sales, answered_today=7, handle_seconds_today=188),
        agent("1005", "Dariush Farahani", FLOOR_WRAP_UP, 75, now, sales, wrapup_deadline=now - 70,
              answered_today=12, handle_seconds_today=340),
        agent("1006", "Maryam Jafari", FLOOR_ON_HOLD, 95, now, both, answered_today=10, handle_seconds_today=290,
              call=call("1006", "Maryam Jafari", now, 640, number="09121110002", peer="", on_hold=True),
              quality="fair"),
        agent("1007", "Kaveh Navabi", FLOOR_ON_CALL, 960, now, sales, answered_today=5, handle_seconds_today=412,
              call=call("1007", "Kaveh Navabi", now, 960, queue="sales", peer="Olga Smirnova", transferred=True),
              quality="poor"),
        agent("1008", "Shirin Tehrani", FLOOR_READY, 310, now, billing, answered_today=8, handle_seconds_today=233),
        agent("1009", "Arash Kamali", FLOOR_PAUSED, 2000, now, billing, paused_reason="Training",
              answered_today=3, handle_seconds_today=198),
        agent("1010", "Elham Rostami", FLOOR_WRAP_UP, 20, now, both, wrapup_deadline=now + 40,
              pause_after_call="Meeting", answered_today=13, handle_seconds_today=265),
        agent("1011", "Babak Sadeghi", FLOOR_ON_CALL, 64, now, billing, answered_today=6, handle_seconds_today=301,
              call=call("1011", "Babak Sadeghi", now, 64, queue="", number="09351234567", peer=""),
              quality="good"),
        agent("1012", "Parvin Hosseini", FLOOR_UNAVAILABLE, 95, now, sales, answered_today=2,
              handle_seconds_today=280, missed_today=2),
        agent("1013", "Hamid Nouri", FLOOR_LOGGED_OUT, 5400, now, {"support": False}),
        agent("1014", "Zahra Amini", FLOOR_PAUSED, 420, now, both, paused_reason="Coaching", answered_today=10,
              handle_seconds_today=251),
    )


def queues(now: float) -> tuple[QueueBoardRow, ...]:
    callers = (WaitingCaller("1800000000.3", "+982155550101", "Dmitri Volkov", 1, now - 161, True),
               WaitingCaller("1800000000.4", "09121110002", "", 2, now - 74, False),
               WaitingCaller("1800000000.5", "09121110005", "Olga Smirnova", 3, now - 12, False, "0a1b2c3d4e5f"))
    return (
        QueueBoardRow("support", "Support", callers, 95.0, 120, 104, 9, 0.86, 0.78, 20, 14.0, 1, 3, 2, 1, 7, 2),
        QueueBoardRow("sales", "Sales and new contracts", callers[1:2], 30.0, 48, 45, 1, 0.93, 0.91, 30, 9.5,
                      0, 2, 0, 1, 5, 0),
        QueueBoardRow("billing", "Billing", (), None, 31, 22, 5, 0.64, 0.52, 20, 41.0, 1, 1, 1, 0, 3, 7),
    )


def floor(now: float, pbx_connected: bool = True) -> FloorSnapshot:
    rows = agents(now)
    return FloorSnapshot(now, pbx_connected, rows, queues(now), tuple(r.call for r in rows if r.call is not None),
                         THRESHOLDS, ("Lunch", "Training", "Coaching", "Meeting"))


def changed(row: AgentRow, **fields: object) -> AgentRow:
    return replace(row, **fields)  # type: ignore[arg-type]


def quiet_monitor_link() -> MonitorLink:
    """A monitor link on a desk link that is never started; commands fail with "Not connected"."""
    desk = DeskConnection()
    link = MonitorLink(desk)
    desk.setParent(link)
    return link
