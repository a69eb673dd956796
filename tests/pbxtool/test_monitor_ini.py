"""pbx/monitor.ini reaches the desk service as desk-service.json's "monitor"
(the floor's thresholds, the listen notice, who sees each queue); a mistake
in it names the file, the queue and the knob."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from agentdesk.contract.monitor import T_LONGEST_WAIT, T_PAUSED, T_WAITING, Limit
from agentdesk.pbxtool import monitor_ini, queues
from agentdesk.pbxtool.layout import PbxError
from agentdesk.server.monitor.settings import parse_monitor_settings


def test_the_shipped_file_gives_the_desk_service_the_defaults_and_the_sales_example() -> None:
    settings = parse_monitor_settings(json.loads(json.dumps(monitor_ini.monitor_settings(queues.read_queues()))))
    support, sales = settings.thresholds("support"), settings.thresholds("sales")
    assert support.limits[T_WAITING] == Limit(3, 6) and sales.limits[T_WAITING] == Limit(2, 4)
    assert sales.limits[T_LONGEST_WAIT] == Limit(30, 60)
    assert sales.limits[T_PAUSED] == support.limits[T_PAUSED] == Limit(900, 1800)  # from [DEFAULT]
    assert sales.pause_reasons["Lunch"] == Limit(3600, 4200) and sales.pause_reasons["Training"] == Limit(0, 0)
    assert settings.listen_notice("support") and settings.listen_notice("sales")
    assert settings.may_see("1901", "support")  # team_leads empty: every lead


def test_a_queue_of_its_own_may_hide_it_and_keep_listening_quiet(tmp_path: Path) -> None:
    path = tmp_path / "monitor.ini"
    path.write_text("[DEFAULT]\nlisten_notice = yes\n[support]\nlisten_notice = no\nteam_leads = 1902, 1903\n",
                    encoding="utf-8")
    settings = parse_monitor_settings(monitor_ini.monitor_settings(queues.read_queues(), path))
    assert not settings.listen_notice("support") and settings.listen_notice("sales")
    assert not settings.may_see("1901", "support") and settings.may_see("1902", "support")
    assert settings.may_see("1901", "sales")


def test_a_server_installed_before_monitor_mode_gets_the_defaults(tmp_path: Path) -> None:
    settings = parse_monitor_settings(monitor_ini.monitor_settings(queues.read_queues(), tmp_path / "missing.ini"))
    assert settings.thresholds("support").limits[T_WAITING] == Limit(3, 6)


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("[DEFAULT]\nringing_seconds = 15\n", "[DEFAULT]: ringing_seconds must be two numbers \"amber, red\""),
        ("[support]\non_call_seconds = 900, 600\n",
         "monitor.queues.support.on_call_seconds: amber (900) must be at most red (600)"),
        ("[support]\nservice_level_percent = 70, 80\n",
         "monitor.queues.support.service_level_percent: amber (70) must be at least red (80)"),
        ("[sales]\nabandoned_percent = 5, 120\n", "monitor.queues.sales.abandoned_percent: at most 100"),
        ("[sales]\nwaiting_callers = few, 4\n", "[sales]: waiting_callers must be numbers, not 'few'"),
        ("[support]\nlisten_notice = maybe\n", "[support]: listen_notice must be yes or no, not 'maybe'"),
        ("[support]\nringing_second = 1, 2\n", "[support]: unknown setting 'ringing_second'"),
        ("[billing]\nwaiting_callers = 1, 2\n", "[billing]: there is no queue 'billing' in queues.ini"),
        ("[DEFAULT]\npause_reason_seconds = Lunch 3600\n", "pause_reason_seconds needs \"<reason> <amber> <red>\""),
    ],
)
def test_a_mistake_names_the_file_the_queue_and_the_knob(tmp_path: Path, text: str, complaint: str) -> None:
    path = tmp_path / "monitor.ini"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PbxError, match=re.escape(complaint)) as raised:
        monitor_ini.monitor_settings(queues.read_queues(), path)
    assert str(path) in str(raised.value)
