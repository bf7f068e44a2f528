"""SAQ's gaps under churn, against a real Valkey, forced step by step (no timing): a sweeper
killed inside its abort wait strands a job, and our reconciler hands it back; a job handed to
two workers at once is rendered by one of them only (the attempt token fences the other)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from core.config import Settings
from core.jobs.reconcile import GRACE_S, Reconciler
from core.jobs.redis_queue import RedisJobQueue
from core.service import Service
from core.work.model import ACTIVE, JobStatus
from core.worker import RenderWorker
from tests.chat_helpers import SCRIPT, incoming
from tests.fakes import RecordingChat
from tests.test_redis_queue import add, queued_in_saq


@pytest.fixture
async def queue(redis_url: str) -> AsyncIterator[RedisJobQueue]:
    jobs = RedisJobQueue.from_url(redis_url, lease_s=2)
    try:
        yield jobs
    finally:
        await jobs.close()


async def saq_lists(queue: RedisJobQueue) -> dict[str, list[str]]:
    """Which of SAQ's lists hold which of its job ids."""
    saq, redis = queue.saq, queue.redis
    found = {
        "queued": await redis.lrange(saq._queued, 0, -1),
        "active": await redis.lrange(saq._active, 0, -1),
        "incomplete": await redis.zrange(saq._incomplete, 0, -1),
    }
    return {name: [i.decode() for i in ids] for name, ids in found.items()}


async def test_a_sweeper_killed_in_its_abort_wait_strands_the_job_and_we_hand_it_back(
    queue: RedisJobQueue,
) -> None:
    job_id = await add(queue, "telegram:1", "m1")
    taken = await queue.saq.dequeue(timeout=1)  # handed out: in SAQ's active list …
    assert taken is not None and taken.key == job_id  # … its worker dies before a step more
    sweep = asyncio.create_task(queue.saq.sweep(abort=60))  # waits for the dead worker
    for _ in range(6000):  # until the sweep has marked it (a bound against a hang only)
        if (await queue.saq.job(job_id)).status == "aborting":  # type: ignore[union-attr]
            break
        await asyncio.sleep(0.01)
    sweep.cancel()  # the sweeping worker is killed inside that wait
    await asyncio.gather(sweep, return_exceptions=True)
    stranded = await queue.saq.job(job_id)
    assert stranded is not None and (stranded.status, stranded.error) == ("aborting", "swept")
    lists = await saq_lists(queue)
    assert all(taken.id not in ids for ids in lists.values()), lists  # in no list: stranded
    assert await queue.saq.sweep(abort=0.1) == []  # no later sweep finds it
    assert (await queue.get(job_id)).status is JobStatus.QUEUED  # type: ignore[union-attr]

    reconciler, now = Reconciler(queue), time.time()
    assert await reconciler.run_once(now) == []  # seen lost once: SAQ may still put it back
    assert await reconciler.run_once(now + GRACE_S) == [job_id]
    assert await queued_in_saq(queue) == [job_id]  # back in the queue, once
    assert await Reconciler(queue).run_once(now + 2 * GRACE_S) == []  # held again: left alone
    again = await queue.saq.dequeue(timeout=1)
    assert again is not None and again.key == job_id and again.status == "queued"


async def test_a_running_job_whose_worker_and_sweeper_died_goes_back_after_its_lease(
    queue: RedisJobQueue,
) -> None:
    job_id = await add(queue, "telegram:1", "m1")
    taken = await queue.saq.dequeue(timeout=1)
    assert taken is not None
    await taken.update(status="active", attempts=1)
    running = await queue.start(job_id, 1)
    assert running is not None and running.lease
    await queue.saq.abort(taken, "swept")  # the sweep's first step; then it dies
    reconciler, now = Reconciler(queue), time.time()
    assert await reconciler.run_once(now) == []  # the lease is live: its worker may be alive
    late = running.lease_until + 0.1
    assert await reconciler.run_once(late) == []
    assert await reconciler.run_once(late + GRACE_S) == [job_id]  # lease + the grace
    assert await queued_in_saq(queue) == [job_id]


