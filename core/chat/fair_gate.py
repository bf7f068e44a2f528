"""A fixed number of slots for heavy work (probing a file), handed out round-robin across the
users waiting: however many items one user has waiting, another user's next item waits for at
most one of theirs. Not timed: a slot goes to the next user in turn as soon as one is freed."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class FairGate:
    """`async with gate.slot(owner):` runs when a slot is free and it is the owner's turn."""

    def __init__(self, slots: int) -> None:
        self.free = max(1, slots)
        self._waiting: dict[str, deque[asyncio.Future[None]]] = {}
        self._turns: deque[str] = deque()  # owners with someone waiting, in turn order

    def waiting(self, owner: str) -> int:
        """How many of the owner's items wait for a slot."""
        return len(self._waiting.get(owner, ()))

    @asynccontextmanager
    async def slot(self, owner: str) -> AsyncIterator[None]:
        """Hold one slot for the block (waiting for the owner's turn first)."""
        await self._acquire(owner)
        try:
            yield
        finally:
            self._release()

    async def _acquire(self, owner: str) -> None:
        if self.free > 0 and not self._turns:
            self.free -= 1
            return
        granted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        queue = self._waiting.setdefault(owner, deque())
        queue.append(granted)
        if owner not in self._turns:
            self._turns.append(owner)
        try:
            await granted
        except asyncio.CancelledError:
            if granted.done() and not granted.cancelled():
                self._release()  # handed a slot as it was cancelled: pass it on
            else:
                self._withdraw(owner, granted)
            raise

    def _withdraw(self, owner: str, granted: asyncio.Future[None]) -> None:
        queue = self._waiting.get(owner)
        if queue is not None and granted in queue:
            queue.remove(granted)
            if not queue:
                del self._waiting[owner]
                self._turns.remove(owner)

    def _release(self) -> None:
        """Hand the freed slot to the next owner in turn (their oldest item), else keep it."""
        while self._turns:
            owner = self._turns.popleft()
            queue = self._waiting[owner]
            granted = queue.popleft()
            if queue:
                self._turns.append(owner)  # their next item waits for everyone else's turn
            else:
                del self._waiting[owner]
            if not granted.done():
                granted.set_result(None)
                return
        self.free += 1
