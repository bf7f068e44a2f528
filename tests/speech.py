"""Test speech whose words and times are known: our Piper voice or espeak-ng, placed at chosen
onsets over a quiet 'music' tone, muxed under a tiny video."""

from __future__ import annotations

import re
import shutil
import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.engine.tts import get_synthesizer
from core.engine.voices import DEFAULT_VOICE_ID, installed_voices
from tests.media import ffmpeg

RATE = 22_050
MUSIC_HZ = 880.0  # the 'music' bed: a steady tone, easy to find in a spectrum
MUSIC_LEVEL = 0.05


@dataclass(frozen=True)
class Spoken:
    """One line of test speech: its words and when it really starts and ends."""

    text: str
    start_s: float
    end_s: float


def espeak_samples(text: str, voice: str = "en-us") -> np.ndarray:
    """`text` spoken by espeak-ng (a Debian package: scripts/espeak.sh installs it), at RATE."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise AssertionError("espeak-ng is missing: run scripts/espeak.sh as root (apt-get)")
    proc = subprocess.run([exe, "-v", voice, "--stdout", text], capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    path = Path(f"/tmp/espeak-{abs(hash(text))}.wav")
    path.write_bytes(proc.stdout)
    with wave.open(str(path), "rb") as wav:
        rate, data = wav.getframerate(), wav.readframes(wav.getnframes())
    path.unlink()
    samples = np.frombuffer(data, dtype=np.int16).astype(np.float32) / 32768
    return _resample(samples, rate)


def piper_samples(texts: list[str]) -> list[np.ndarray]:
    """Each text read by the bundled Piper voice (silence trimmed), at RATE."""
    voice = next(v for v in installed_voices(None) if v.id == DEFAULT_VOICE_ID)
    spoken = get_synthesizer(2).synthesize(voice, texts)
    return [_resample(s, voice.sample_rate) for s in spoken]


def _resample(samples: np.ndarray, rate: int) -> np.ndarray:
    if rate == RATE:
        return samples.astype(np.float32)
    n = int(round(len(samples) * RATE / rate))
    return np.interp(np.linspace(0, len(samples) - 1, n), np.arange(len(samples)), samples).astype(
        np.float32
    )


def _onset(samples: np.ndarray) -> tuple[float, float]:
    """Where the sound in `samples` really starts and ends (seconds)."""
    loud = np.flatnonzero(np.abs(samples) > 0.02 * np.abs(samples).max())
    return loud[0] / RATE, loud[-1] / RATE


def talking_track(
    pieces: list[tuple[float, np.ndarray]], seconds: float, music: bool = True
) -> tuple[np.ndarray, list[float]]:
    """The pieces placed at their start times over the music tone; their true onsets."""
    track = np.zeros(int(seconds * RATE), dtype=np.float32)
    if music:
        t = np.arange(len(track)) / RATE
        track += (MUSIC_LEVEL * np.sin(2 * np.pi * MUSIC_HZ * t)).astype(np.float32)
    onsets = []
    for start, samples in pieces:
        at = int(start * RATE)
        track[at : at + len(samples)] += samples[: len(track) - at]
        onsets.append(start + _onset(samples)[0])
    return track, onsets


def write_wav(path: Path, samples: np.ndarray) -> Path:
    """16-bit mono WAV at RATE."""
    pcm = (np.clip(samples, -1, 1) * 32767).astype(np.int16)
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(pcm.tobytes())
    return path


def talking_video(path: Path, track: np.ndarray, size: str = "160x90") -> Path:
    """A tiny H.264/AAC video with `track` as its sound."""
    wav = write_wav(path.with_suffix(".wav"), track)
    seconds = len(track) / RATE
    ffmpeg(
        *("-f", "lavfi", "-i", f"color=c=0x335577:s={size}:r=10:d={seconds:.3f}"),
        *("-i", str(wav)),
        *("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"),
        *("-c:a", "aac", "-b:a", "96k", "-shortest", str(path)),
    )
    wav.unlink()
    return path


def decode_audio(path: Path, rate: int = 16_000) -> np.ndarray:
    """A file's audio as mono float32 at `rate`."""
    raw = path.with_suffix(".f32")
    ffmpeg("-i", str(path), "-vn", "-ac", "1", "-ar", str(rate), "-f", "f32le", str(raw))
    samples = np.fromfile(raw, dtype=np.float32)
    raw.unlink()
    return samples


def words_of(text: str) -> list[str]:
    """Lower-case words without punctuation."""
    return re.findall(r"[a-z0-9']+", text.lower())


def word_error_rate(reference: str, heard: str) -> float:
    """Word-level edit distance over the reference's length."""
    ref, hyp = words_of(reference), words_of(heard)
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[len(hyp)] / max(1, len(ref))


def band_energy(samples: np.ndarray, start: float, end: float, rate: int = 16_000) -> float:
    """RMS of samples[start:end] (seconds)."""
    part = samples[int(start * rate) : int(end * rate)]
    return float(np.sqrt(np.mean(part**2))) if len(part) else 0.0


def tone_level(
    samples: np.ndarray, start: float, end: float, hz: float, rate: int = 16_000
) -> float:
    """The amplitude of a pure tone at `hz` in samples[start:end] (a single DFT bin)."""
    part = samples[int(start * rate) : int(end * rate)]
    t = np.arange(len(part)) / rate
    return float(2 * abs(np.sum(part * np.exp(-2j * np.pi * hz * t))) / max(1, len(part)))
