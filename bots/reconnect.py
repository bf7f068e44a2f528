"""Reaching a chat platform at start: retry with a capped backoff while it is unreachable."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from core.clock import Clock, SystemClock

log = logging.getLogger(__name__)

FIRST_WAIT_S = 1.0
MAX_WAIT_S = 60.0
REASON_CHARS = 200


async def until_stopped(work: Awaitable[object], stop: asyncio.Event) -> bool:
    """Await `work` unless `stop` is set first (work is then cancelled): True if it finished."""
    task = asyncio.ensure_future(work)
    stopping = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({task, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    if task.cancelled():
        return False
    task.result()  # re-raises the work's failure
    return True


def backoff(first_s: float = FIRST_WAIT_S, max_s: float = MAX_WAIT_S) -> list[float]:
    """The waits between attempts until the cap is reached: 1, 2, 4, …, 32, 60."""
    waits = [first_s]
    while waits[-1] < max_s:
        waits.append(min(waits[-1] * 2, max_s))
    return waits


def reason(error: BaseException) -> str:
    """An exception as a short single line (its type and message)."""
    text = " ".join(str(error).split())
    name = type(error).__name__
    return (f"{name}: {text}" if text else name)[:REASON_CHARS]


async def keep_trying(
    platform: str,
    attempt: Callable[[], Awaitable[None]],
    stop: asyncio.Event,
    *,
    retry_on: tuple[type[BaseException], ...],
    clock: Clock | None = None,
) -> None:
    """Run attempt() until it returns or `stop` is set; after a failure of a retry_on kind, log
    one warning line (no traceback) and wait 1 s, doubling to 60 s, before the next attempt.

    `attempt` must itself return soon after `stop` is set; the waits end at once when it is.
    """
    clock = clock or SystemClock()
    waits = backoff()
    failures = 0
    while not stop.is_set():
        try:
            await attempt()
            return
        except retry_on as error:
            wait = waits[min(failures, len(waits) - 1)]
            failures += 1
            log.warning(
                "%s is unreachable (%s); trying again in %.0f s", platform, reason(error), wait
            )
        if not await until_stopped(clock.sleep(wait), stop):
            return
