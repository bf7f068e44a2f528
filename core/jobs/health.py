"""Is the service able to work (the queue and the media store reachable), and its job gauges."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from core.media.store import MediaStore
from core.metrics import Metrics
from core.work.queue import JobQueue

log = logging.getLogger(__name__)
CHECK_TIMEOUT_S = 5.0


async def problems(jobs: JobQueue, media: MediaStore) -> list[str]:
    """One line for each of the queue and the store that can't be reached now ([] when ready)."""
    found = []
    for name, check in (("QUEUE_URL", jobs.check), ("STORAGE_URL", media.check)):
        try:
            await asyncio.wait_for(check(), CHECK_TIMEOUT_S)
        except Exception as exc:  # the reason, never a URL or a credential
            found.append(f"{name} can't be reached ({type(exc).__name__})")
    return found


async def refresh_gauges(metrics: Metrics, jobs: JobQueue) -> None:
    """Jobs by state and workers seen, just before a scrape."""
    with contextlib.suppress(Exception):
        counts, workers = await jobs.gauges()
        for state, count in counts.items():
            metrics.jobs.labels(state=state).set(count)
        if workers is not None:
            metrics.workers.set(workers)
