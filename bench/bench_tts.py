"""Benchmark Piper speech on a ~300-word script: our arrangement against the naive call.

Run: .venv/bin/python bench/bench_tts.py [--repeat N]
Prints load time, audio seconds, wall seconds, real-time factor and threads per case (best of
N runs after a warm-up). Not a test: figures for notes. The machine may be shared, so run it
when it is quiet and compare the cases of one run with each other.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import onnxruntime
from piper import PiperVoice, SynthesisConfig

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.engine.model import VoiceInfo  # noqa: E402
from core.engine.tts import Synthesizer, VoiceCache, speak  # noqa: E402
from core.engine.voices import discover_voices  # noqa: E402

SCRIPT = (ROOT / "bench" / "script_300_words.txt").read_text(encoding="utf-8")
SENTENCES = [s for s in re.split(r"(?<=[.!?])\s+", SCRIPT) if s.strip()]
CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 2

Case = Callable[[], list[np.ndarray]]


def naive_case(voice: VoiceInfo) -> tuple[Case, float]:
    """Piper as documented: its default session (every core per call), one call on the text."""
    started = time.perf_counter()
    piper = PiperVoice.load(voice.model_path, voice.config_path)
    load_s = time.perf_counter() - started

    def run() -> list[np.ndarray]:
        return [chunk.audio_float_array for chunk in piper.synthesize(SCRIPT)]

    return run, load_s


def default_session_pool_case(voice: VoiceInfo, workers: int) -> tuple[Case, float]:
    """Piper's default session (every core per call) shared by a pool, one sentence a task."""
    started = time.perf_counter()
    piper = PiperVoice.load(voice.model_path, voice.config_path)
    load_s = time.perf_counter() - started
    pool = ThreadPoolExecutor(workers)
    config = SynthesisConfig(normalize_audio=False)

    def run() -> list[np.ndarray]:
        return list(pool.map(lambda s: speak(piper, s, config).audio, SENTENCES))

    return run, load_s


def ours_case(voice: VoiceInfo, threads: int) -> tuple[Case, float]:
    """core.engine.tts: one single-threaded session, `threads` workers, longest first."""
    cache = VoiceCache()
    synth = Synthesizer(threads, cache=cache)
    cache.get(voice)

    def run() -> list[np.ndarray]:
        return synth.synthesize(voice, SENTENCES)

    return run, cache.load_seconds


def measure(name: str, make: Callable[[], tuple[Case, float]], threads: str, repeat: int) -> None:
    """Warm up, run `repeat` times, print the best run's figures."""
    run, load_s = make()
    run()
    best_wall, audio_s = float("inf"), 0.0
    for _ in range(repeat):
        started = time.perf_counter()
        audio = run()
        best_wall = min(best_wall, time.perf_counter() - started)
        audio_s = sum(len(a) for a in audio) / 22050
    print(
        f"{name:<44} load {load_s:5.2f} s  audio {audio_s:6.1f} s  wall {best_wall:5.2f} s  "
        f"RTF {best_wall / audio_s:.3f}  ({audio_s / best_wall:4.1f}x real time)  "
        f"threads {threads}",
        flush=True,
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Run every case and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    voice = discover_voices(None)[0]
    print(
        f"{voice.id}: {len(SCRIPT.split())} words, {len(SENTENCES)} sentences, {CORES} cores, "
        f"onnxruntime {onnxruntime.__version__}, load avg {os.getloadavg()[0]:.2f}"
    )
    cases: list[tuple[str, Callable[[], tuple[Case, float]], str]] = [
        ("naive: one call, default session", lambda: naive_case(voice), f"ORT {CORES}"),
        (
            f"default session, {CORES} workers",
            lambda: default_session_pool_case(voice, CORES),
            f"ORT {CORES} x {CORES} workers",
        ),
        ("ours, 1 worker (one core)", lambda: ours_case(voice, 1), "1"),
        (f"ours, {CORES} workers", lambda: ours_case(voice, CORES), str(CORES)),
        (f"ours, {CORES + 1} workers", lambda: ours_case(voice, CORES + 1), str(CORES + 1)),
    ]
    for name, make, threads in cases:
        measure(name, make, threads, args.repeat)
    print(f"load avg after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