async def test_an_attempt_token_fences_a_second_attempt(queue: RedisJobQueue) -> None:
    job_id = await add(queue, "telegram:1", "m1")
    first = await queue.start(job_id, 1)
    assert first is not None
    assert await queue.start(job_id, 2) is None  # a duplicate hand-out: the lease is live
    assert await queue.holds(first) and await queue.renew(first)
    await queue._change(job_id, ACTIVE, {"lease_until": 0.0})  # its worker went silent
    second = await queue.start(job_id, 2)  # … so another attempt takes over
    assert second is not None and second.lease != first.lease
    assert not await queue.holds(first) and not await queue.renew(first)
    assert await queue.holds(second)


@pytest.fixture
def cluster_settings(settings: Settings, redis_url: str) -> Settings:
    return settings.model_copy(update={"queue_url": redis_url, "http_port": 0, "job_lease_s": 30})


async def test_two_workers_handed_the_same_job_render_it_once(
    cluster_settings: Settings, tiny: Path
) -> None:
    chat = RecordingChat()
    async with Service(cluster_settings) as bot:  # renders nothing itself: workers do
        await bot.handle(incoming(SCRIPT, files=(tiny,), user="5"), chat)
        (job,) = await bot.jobs.active_for("telegram:5")
        saq = bot.jobs.saq  # type: ignore[attr-defined]
        taken = await saq.dequeue(timeout=5)
        assert taken is not None and taken.key == job.id
        await taken.update(status="active", attempts=1)
        twice = await saq.job(job.id)  # the same job, as a sweeper's re-run hands it out
        workers = [RenderWorker(cluster_settings) for _ in range(2)]  # one DATA_DIR: one media
        try:
            await asyncio.gather(
                workers[0].run_job({"job": taken}, job_id=job.id),  # type: ignore[typeddict-item]
                workers[1].run_job({"job": twice}, job_id=job.id),  # type: ignore[typeddict-item]
            )
            # Whichever worker lost the race returned before opening its store: read the file.
            store = await workers[0].backend.store.open()
            renders = await store.fetchall("SELECT id FROM renders WHERE ref=?", (job.id,))
        finally:
            for worker in workers:
                await worker.backend.aclose()
                await worker.jobs.close()
        assert len(renders) == 1  # rendered once (both workers record renders in one file)
        await chat.wait_for(lambda c: len(c.results) == 1, 120)
        done = await bot.jobs.get(job.id)
        assert done is not None and done.status is JobStatus.DONE and done.attempts == 1
        credits = await bot.backend.credits("telegram:5")
        assert (credits.available, credits.frozen) == (90, 0)


async def test_a_cancel_that_loses_to_a_workers_finish_keeps_the_charge(
    cluster_settings: Settings, tiny: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chat = RecordingChat()
    async with Service(cluster_settings) as bot:
        await bot.handle(incoming(SCRIPT, files=(tiny,), user="6"), chat)
        (job,) = await bot.jobs.active_for("telegram:6")
        assert await bot.jobs.start(job.id, 1) is not None  # type: ignore[attr-defined]
        read = bot.jobs.get

        async def read_then_worker_finishes(job_id: str) -> Any:
            """The hook: /cancel reads the job running, then the worker's finish lands."""
            monkeypatch.setattr(bot.jobs, "get", read)
            found = await read(job_id)
            await bot.jobs.finish(job_id, JobStatus.DONE, output={"narration_s": 3.0})
            return found

        for task in list(bot._tasks):  # the bot's follower stopped: it hands over below
            task.cancel()
        await asyncio.gather(*bot._tasks, return_exceptions=True)

        running = await bot.queue.get(job.id)  # what /cancel saw: running
        assert running is not None and running.status is JobStatus.RUNNING
        monkeypatch.setattr(bot.jobs, "get", read_then_worker_finishes)
        assert not await bot.queue.cancel(running)  # it lost: the job had finished
        assert bot.remote is not None
        await bot.remote.ended(job.id)  # the bot hands the ended job over: settles, tells
        credits = await bot.backend.credits("telegram:6")
        assert (credits.available, credits.frozen) == (90, 0)  # charged, not released
        assert (await bot.jobs.get(job.id)).status is JobStatus.DONE  # type: ignore[union-attr]
