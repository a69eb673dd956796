"""AgentDesk as a process, configured the way IT does it (command line and
keyring, no window): quitting with a call up hangs up, unregisters and exits
with status 0 every time; without any sound device it still takes calls."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.pbx import SERVER, Pbx
from tests.helpers.soundserver import DEVICE, SoundServer


def agentdesk(*args: str, env: dict[str, str] | None = None, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "agentdesk.desktop", *args], input=stdin, capture_output=True,
                          text=True, env=env, timeout=60)


def configure(user: str, env: dict[str, str] | None = None) -> None:
    added = agentdesk("account", "add", "--server", SERVER, "--user", user, "--password-stdin",
                      env=env, stdin=f"demo-{user}\n")
    assert added.returncode == 0, added.stderr
    for key, value in (("auto_answer", "true"), ("microphone", DEVICE), ("speaker", DEVICE), ("ring_device", DEVICE)):
        result = agentdesk("config", "set", key, value, env=env)
        assert result.returncode == 0, result.stderr


@pytest.fixture
def support_member(pbx: Pbx) -> Iterator[None]:
    pbx.cli("queue add member PJSIP/1001 to support")
    yield
    pbx.cli("queue remove member PJSIP/1001 from support")


@contextlib.contextmanager
def running_desktop(env: dict[str, str] | None = None) -> Iterator[subprocess.Popen[str]]:
    """The desktop process; killed at the end if the test left it running."""
    desktop = subprocess.Popen([sys.executable, "-m", "agentdesk.desktop", "--log-level", "DEBUG"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)
    try:
        yield desktop
    finally:
        if desktop.poll() is None:
            desktop.kill()
            desktop.wait()


def add_account_of_an_absent_pbx() -> None:
    added = agentdesk("account", "add", "--server", "127.0.0.1:5999", "--user", "1001", "--password-stdin",
                      stdin="demo-1001\n")
    assert added.returncode == 0, added.stderr


def take_a_queue_call(make_party: Any, pbx: Pbx) -> Any:
    """A caller in the support queue, answered automatically by agent 1001."""
    party = make_party("1002")
    party.call(f"sip:7001@{SERVER}")
    party.wait_state("CONFIRMED", timeout=15)  # the queue answers the caller at once
    pbx.wait_channel_up("1001")  # and the agent's phone answered the queue's call
    return party


@pytest.mark.pbx
@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT])
def test_quitting_with_a_call_up_hangs_up_unregisters_and_exits_0(
    make_party: Any, pbx: Pbx, sound: SoundServer, support_member: None, how: signal.Signals
) -> None:
    configure("1001")
    for _attempt in range(3):
        with running_desktop() as desktop:
            pbx.wait_registered("1001", timeout=15)
            party = take_a_queue_call(make_party, pbx)
            desktop.send_signal(how)
            assert desktop.wait(timeout=20) == 0
        party.wait_state("DISCONNECTED")
        pbx.wait_registered("1001", present=False)


def test_quitting_while_the_pbx_is_down_exits_0(tmp_path: Path) -> None:
    """Requests to an absent PBX are still pending at exit (SIP waits 32 s)."""
    add_account_of_an_absent_pbx()
    with running_desktop() as desktop:
        time.sleep(7)  # registration attempts and liveness probes under way
        assert desktop.poll() is None
        desktop.send_signal(signal.SIGTERM)
        assert desktop.wait(timeout=20) == 0
    log = (Path(os.environ["AGENTDESK_DATA_DIR"]) / "agentdesk.log").read_text()
    assert "registration unreachable" in log


@pytest.mark.pbx
def test_without_any_sound_device_the_phone_still_takes_calls(
    make_party: Any, pbx: Pbx, support_member: None, tmp_path: Path
) -> None:
    # Like a machine without a sound card: no JACK, no PulseAudio, ALSA as installed.
    env = {key: value for key, value in os.environ.items() if key != "ALSA_CONFIG_PATH"}
    env |= {"JACK_DEFAULT_SERVER": "no-such-server", "PULSE_SERVER": f"unix:{tmp_path}/no-such-socket"}
    configure("1001", env)
    with running_desktop(env) as desktop:
        pbx.wait_registered("1001", timeout=15)
        party = take_a_queue_call(make_party, pbx)
        party.send("hangup")
        desktop.send_signal(signal.SIGTERM)
        assert desktop.wait(timeout=20) == 0
    log = (Path(env["AGENTDESK_DATA_DIR"]) / "agentdesk.log").read_text()
    assert "Audio is unavailable: no speaker or headset was found" in log


def test_a_signal_while_the_desktop_is_still_starting_exits_0() -> None:
    """An installer or a session ending sends SIGTERM at any moment, also
    after the phone has registered but before the window exists: the
    desktop still quits the orderly way (unregistering) and exits 0."""
    add_account_of_an_absent_pbx()
    log = Path(os.environ["AGENTDESK_DATA_DIR"]) / "agentdesk.log"
    log.unlink(missing_ok=True)
    with running_desktop() as desktop:
        deadline = time.monotonic() + 20
        # The REGISTER has gone out; the window is still being built (it is painted some 0.3 s later).
        while "registration registering" not in (log.read_text() if log.exists() else ""):
            assert time.monotonic() < deadline and desktop.poll() is None, "the desktop never started"
            time.sleep(0.005)
        desktop.send_signal(signal.SIGTERM)
        assert desktop.wait(timeout=20) == 0
    assert "AgentDesk stopped with 0" in log.read_text()
