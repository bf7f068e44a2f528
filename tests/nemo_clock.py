"""One fake time shared by the fake NemoVideo server and the backend under test.

The server's scripted steps pass it (Step.sleep_s) instead of sleeping, and before each step
that passes time it waits until the backend has read the clock since the server's last write:
the backend reads it once per chunk, after handling the chunk. So bytes and time move in lock
step, and "heartbeats only for longer than heartbeat_only_s" comes after the same number of
heartbeats however slow or loaded the machine is. The backend's own waits pass it too.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from tests.fakes import FakeClock

STEP_S = 0.01  # advance in steps this small, so every sleeper wakes at its own moment


class NemoTime:
    """The backend's Clock (pass as clock=), and the fake server's time."""

    def __init__(self, clock: FakeClock | None = None) -> None:
        self.clock = clock or FakeClock()
        self._read = asyncio.Event()
        self._unread = False  # the server wrote something the backend has not read the time after

    def now(self) -> float:
        """The fake time (the backend reading it: it has handled what it was sent)."""
        self._unread = False
        self._read.set()
        return self.clock.now()

    async def sleep(self, seconds: float) -> None:
        """The backend waiting: the time passes by that much."""
        await self.clock.advance(max(0.0, seconds), step=STEP_S)

    def wrote(self) -> None:
        """The server sent bytes."""
        self._unread = True
        self._read.clear()

    async def pass_after_read(self, seconds: float, gone: Callable[[], bool]) -> bool:
        """The server letting `seconds` pass, once the backend has read the time since the last
        write; False when the backend hung up instead (it will never read)."""
        if self._unread and not await until_set(self._read, gone):
            return False
        await self.clock.advance(seconds, step=STEP_S)
        return True


async def until_set(event: asyncio.Event, gone: Callable[[], bool]) -> bool:
    """Wait until `event` is set (True) or `gone()` says the client hung up (False)."""
    while not event.is_set():
        if gone():
            return False
        with contextlib.suppress(TimeoutError):  # real time only to notice a hang-up
            await asyncio.wait_for(event.wait(), 0.01)
    return True
