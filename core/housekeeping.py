"""Housekeeping: what killed processes left behind (at start), and what aged out (hourly);
shared by the service and `voiceover worker`."""

from __future__ import annotations

import asyncio
import logging
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from core.backends.base import Backend, Pinned
from core.config import Settings
from core.delivery.results import cleanup_results
from core.engine.leftovers import remove_stale_work
from core.media.store import MediaStore
from core.work.model import Job
from core.work.queue import JobQueue

log = logging.getLogger(__name__)
MAINTENANCE_EVERY_S = 3600.0


Expire = Callable[[float, float], Awaitable[int]]
"""Remove what is older than (age_s, now); how many (upload links, result pages' pictures)."""


async def remove_dead_work(settings: Settings, media: MediaStore) -> int:
    """What dead processes left: their temp work, partial renders and files on the way in."""
    renders = settings.data_dir / "local" / "renders"
    removed = await asyncio.to_thread(remove_stale_work, Path(tempfile.gettempdir()), renders)
    return removed + await media.clear_staging()


async def remove_leftovers(
    settings: Settings, media: MediaStore, backend: Backend, jobs: JobQueue
) -> int:
    """What a killed process left: its dead work (remove_dead_work), the pins and unmoved
    render files of ended jobs."""
    removed = await remove_dead_work(settings, media)
    active = await jobs.active_jobs()
    removed += await backend.sweep_pins(
        {Pinned.from_record(j.inputs).payload.get("pin") for j in active}
    )
    removed += await remove_unkept_renders(backend, jobs, active)
    if removed:
        log.info("removed %d leftovers of an earlier process", removed)
    return removed


async def remove_unkept_renders(
    backend: Backend, jobs: JobQueue, active: Sequence[Job] | None = None
) -> int:
    """Finished renders' files that no waiting or running job (`active`, else asked for) will
    move into the media store: a killed attempt's, or one whose job another worker took."""
    if active is None:
        active = await jobs.active_jobs()
    return await backend.sweep_renders({j.handle for j in active if j.handle})


async def maintain(settings: Settings, media: MediaStore, others: Sequence[Expire]) -> None:
    """Every hour: expire_once."""
    while True:
        removed = await expire_once(settings, media, others)
        if removed:
            log.info("removed %d old results and uploads", removed)
        await asyncio.sleep(MAINTENANCE_EVERY_S)


async def expire_once(settings: Settings, media: MediaStore, others: Sequence[Expire]) -> int:
    """Remove results and uploads older than RESULT_RETENTION_HOURS (a job's pinned copies
    stay), and what `others` hold; returns how many."""
    retention = settings.result_retention_hours * 3600
    folders = [settings.data_dir / "local" / "renders"]
    now = time.time()
    removed = await media.delete_older("results", retention)
    removed += await media.delete_older("uploads", retention)
    removed += await asyncio.to_thread(cleanup_results, folders, retention, now)
    for expire in others:
        removed += await expire(retention, now)
    return removed
