"""Time as a port: the real clock, or a fake one in tests (tests/fakes.py: FakeClock)."""

from __future__ import annotations

import asyncio
import time
from typing import Protocol


class Clock(Protocol):
    """What the core needs of time: read it, and wait."""

    def now(self) -> float:
        """Seconds since the epoch."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait this long."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> float:
        """Seconds since the epoch."""
        return time.time()

    async def sleep(self, seconds: float) -> None:
        """Wait this long without blocking the loop."""
        await asyncio.sleep(max(0.0, seconds))


class MonotonicClock(SystemClock):
    """The real clock for measuring spans (deadlines): it never jumps with the wall clock."""

    def now(self) -> float:
        """Seconds on the monotonic clock (only differences mean anything)."""
        return time.monotonic()
