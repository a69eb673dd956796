"""Tone detection for the tests: how much of a signal's energy sits at a
frequency (a Goertzel filter per frequency, via numpy)."""

from __future__ import annotations

import numpy as np

RATE = 16000


def as_samples(pcm: bytes) -> np.ndarray:
    return np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype="<i2").astype(np.float64)


def rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(samples**2))) if samples.size else 0.0


def tone_share(samples: np.ndarray, frequency: float, rate: int = RATE) -> float:
    """Share (0-1) of the signal's energy within a few hertz of `frequency`:
    about 1 for a pure tone, about 0 for silence or another tone. The signal
    is Hann-windowed so that neighbouring tones do not leak into the band."""
    if samples.size < rate // 50:
        return 0.0
    windowed = samples * np.hanning(samples.size)
    energy = float(np.sum(windowed**2))
    if energy <= 1e-9:
        return 0.0
    spectrum = np.abs(np.fft.rfft(windowed)) ** 2
    centre = round(frequency * samples.size / rate)
    band = spectrum[max(1, centre - 3) : centre + 4]
    # Parseval: sum(x^2) = 2 * sum(|X_k|^2) / N over the one-sided spectrum.
    return float(2 * np.sum(band) / samples.size / energy)


def analyse(pcm: bytes, frequencies: list[float], rate: int = RATE) -> dict[str, float]:
    samples = as_samples(pcm)
    result = {str(int(f)): tone_share(samples, f, rate) for f in frequencies}
    result["rms"] = rms(samples)
    return result
