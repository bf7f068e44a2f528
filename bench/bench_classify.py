"""How long reading a message takes (the classifier, before any work): every corpus message,
and the longest script allowed. Target: < 5 ms a chat message, < 0.5 s a 20,000-word script
(it runs in a thread, never on the event loop).

Run: .venv/bin/python bench/bench_classify.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.backends.local.classify import State, classify  # noqa: E402
from tests.corpus_flow import HELD_OUT, TUNED, load  # noqa: E402

STATE = State(has_script=True, has_media=True)
LONGEST = " ".join(["Every loaf is shaped by hand before the sun comes up."] * 2000)  # 22k words


def timed(text: str) -> float:
    """Seconds to classify text once."""
    start = time.perf_counter()
    classify(text, STATE)
    return time.perf_counter() - start


def main() -> None:
    """Print the medians and the worst cases."""
    messages = [text for _, text in load(TUNED) + load(HELD_OUT)]
    for text in messages:
        classify(text, STATE)  # compile every pattern first
    each = sorted(timed(text) for text in messages)
    print(
        f"{len(messages)} messages: median {statistics.median(each) * 1000:.2f} ms, "
        f"p95 {each[int(len(each) * 0.95)] * 1000:.2f} ms, max {each[-1] * 1000:.2f} ms"
    )
    longest = min(timed(LONGEST) for _ in range(3))
    print(f"a {len(LONGEST.split())}-word script: {longest:.3f} s")


if __name__ == "__main__":
    main()
