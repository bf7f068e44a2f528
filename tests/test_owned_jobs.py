"""JobQueue.owned, which GET /api/v1/jobs pages: an owner's jobs of every kind (chat- and
API-made), newest first in a stable (created, id) order, by state, below a mark; in SQLite
and in a real Valkey (whose expired records leave the index)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.jobs.redis_queue import RedisJobQueue
from core.jobs.sqlite_queue import SqliteJobQueue
from core.store import Store
from core.work.model import Job, JobStatus
from core.work.queue import JobQueue


@pytest.fixture(params=["sqlite", "redis"])
async def queue(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[JobQueue]:
    if request.param == "sqlite":
        store = await Store(tmp_path / "jobs.db").open()
        yield SqliteJobQueue(store)
        await store.close()
        return
    jobs = RedisJobQueue.from_url(request.getfixturevalue("redis_url"))
    try:
        yield jobs
    finally:
        await jobs.close()


async def add(queue: JobQueue, owner: str, message: str, kind: str, platform: str) -> Job:
    job, _ = await queue.enqueue(
        owner=owner,
        kind=kind,
        platform=platform,
        chat_id=owner,
        message_id=message,
        reply_context={},
        language="en",
        session_id="s",
        inputs={},
    )
    assert job is not None
    return job


async def pages(queue: JobQueue, owner: str, size: int, state: JobStatus | None) -> list[str]:
    """Every page of `size`, following the mark of each page's last job."""
    seen: list[str] = []
    after = None
    while True:
        page = await queue.owned(owner, state, after, size)
        seen += [job.id for job in page]
        if len(page) < size:
            return seen
        after = (page[-1].created, page[-1].id)


async def test_an_owners_jobs_of_every_kind_newest_first_in_pages(queue: JobQueue) -> None:
    made = []
    for n in range(5):
        kind, platform = ("render", "console") if n % 2 else ("api_render", "api")
        made.append(await add(queue, "console:you", f"m{n}", kind, platform))
    other = await add(queue, "console:someone", "x", "render", "console")
    newest_first = [job.id for job in made[::-1]]
    assert await pages(queue, "console:you", 2, None) == newest_first
    assert await pages(queue, "console:you", 10, None) == newest_first
    assert other.id not in newest_first and await pages(queue, "console:someone", 3, None) == [
        other.id
    ]
    assert await queue.cancel_queued(made[1].id) and await queue.cancel_queued(made[3].id)
    cancelled = await pages(queue, "console:you", 1, JobStatus.CANCELLED)
    assert cancelled == [made[3].id, made[1].id]
    assert await pages(queue, "console:you", 1, JobStatus.QUEUED) == [
        made[4].id,
        made[2].id,
        made[0].id,
    ]
    first = await queue.owned("console:you", None, None, 2)
    await add(queue, "console:you", "later", "api_render", "api")  # a new job: pages stay put
    rest = await queue.owned("console:you", None, (first[-1].created, first[-1].id), 10)
    assert [job.id for job in first + rest] == newest_first


async def test_jobs_made_at_the_same_instant_keep_one_order(tmp_path: Path) -> None:
    store = await Store(tmp_path / "jobs.db").open()
    queue = SqliteJobQueue(store)
    made = [await add(queue, "api:a", f"m{n}", "render", "api") for n in range(4)]
    await store.execute("UPDATE jobs SET created=1000.5")
    expected = sorted((job.id for job in made), reverse=True)
    assert await pages(queue, "api:a", 1, None) == expected
    assert await pages(queue, "api:a", 3, None) == expected
    await store.close()


async def test_expired_redis_records_leave_the_owners_index(redis_url: str) -> None:
    queue = RedisJobQueue.from_url(redis_url)
    try:
        made = [await add(queue, "api:b", f"m{n}", "render", "api") for n in range(3)]
        await queue.redis.delete(queue._key(made[1].id))  # as ENDED_TTL_S would
        listed = await queue.owned("api:b", None, None, 10)
        assert [job.id for job in listed] == [made[2].id, made[0].id]
        left = await queue.redis.zrange(queue._owned("api:b"), 0, -1)
        assert sorted(i.decode() for i in left) == sorted([made[0].id, made[2].id])
    finally:
        await queue.close()
