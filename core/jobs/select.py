"""The configured job queue: SQLite in this process, or Redis (QUEUE_URL) run by workers."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeGuard

from core.config import Settings
from core.jobs.sqlite_queue import SqliteJobQueue
from core.store import Store

if TYPE_CHECKING:  # redis and SAQ are imported only with QUEUE_URL
    from core.jobs.redis_queue import RedisJobQueue

    AnyJobQueue = SqliteJobQueue | RedisJobQueue


def make_queue(settings: Settings, store: Store) -> AnyJobQueue:
    """Redis when QUEUE_URL is set, else the SQLite queue in `store`."""
    if settings.queue_url:
        from core.jobs.redis_queue import RedisJobQueue

        return RedisJobQueue.from_url(settings.queue_url, settings.job_lease_s)
    return SqliteJobQueue(store)


def on_workers(jobs: AnyJobQueue) -> TypeGuard[RedisJobQueue]:
    """True when jobs are rendered by `voiceover worker`s (the Redis queue)."""
    return not isinstance(jobs, SqliteJobQueue)
