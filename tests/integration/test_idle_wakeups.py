"""An idle phone stays asleep: the real desktop, registered to the real
PBX and signed in to the desk service, as its own process, is sampled
thread by thread (/proc/<pid>/task; the desktop names its threads) over
10 idle seconds. Each of its threads wakes no more often than its work
needs; the budgets, per 10 s:

- the GUI thread ("agentdesk (main)"): the agent bar's clock ticks once a
  second; a second tick source (another timer, a repaint loop) would double
  it. Budget 25.
- the SIP thread ("ad-sip"): pjsip's timers and ours wake it, and it sleeps
  at most IDLE_WAIT_MS (5 s) otherwise, 3 to 6 wake-ups measured. Budget 12.
- the RTP poller ("ad-media"): sleeps while there is no call. Budget 2.
- pjmedia's own worker ("media"), which polls every 10 ms call or no call
  (about 100 wake-ups a second), must not be running.

The sound server's threads (JACK wakes its clients every period, whatever
they do) are not the desktop's and are not counted."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.bench.bench_softphone import AgentDeskPhone
from tests.bench.threads import costs, sample
from tests.helpers.pbx import DESK_CA_FILE, DESK_URL, Pbx
from tests.helpers.soundserver import SoundServer

pytestmark = pytest.mark.pbx

SECONDS = 10.0
BUDGETS = {"agentdesk (main)": 25, "ad-sip": 12, "ad-media": 2}


@pytest.fixture
def idle_desktop(pbx: Pbx, sound: SoundServer, tmp_path: Path) -> Iterator[AgentDeskPhone]:
    phone = AgentDeskPhone(tmp_path, dict(os.environ))
    for key, value in (("desk_url", DESK_URL), ("tls_ca_file", str(DESK_CA_FILE))):
        subprocess.run([sys.executable, "-m", "agentdesk.desktop", "config", "set", key, value],
                       env=phone.env, check=True, capture_output=True)
    phone.launch()
    yield phone
    phone.stop()


def test_an_idle_registered_desktop_wakes_only_as_often_as_its_work_needs(idle_desktop: AgentDeskPhone) -> None:
    time.sleep(3)  # start-up work (the first snapshot, the history) is done
    before, started = sample(idle_desktop.pid), time.monotonic()
    time.sleep(SECONDS)
    seconds = time.monotonic() - started
    rows = {row.name: row for row in costs(before, sample(idle_desktop.pid), seconds)}
    woken = {name: round(rows[name].wakeups_per_second * seconds) for name in BUDGETS if name in rows}
    assert set(woken) == set(BUDGETS), f"threads missing: {set(BUDGETS) - set(woken)} (all: {sorted(rows)})"
    over = {name: (count, BUDGETS[name]) for name, count in woken.items() if count > BUDGETS[name]}
    assert over == {}, f"woken more often than budgeted in {SECONDS:.0f} s (count, budget): {over}"
    assert "media" not in rows, "pjmedia's own worker runs (it polls every 10 ms, call or no call)"
