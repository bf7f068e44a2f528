"""The configured job queue: SQLite in this process, or Redis (QUEUE_URL) run by workers."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, TypeGuard

from core.config import Settings
from core.jobs.sqlite_queue import SqliteJobQueue
from core.store import Store
from core.work.queue import JobQueue

if TYPE_CHECKING:  # redis and SAQ are imported only with QUEUE_URL
    from core.jobs.redis_queue import RedisJobQueue


def make_queue(settings: Settings, store: Store) -> JobQueue:
    """Redis when QUEUE_URL is set, else the SQLite queue in `store`."""
    if settings.queue_url:
        from core.jobs.redis_queue import RedisJobQueue

        return RedisJobQueue.from_url(settings.queue_url, settings.job_lease_s)
    return SqliteJobQueue(store)


def on_workers(jobs: JobQueue) -> TypeGuard[RedisJobQueue]:
    """True when `jobs` is the Redis queue, whose renders run in `voiceover worker`s (told
    without importing redis: a queue can't be one if its module was never loaded)."""
    module = sys.modules.get("core.jobs.redis_queue")
    return module is not None and isinstance(jobs, module.RedisJobQueue)
