"""Awaiting work that must finish even when the caller is cancelled (commits, rollbacks)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


async def uninterrupted(work: Awaitable[T]) -> T:
    """Await `work` to its end; a cancel that arrives meanwhile is re-raised afterwards."""
    task = asyncio.ensure_future(work)
    cancelled = False
    while not task.done():
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            if task.cancelled():
                raise
            cancelled = True
    if cancelled:
        task.result()  # a failure of the work itself wins over the cancel
        raise asyncio.CancelledError
    return task.result()
