"""The configured job queue: SQLite in this process, or Redis (QUEUE_URL) run by workers."""

from __future__ import annotations

from core.config import Settings
from core.jobs.redis_queue import RedisJobQueue
from core.jobs.sqlite_queue import SqliteJobQueue
from core.store import Store
from core.work.queue import JobQueue


def make_queue(settings: Settings, store: Store) -> JobQueue:
    """Redis when QUEUE_URL is set, else the SQLite queue in `store`."""
    if settings.queue_url:
        return RedisJobQueue.from_url(settings.queue_url, settings.job_lease_s)
    return SqliteJobQueue(store)
