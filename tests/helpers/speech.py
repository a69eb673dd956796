"""Speech for listening-quality figures: English sentences spoken by
espeak-ng (resampled by sox), and PESQ (ITU-T P.862, the `pesq` package)
of what a phone played against what was sent: wideband (P.862.2) at
16 kHz for G.722, narrowband at 8 kHz for G.711."""

from __future__ import annotations

import subprocess
import wave
from pathlib import Path

import numpy as np

# Four Harvard sentences (IEEE 1969 list 1): about 9 s of speech, within
# the 8-12 s a PESQ sample should last.
SENTENCES = ("The birch canoe slid on the smooth planks. Glue the sheet to the dark blue background. "
             "It's easy to tell the depth of a well. These days a chicken leg is a rare dish.")
# Silence around the speech: PESQ wants some, and the phone's recording may
# start a moment after the call was answered.
LEAD_SECONDS = 2.0
TAIL_SECONDS = 0.5


def make_speech(folder: Path) -> dict[int, Path]:
    """speech-16000.wav and speech-8000.wav (mono, 16-bit) in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    spoken = folder / "spoken.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(spoken), SENTENCES], check=True,
                   capture_output=True)
    files = {}
    for rate in (16000, 8000):
        path = folder / f"speech-{rate}.wav"
        subprocess.run(["sox", str(spoken), "-r", str(rate), "-c", "1", "-b", "16", str(path), "norm", "-6",
                        "pad", str(LEAD_SECONDS), str(TAIL_SECONDS)], check=True, capture_output=True)
        files[rate] = path
    return files


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """Samples as floats within ±1, and the sample rate."""
    with wave.open(str(path), "rb") as source:
        frames = source.readframes(source.getnframes())
        return np.frombuffer(frames, dtype="<i2").astype(np.float64) / 32768, source.getframerate()


def halve_rate(samples: np.ndarray) -> np.ndarray:
    """16 kHz to 8 kHz: everything above 4 kHz cut in the spectrum."""
    spectrum = np.fft.rfft(samples)
    kept = samples.size // 2
    return np.asarray(np.fft.irfft(spectrum[: kept // 2 + 1], kept)) * kept / samples.size


def aligned(reference: np.ndarray, heard: np.ndarray) -> np.ndarray:
    """`heard` shifted so that the reference lines up with it best (the
    recording may start late, within the reference's lead silence, or
    early), cut or padded to the reference's length."""
    size = heard.size + reference.size
    correlation = np.fft.irfft(np.fft.rfft(heard, size) * np.conj(np.fft.rfft(reference, size)), size)
    lag = int(np.argmax(correlation))
    if lag >= heard.size:  # the recording started after the reference did
        heard, lag = np.pad(heard, (size - lag, 0)), 0
    stretch = heard[lag : lag + reference.size]
    return np.pad(stretch, (0, reference.size - stretch.size))


def pesq_score(reference: np.ndarray, rate: int, heard: np.ndarray, heard_rate: int) -> float:
    """MOS-LQO of `heard` against `reference`: wideband at 16 kHz,
    narrowband at 8 kHz (`heard` at 16 kHz is brought down to 8 kHz)."""
    from pesq import pesq

    if heard_rate == 2 * rate:
        heard = halve_rate(heard)
    elif heard_rate != rate:
        raise ValueError(f"cannot compare {heard_rate} Hz audio with a {rate} Hz reference")
    return float(pesq(rate, reference, aligned(reference, heard), "wb" if rate == 16000 else "nb"))
