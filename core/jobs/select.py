"""The configured job queue: SQLite in this process, or Redis (QUEUE_URL) run by workers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.config import Settings
from core.jobs.sqlite_queue import SqliteJobQueue
from core.store import Store
from core.work.queue import JobQueue

if TYPE_CHECKING:  # redis and SAQ are imported only with QUEUE_URL
    from core.jobs.redis_queue import RedisJobQueue


@dataclass(frozen=True)
class ChosenQueue:
    """The queue, and (when its renders run in `voiceover worker`s) the same queue as the
    workers' one, which the bot follows (core/jobs/remote.py)."""

    jobs: JobQueue
    workers: RedisJobQueue | None = None


def choose_queue(settings: Settings, store: Store) -> ChosenQueue:
    """Redis when QUEUE_URL is set (renders in workers), else the SQLite queue in `store`."""
    if settings.queue_url:
        from core.jobs.redis_queue import RedisJobQueue

        redis = RedisJobQueue.from_url(settings.queue_url, settings.job_lease_s)
        return ChosenQueue(redis, redis)
    return ChosenQueue(SqliteJobQueue(store))


def make_queue(settings: Settings, store: Store) -> JobQueue:
    """Redis when QUEUE_URL is set, else the SQLite queue in `store`."""
    return choose_queue(settings, store).jobs
