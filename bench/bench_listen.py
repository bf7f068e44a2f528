"""Benchmark the edit page's Listen: one sentence spoken alone with its voice loaded (as in the
service, where the default voice is preloaded), first uncached, then again (cached).

Run: .venv/bin/python bench/bench_listen.py [--repeat N]
Prints the median and worst wall time of each case over N distinct sentences, and the median
CPU time of the process (all threads): on a loaded machine the wall time is mostly waiting for
a core, the CPU time is what the Listen costs. Not a test: figures for notes (the machine may
be shared: say so next to them).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.engine.lexicon import Lexicon  # noqa: E402
from core.engine.line_audio import speak_line  # noqa: E402
from core.engine.tts import listen_synthesizer  # noqa: E402
from core.engine.voices import installed_voices  # noqa: E402

SENTENCE = "Meet Aurora, the desk lamp that follows the sun, number {n}."


def cpu_s() -> float:
    """CPU seconds this process has used (every thread)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    """Time Listen on distinct sentences (uncached) and the same ones again (cached)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    voice = installed_voices(None)[0]
    synth = listen_synthesizer()  # as the edit page speaks: its own worker
    synth.preload(voice)
    with tempfile.TemporaryDirectory() as folder:
        speak_line(synth, "Warm up.", voice, 1.0, Lexicon(), Path(folder))
        cases: dict[str, list[float]] = {"uncached": [], "cached": []}
        cpu: dict[str, list[float]] = {"uncached": [], "cached": []}
        for case in cases:
            for n in range(args.repeat):
                started, used = time.perf_counter(), cpu_s()
                speak_line(synth, SENTENCE.format(n=n), voice, 1.0, Lexicon(), Path(folder))
                cases[case].append(time.perf_counter() - started)
                cpu[case].append(cpu_s() - used)
    figures = {
        case: {
            "median_s": round(statistics.median(t), 4),
            "worst_s": round(max(t), 4),
            "cpu_median_s": round(statistics.median(cpu[case]), 4),
        }
        for case, t in cases.items()
    }
    load = [round(x, 1) for x in os.getloadavg()]  # the machine may be shared
    report = {"voice": voice.id, "sentences": args.repeat, "load_average": load, **figures}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
