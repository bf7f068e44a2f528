"""A one-line terminal progress bar for the engine's (stage, percent) callbacks."""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import TextIO

STAGES = ("probe", "speech", "mix", "encode")
WEIGHTS = {"probe": 3.0, "speech": 42.0, "mix": 10.0, "encode": 45.0}


def overall_percent(stage: str, percent: float) -> float:
    """A stage's percent as a share of the whole render (other stages, e.g. download, as is)."""
    if stage not in STAGES:
        return min(100.0, max(0.0, percent))
    done = sum(WEIGHTS[s] for s in STAGES[: STAGES.index(stage)]) if stage in STAGES else 0.0
    return min(100.0, done + WEIGHTS.get(stage, 0.0) * max(0.0, min(percent, 100.0)) / 100)


class ProgressBar:
    """Draws `[#####-----]  52% encode` on stderr, at most 10 times a second."""

    def __init__(self, enabled: bool, stream: TextIO = sys.stderr, width: int = 30) -> None:
        self.enabled, self.stream, self.width = enabled, stream, width
        self._last = 0.0

    def update(self, stage: str, percent: float) -> None:
        """Redraw for (stage, percent)."""
        now = time.monotonic()
        if not self.enabled or (now - self._last < 0.1 and percent < 100):
            return
        self._last = now
        total = overall_percent(stage, percent)
        filled = int(self.width * total / 100)
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r[{bar}] {total:3.0f}% {stage:<7}")
        self.stream.flush()

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()
