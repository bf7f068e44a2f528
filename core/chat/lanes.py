"""Each user's messages in the order they arrived; a cancel stops everything sent before it.

One exception to the order: a pure read (/status, /credits, /help, /voices) does not wait for
the user's earlier *slow* messages (files being received and probed), only for the others:
their edits and scripts, which it may read and which are quick. An edit sent after a file
waits for that file, so a read sent after that edit waits for both, as it must. A read that
went ahead answers from the state as it is: the file not in it yet (its own reply follows)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


class Lanes:
    """One lane per owner: work runs one message at a time, in the order it was submitted."""

    def __init__(self) -> None:
        self._open: dict[str, set[asyncio.Task[object]]] = {}
        self._work: set[asyncio.Task[object]] = set()  # the ones a preempting message stops
        self._slow: set[asyncio.Task[object]] = set()  # the ones a pure read does not wait for

    def submit(
        self,
        owner: str,
        work: Callable[[], Awaitable[T]],
        *,
        preempt: bool = False,
        stoppable: bool = True,
        slow: bool = False,
        pure_read: bool = False,
    ) -> tuple[asyncio.Task[T], int]:
        """Queue `work` behind the owner's earlier messages (synchronously: call order is kept).

        With `preempt`, every earlier `stoppable` message still waiting or running is cancelled
        first (the others still run, in order); returns the task and how many were cancelled.
        A `pure_read` waits for the earlier messages that are not `slow` only (see above).
        """
        earlier = self._open.setdefault(owner, set())
        stopped = 0
        if preempt:
            for waiting in earlier & self._work:
                stopped += int(waiting.cancel())
        waits_for = earlier - self._slow if pure_read else set(earlier)
        task: asyncio.Task[T] = asyncio.ensure_future(self._after(waits_for, work))
        earlier.add(task)
        if stoppable:
            self._work.add(task)
        if slow:
            self._slow.add(task)
        task.add_done_callback(lambda done: self._forget(owner, done))
        return task, stopped

    @staticmethod
    async def _after(earlier: set[asyncio.Task[object]], work: Callable[[], Awaitable[T]]) -> T:
        if earlier:  # every one, to its very end (a cancelled one may still be cleaning up)
            await asyncio.wait(earlier)
        return await work()

    def _forget(self, owner: str, task: asyncio.Task[object]) -> None:
        self._work.discard(task)
        self._slow.discard(task)
        open_tasks = self._open.get(owner)
        if open_tasks is not None:
            open_tasks.discard(task)
            if not open_tasks:
                del self._open[owner]

    def busy(self, owner: str) -> bool:
        """True while the owner has a message waiting or being handled."""
        return bool(self._open.get(owner))

    async def stop(self) -> None:
        """Cancel every message still waiting or running (at shutdown)."""
        tasks = [task for tasks in self._open.values() for task in tasks]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
