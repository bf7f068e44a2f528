"""Is the service able to work (the queue and the media store reachable), and its job gauges."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from core.jobs.select import on_workers
from core.metrics import Metrics

if TYPE_CHECKING:
    from core.jobs.select import AnyJobQueue
    from core.media.select import AnyMediaStore

log = logging.getLogger(__name__)
CHECK_TIMEOUT_S = 5.0


async def problems(jobs: AnyJobQueue, media: AnyMediaStore) -> list[str]:
    """One line for each of the queue and the store that can't be reached now ([] when ready)."""
    found = []
    for name, check in (("QUEUE_URL", jobs.check), ("STORAGE_URL", media.check)):
        try:
            await asyncio.wait_for(check(), CHECK_TIMEOUT_S)
        except Exception as exc:  # the reason, never a URL or a credential
            found.append(f"{name} can't be reached ({type(exc).__name__})")
    return found


async def refresh_gauges(metrics: Metrics, jobs: AnyJobQueue) -> None:
    """Jobs by state and workers seen, just before a scrape."""
    with contextlib.suppress(Exception):
        if on_workers(jobs):
            for state, count in (await jobs.counts()).items():
                metrics.jobs.labels(state=state).set(count)
            metrics.workers.set(await jobs.worker_count())
        else:
            metrics.jobs.labels(state="active").set(await jobs.pending_count())
