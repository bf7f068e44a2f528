"""Measuring rendered files for real: streams, packets, audio samples and loudness."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import av
import numpy as np

from tests.media import FFMPEG

RATE = 48_000


def streams(path: Path) -> dict[str, list[str]]:
    """Codec names per stream type, e.g. {'video': ['h264'], 'audio': ['aac']}."""
    found: dict[str, list[str]] = {}
    with av.open(str(path)) as container:
        for s in container.streams:
            found.setdefault(s.type, []).append(s.codec_context.name)
    return found


def video_packet_digest(path: Path) -> str:
    """A hash over the first video stream's packet payloads (equal iff the stream was copied)."""
    digest = hashlib.sha256()
    with av.open(str(path)) as container:
        for packet in container.demux(video=0):
            if packet.size:
                digest.update(bytes(packet))
    return digest.hexdigest()


def audio_samples(path: Path) -> np.ndarray:
    """The first audio stream as mono float32 at 48 kHz."""
    decode = [FFMPEG, "-nostdin", "-loglevel", "error", "-i", str(path)]
    as_mono = ["-map", "0:a:0", "-ac", "1", "-ar", str(RATE), "-f", "f32le", "-"]
    proc = subprocess.run([*decode, *as_mono], capture_output=True, check=True, timeout=120)
    return np.frombuffer(proc.stdout, dtype=np.float32)


def rms(samples: np.ndarray, start_s: float, end_s: float) -> float:
    """Root-mean-square level between two times."""
    part = samples[int(start_s * RATE) : int(end_s * RATE)]
    return float(np.sqrt(np.mean(part.astype(np.float64) ** 2))) if len(part) else 0.0


def tone_level(samples: np.ndarray, start_s: float, end_s: float, freq: float) -> float:
    """The magnitude of one frequency between two times (a windowed DFT bin, normalised)."""
    part = samples[int(start_s * RATE) : int(end_s * RATE)].astype(np.float64)
    window = np.hanning(len(part))
    t = np.arange(len(part)) / RATE
    return float(abs(np.sum(part * window * np.exp(-2j * np.pi * freq * t))) / np.sum(window))


def onsets(samples: np.ndarray, threshold: float = 0.02, min_gap_s: float = 0.3) -> list[float]:
    """Times where sound starts after at least `min_gap_s` of quiet (10 ms frames)."""
    frame = RATE // 100
    levels = [
        float(np.sqrt(np.mean(samples[i : i + frame] ** 2)))
        for i in range(0, len(samples) - frame, frame)
    ]
    found, quiet = [], min_gap_s
    for n, level in enumerate(levels):
        if level >= threshold and quiet >= min_gap_s:
            found.append(n / 100)
        quiet = quiet + 0.01 if level < threshold else 0.0
    return found


def loudness(path: Path) -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) of the file's audio, by ffmpeg's ebur128."""
    decode = [FFMPEG, "-nostdin", "-hide_banner", "-i", str(path)]
    measure = ["-map", "0:a:0", "-af", "ebur128=peak=true:framelog=quiet", "-f", "null", "-"]
    proc = subprocess.run(
        [*decode, *measure], capture_output=True, text=True, check=True, timeout=120
    )
    text = proc.stderr[proc.stderr.rindex("Summary:") :]
    integrated = float(text.split("I:")[1].split("LUFS")[0])
    peak = float(text.split("Peak:")[1].split("dBFS")[0])
    return integrated, peak


def frame_at(path: Path, t: float) -> np.ndarray:
    """The decoded RGB frame nearest to time t."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        best = None
        for frame in container.decode(stream):
            best = frame
            if frame.time is not None and frame.time >= t:
                break
        assert best is not None
        return best.to_ndarray(format="rgb24")
