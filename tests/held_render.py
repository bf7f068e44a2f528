"""Hold a real render at chosen stages until the test lets it go: progress without timing.

A render's speed depends on the machine, so a test that needs a render to be still running (to
see its progress edited, to cancel it, to restart in its middle) holds it instead of hoping it
is slow. The gate wraps the engine's render function, so the render is the real one (Piper,
ffmpeg) in its real worker thread; it only waits, right after reporting a chosen stage for the
first time, until the test releases that stage.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence

from core.config import Settings
from core.engine.model import Progress, RenderRequest, RenderResult

RenderFunction = Callable[[RenderRequest, Settings, Progress], RenderResult]
HOLD_LIMIT_S = 300.0  # a forgotten release never hangs the suite for longer


class RenderGate:
    """Each render stops after it first reports one of `stages`, until release(stage)."""

    def __init__(self, stages: Sequence[str] = ("speech", "mix")) -> None:
        self.stages = tuple(stages)
        self._reached = {stage: threading.Event() for stage in self.stages}
        self._released = {stage: threading.Event() for stage in self.stages}

    def wrap(self, render: RenderFunction) -> RenderFunction:
        """`render` with the holds added to its progress callback."""

        def held(request: RenderRequest, settings: Settings, progress: Progress) -> RenderResult:
            passed: set[str] = set()

            def report(stage: str, percent: float) -> None:
                progress(stage, percent)  # first: the backend shows where the render waits
                if stage in self._released and stage not in passed:
                    passed.add(stage)
                    self._reached[stage].set()
                    self._released[stage].wait(HOLD_LIMIT_S)

            return render(request, settings, report)

        return held

    async def reached(self, stage: str, within_s: float = 120.0) -> None:
        """Wait until a render is held at `stage`."""
        if not await asyncio.to_thread(self._reached[stage].wait, within_s):
            raise AssertionError(f"no render reached the {stage!r} stage within {within_s}s")

    def release(self, stage: str) -> None:
        """Let renders go on past `stage` (now and from now on)."""
        self._released[stage].set()

    def release_all(self) -> None:
        """Let every render run freely."""
        for stage in self.stages:
            self.release(stage)
