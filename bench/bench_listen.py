"""Benchmark the edit page's Listen as the service speaks it (its own one-worker synthesizer
behind the speech cache under DATA_DIR, the voices shared with the renders' synthesizer):

- cold: the first Listen in a process where no voice is loaded yet (the model is loaded);
- warm: new sentences once the service's synthesizer has loaded the voice (as the service does
  at start-up): no second copy is loaded (`voice_loads` stays 1);
- cached: the same sentences again: the clip is a file that exists (nothing is spoken).

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
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.config import Settings  # noqa: E402
from core.engine.lexicon import Lexicon  # noqa: E402
from core.engine.line_audio import speak_line  # noqa: E402
from core.engine.speech_cache import with_cache  # noqa: E402
from core.engine.tts import get_synthesizer, listen_synthesizer  # noqa: E402
from core.engine.voices import installed_voices  # noqa: E402

SENTENCE = "Meet Aurora, the desk lamp that follows the sun, number {n}."


def cpu_s() -> float:
    """CPU seconds this process has used (every thread)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(speak: Callable[[], object]) -> tuple[float, float]:
    """(wall, CPU) seconds of one call."""
    started, used = time.perf_counter(), cpu_s()
    speak()
    return time.perf_counter() - started, cpu_s() - used


def main() -> None:
    """Time a cold Listen, then warm ones on distinct sentences, then the same ones cached."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    voice = installed_voices(None)[0]
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(_env_file=None, data_dir=Path(folder))  # type: ignore[call-arg]
        listen = listen_synthesizer()
        synth = with_cache(listen, settings)  # as core/web/edit_actions.py speaks a line

        def say(text: str) -> Callable[[], object]:
            return lambda: speak_line(synth, text, voice, 1.0, Lexicon(), Path(folder) / "l")

        cold = timed(say("Cold start, the first line spoken."))
        get_synthesizer(settings.tts_threads).preload(voice)  # the service's start-up preload
        cases: dict[str, list[tuple[float, float]]] = {"warm": [], "cached": []}
        for runs in cases.values():  # warm: new sentences; cached: the same again
            for n in range(args.repeat):
                runs.append(timed(say(SENTENCE.format(n=n))))
    figures = {
        case: {
            "median_s": round(statistics.median(t for t, _ in runs), 4),
            "worst_s": round(max(t for t, _ in runs), 4),
            "cpu_median_s": round(statistics.median(c for _, c in runs), 4),
        }
        for case, runs in cases.items()
    }
    load = [round(x, 1) for x in os.getloadavg()]  # the machine may be shared
    report = {
        "voice": voice.id,
        "sentences": args.repeat,
        "load_average": load,
        "voice_loads": listen.loads,  # 1: the Listen and the renders share the loaded voice
        "cold": {"wall_s": round(cold[0], 4), "cpu_s": round(cold[1], 4)},
        **figures,
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
