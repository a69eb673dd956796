"""Wideband audio from the PBX reaches the agent at the level it was sent.

Asterisk's G.722 and pjmedia's disagree by default on how 16-bit audio maps
onto G.722's 14-bit samples (a factor of 2): left alone, the agent hears
every G.722 caller 6 dB too loud, loud speech clips, and pjmedia then halves
its level mid-call. Here Asterisk plays a 1 kHz tone from a file over G.722
and the agent's speaker must carry it at the file's level, steadily."""

from __future__ import annotations

import math
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from agentdesk.desktop.phone.model import CallState
from agentdesk.pbxtool.layout import STATE_MOUNT
from tests.helpers.dsp import RATE, as_samples, rms
from tests.helpers.pbx import Pbx
from tests.helpers.soundserver import SoundServer

pytestmark = pytest.mark.pbx

AMPLITUDE = 0.3  # of full scale: twice this still fits, so a doubled level shows as such, unclipped
FOLDER = "lib/leveltest"


@pytest.fixture
def tone_file(pbx: Pbx) -> Iterator[str]:
    """The tone where Asterisk can read it, as Asterisk names it (no extension)."""
    folder = pbx.home / "state" / FOLDER
    folder.mkdir(mode=0o755, parents=True, exist_ok=True)
    path = folder / "tone.wav16"  # .wav16: 16 kHz, what Asterisk picks for a G.722 call
    subprocess.run(["sox", "-n", "-r", "16000", "-c", "1", "-b", "16", "-t", "wav", str(path),
                    "synth", "6", "sine", "1000", "vol", str(AMPLITUDE)], check=True, capture_output=True)
    path.chmod(0o644)
    try:
        yield f"{STATE_MOUNT}/{FOLDER}/tone"
    finally:
        path.unlink(missing_ok=True)


def levels_db(pcm: bytes, block: int = RATE // 5) -> list[float]:
    """RMS level of each 200 ms, in dB of full scale."""
    samples = as_samples(pcm) / 32768
    return [20 * math.log10(max(rms(samples[i:i + block]), 1e-9)) for i in range(0, len(samples) - block + 1, block)]


def test_a_g722_tone_from_the_pbx_plays_at_the_level_it_was_sent(
        make_agent: Any, pbx: Pbx, sound: SoundServer, tone_file: str) -> None:
    agent = make_agent("1001")
    pbx.cli(f"channel originate PJSIP/1001 application Playback {tone_file}")
    ringing = agent.wait_state(CallState.RINGING_IN)
    agent.engine.answer(ringing.call_id)
    call = agent.wait_call(lambda c: c.state is CallState.ACTIVE and c.has_audio)
    agent.qtbot.wait(2500)  # past the jitter buffer's start, inside the tone
    heard = levels_db(sound.speaker(2.0))
    label = agent.window.calls.cards[call.call_id].quality
    assert "Codec: G722" in label.accessibleDescription()
    sent = 20 * math.log10(AMPLITUDE / math.sqrt(2))  # a sine's RMS
    assert len(heard) >= 8
    assert all(abs(level - sent) < 1.0 for level in heard), (sent, heard)
    agent.engine.hangup(call.call_id)
    agent.wait_no_calls()
