"""The Redis job queue against a real Valkey server: jobs once per message, one owner's jobs one
at a time in order, supersede, an end recorded once, cancel reaching the worker that holds a
job, a silent worker's job run again by another, a stopped worker handing its job back."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from saq import Worker
from saq.types import Context

from core.clock import SystemClock
from core.jobs.heartbeat import HeartbeatTimings
from core.jobs.redis_queue import RedisJobQueue
from core.jobs.redis_reads import RUN_JOB
from core.jobs.remote import RemoteJobs
from core.metrics import Metrics
from core.work.chats import ChatDirectory
from core.work.model import JobStatus

Body = Callable[[str], Awaitable[None]]


@pytest.fixture
async def queue(redis_url: str) -> AsyncIterator[RedisJobQueue]:
    jobs = RedisJobQueue.from_url(redis_url, lease_s=2)
    try:
        yield jobs
    finally:
        await jobs.close()


async def add(queue: RedisJobQueue, owner: str, message: str, **extra: Any) -> str:
    job, _ = await queue.enqueue(
        owner=owner,
        kind="render",
        platform="telegram",
        chat_id=owner,
        message_id=message,
        reply_context={},
        language="en",
        session_id="s",
        inputs={"payload": {"pin": message}},
        **extra,
    )
    assert job is not None
    return job.id


async def queued_in_saq(queue: RedisJobQueue) -> list[str]:
    ids = await queue.redis.lrange(queue.saq.namespace("queued"), 0, -1)
    return [queue.saq.job_key_from_id(i.decode()) for i in ids]


async def test_a_message_makes_one_job_and_is_remembered(queue: RedisJobQueue) -> None:
    await add(queue, "telegram:1", "m1")
    again, replaced = await queue.enqueue(
        owner="telegram:1",
        kind="render",
        platform="telegram",
        chat_id="1",
        message_id="m1",
        reply_context={},
        language="en",
        session_id="s",
        inputs={},
    )
    assert again is None and replaced == []
    assert await queue.seen("telegram", "m1") and not await queue.seen("telegram", "m2")
    await queue.mark_seen("telegram", "m2")
    assert await queue.seen("telegram", "m2")


async def test_one_owner_runs_one_job_at_a_time_in_order(queue: RedisJobQueue) -> None:
    a1, a2 = await add(queue, "u:a", "a1"), await add(queue, "u:a", "a2")
    b1 = await add(queue, "u:b", "b1")
    assert await queued_in_saq(queue) == [a1, b1]  # a2 waits for a1
    assert [j.id for j in await queue.active_for("u:a")] == [a1, a2]
    assert await queue.position(await queue.get(b1)) == 3  # type: ignore[arg-type]
    assert await queue.pending_count() == 3
    claimed = await queue.claim()
    assert claimed is not None and claimed.id == a1 and claimed.status is JobStatus.RUNNING
    await queue.finish(a1, JobStatus.DONE, output={"key": "results/x.mp4"})
    assert await queued_in_saq(queue) == [b1, a2]  # a1's end lets a2 in
    assert [j.id for j in await queue.active_for("u:a")] == [a2]
    assert {j.inputs["payload"]["pin"] for j in await queue.active_jobs()} == {"a2", "b1"}


async def test_a_newer_request_supersedes_the_queued_one(queue: RedisJobQueue) -> None:
    a1, a2 = await add(queue, "u:a", "a1"), await add(queue, "u:a", "a2")
    await queue.start(a1, 1)
    job, replaced = await queue.enqueue(
        owner="u:a",
        kind="render",
        platform="telegram",
        chat_id="1",
        message_id="a3",
        reply_context={},
        language="en",
        session_id="s",
        inputs={},
        supersede=True,
    )
    assert job is not None and [r.id for r in replaced] == [a2]
    stored = await queue.get(a2)
    assert stored is not None and stored.status is JobStatus.CANCELLED and stored.delivered
    assert [j.id for j in await queue.active_for("u:a")] == [a1, job.id]


async def test_an_end_is_recorded_once_and_told_once(queue: RedisJobQueue) -> None:
    a1 = await add(queue, "u:a", "a1")
    await queue.start(a1, 1)
    await queue.update(a1, stage="mix", progress=60.0)
    await queue.finish(a1, JobStatus.DONE, output={"key": "k"})
    await queue.finish(a1, JobStatus.FAILED, error={"code": 5000})  # a late second end
    job = await queue.get(a1)
    assert job is not None and job.status is JobStatus.DONE and job.error is None
    assert [j.id for j in await queue.undelivered()] == [a1]
    await queue.mark_delivered(a1)
    assert await queue.undelivered() == []
    await queue.update(a1, progress=10.0)  # an ended job no longer changes
    assert (await queue.get(a1)).progress == 60.0  # type: ignore[union-attr]
    assert await queue.pending_count() == 0


async def test_only_a_queued_job_is_cancelled_as_queued(queue: RedisJobQueue) -> None:
    a1, b1 = await add(queue, "u:a", "a1"), await add(queue, "u:b", "b1")
    await queue.start(a1, 1)
    assert not await queue.cancel_queued(a1)
    assert await queue.cancel_queued(b1)
    assert b1 not in await queued_in_saq(queue)  # SAQ won't hand it to a worker
    assert (await queue.get(b1)).status is JobStatus.CANCELLED  # type: ignore[union-attr]


@contextlib.asynccontextmanager
async def saq_worker(queue: RedisJobQueue, body: Body, grace_s: int = 0) -> AsyncIterator[Worker]:
    """A SAQ worker running `body(job_id)` the way `voiceover worker` does (start → body)."""

    async def run_job(ctx: Context, *, job_id: str) -> None:
        taken = ctx.get("job")
        assert taken is not None
        job = await queue.start(job_id, taken.attempts)
        if job is None:
            return
        try:
            await body(job_id)
        except asyncio.CancelledError:
            await queue.give_up_lease(job)  # handed back (a stop): the next attempt may start
            raise

    worker = Worker(
        queue.saq,
        functions=[(RUN_JOB, run_job)],
        concurrency=2,
        timers={"sweep": 1, "abort": 1, "worker_info": 1, "schedule": 1},
        dequeue_timeout=0.2,
        shutdown_grace_period_s=grace_s,
    )
    task = asyncio.create_task(worker.start())
    try:
        yield worker
    finally:
        await worker.stop()
        task.cancel()
        with contextlib.suppress(BaseException):
            await task


async def eventually(check: Callable[[], Awaitable[bool]], limit_s: float = 60) -> None:
    """Poll until `check()` (a generous deadline: it only guards against a hang)."""
    deadline = asyncio.get_running_loop().time() + limit_s
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "never happened"
        await asyncio.sleep(0.05)


async def test_cancel_reaches_the_worker_holding_the_job(queue: RedisJobQueue) -> None:
    running, stopped = asyncio.Event(), asyncio.Event()

    async def hold(job_id: str) -> None:
        running.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            stopped.set()
            raise

    a1 = await add(queue, "u:a", "a1")
    async with saq_worker(queue, hold):
        await asyncio.wait_for(running.wait(), 60)
        await queue.finish(a1, JobStatus.CANCELLED)  # what /cancel does for a running job
        await asyncio.wait_for(stopped.wait(), 60)
    saq_job = await queue.saq.job(a1)
    assert saq_job is not None and saq_job.status == "aborted"


async def test_a_silent_workers_job_is_run_again_by_another(queue: RedisJobQueue) -> None:
    a1 = await add(queue, "u:a", "a1")
    taken = await queue.claim()  # a worker took it, then died: no heartbeat ever again
    assert taken is not None and taken.id == a1 and taken.status is JobStatus.RUNNING

    async def render(job_id: str) -> None:
        await queue.finish(job_id, JobStatus.DONE, output={"key": "k"})

    async with saq_worker(queue, render):
        await eventually(lambda: _status_is(queue, a1, JobStatus.DONE))
    job = await queue.get(a1)
    assert job is not None and job.attempts >= 2  # a later attempt ran it


async def test_a_stopped_worker_hands_its_job_back(queue: RedisJobQueue) -> None:
    running = asyncio.Event()

    async def hold(job_id: str) -> None:
        running.set()
        await asyncio.Event().wait()

    async def render(job_id: str) -> None:
        await queue.finish(job_id, JobStatus.DONE, output={"key": "k"})

    a1 = await add(queue, "u:a", "a1")
    async with saq_worker(queue, hold):
        await asyncio.wait_for(running.wait(), 60)
    # stopped (SIGTERM) with no grace left: the job went back to the queue, not lost
    assert a1 in await queued_in_saq(queue)
    async with saq_worker(queue, render):
        await eventually(lambda: _status_is(queue, a1, JobStatus.DONE))


async def _status_is(queue: RedisJobQueue, job_id: str, status: JobStatus) -> bool:
    job = await queue.get(job_id)
    return job is not None and job.status is status


async def test_the_bot_knows_when_every_worker_slot_is_taken(queue: RedisJobQueue) -> None:
    follower = RemoteJobs(
        queue, ChatDirectory(), SystemClock(), HeartbeatTimings(), _nothing, Metrics()
    )
    await queue.saq.worker_info("w1", queue_key=queue.saq.name, metadata={"slots": 2}, ttl=60)
    await add(queue, "u:a", "a1")
    await follower.refresh()
    assert not follower.busy()  # one job, two slots: the next starts at once
    await add(queue, "u:b", "b1")
    await follower.refresh()
    assert follower.busy()  # two jobs, two slots: the next waits
    assert await queue.worker_count() == 1 and await queue.worker_slots() == 2


async def _nothing(job_id: str) -> None:
    """No hand-over in this test."""
