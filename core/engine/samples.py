"""Mono float samples: resampled, joined with gaps and silences, written as WAV."""

from __future__ import annotations

import wave
from collections.abc import Sequence
from pathlib import Path

import numpy as np


def resample(samples: np.ndarray, rate: int, to_rate: int) -> np.ndarray:
    """Mono samples at `rate` as samples at `to_rate` (linear interpolation)."""
    if rate == to_rate or len(samples) == 0:
        return samples
    count = int(round(len(samples) * to_rate / rate))
    positions = np.arange(count, dtype=np.float64) * (rate / to_rate)
    resampled = np.interp(positions, np.arange(len(samples)), samples)
    return resampled.astype(np.float32)


def join_parts(
    parts: Sequence[np.ndarray | float], gap: np.ndarray, rate: int
) -> tuple[np.ndarray, list[int | None]]:
    """Speech parts with `gap` between two of them (a float is that many seconds of silence,
    and no gap next to it), and where each speech part starts (samples; None for the others)."""
    pieces: list[np.ndarray] = []
    starts: list[int | None] = []
    speech_last = False
    at = 0
    for part in parts:
        if isinstance(part, float):
            pieces.append(np.zeros(int(round(part * rate)), dtype=np.float32))
            at += len(pieces[-1])
            starts.append(None)
            speech_last = False
            continue
        if len(part) == 0:
            starts.append(None)
            continue
        if speech_last:
            pieces.append(gap)
            at += len(gap)
        starts.append(at)
        pieces.append(part.astype(np.float32, copy=False))
        at += len(part)
        speech_last = True
    return (np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)), starts


def write_wav(path: Path, samples: np.ndarray, rate: int) -> None:
    """Write mono float samples as 16-bit PCM WAV."""
    pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.tobytes())
