"""Durable jobs: one transaction with the message, slots, one per owner, resume after restart."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from core.jobs.runner import JobRunner
from core.jobs.sqlite_queue import MAX_ATTEMPTS, SqliteJobQueue
from core.store import Store
from core.work.model import Job, JobStatus


@pytest.fixture
async def jobs(tmp_path: Path) -> AsyncIterator[SqliteJobQueue]:
    store = await Store(tmp_path / "jobs.db").open()
    yield SqliteJobQueue(store)
    await store.close()


async def make(jobs: SqliteJobQueue, owner: str, message: str) -> Job | None:
    job, _ = await jobs.enqueue(
        owner=owner,
        kind="render",
        platform="telegram",
        chat_id="c",
        message_id=message,
        reply_context={"thread": "1"},
        language="en",
        session_id="s",
        inputs={"a": 1},
    )
    return job


async def test_a_message_creates_a_job_once(jobs: SqliteJobQueue) -> None:
    first = await make(jobs, "u", "m1")
    assert first is not None and first.status is JobStatus.QUEUED
    assert await make(jobs, "u", "m1") is None
    assert await jobs.seen("telegram", "m1")
    assert await jobs.pending_count() == 1
    assert len(first.id) == 32 and first.reply_context == {"thread": "1"}


async def test_claim_respects_one_running_job_per_owner(jobs: SqliteJobQueue) -> None:
    a1, a2, b1 = [await make(jobs, o, m) for o, m in (("a", "1"), ("a", "2"), ("b", "3"))]
    assert a1 and a2 and b1
    first, second = await jobs.claim(), await jobs.claim()
    assert first and second and {first.id, second.id} == {a1.id, b1.id}
    assert await jobs.claim() is None
    assert await jobs.position(a2) == 1


async def test_resume_requeues_running_jobs_and_gives_up_after_max_attempts(
    jobs: SqliteJobQueue,
) -> None:
    job = await make(jobs, "a", "1")
    assert job is not None
    for _ in range(MAX_ATTEMPTS):
        assert await jobs.claim() is not None
        requeued, given_up = await jobs.resume_interrupted()
    assert requeued == [] and [j.id for j in given_up] == [job.id]
    failed = await jobs.get(job.id)
    assert failed is not None and failed.status is JobStatus.FAILED
    assert [j.id for j in await jobs.undelivered()] == [job.id]


async def test_runner_bounds_concurrency(jobs: SqliteJobQueue) -> None:
    running: set[str] = set()
    peak = 0
    done: list[str] = []

    async def work(job: Job) -> None:
        nonlocal peak
        running.add(job.owner)
        peak = max(peak, len(running))
        await asyncio.sleep(0.02)
        running.discard(job.owner)
        await jobs.finish(job.id, JobStatus.DONE)
        done.append(job.owner)

    for n in range(8):
        await make(jobs, f"user{n % 4}", f"m{n}")
    runner = JobRunner(jobs, 2, work)
    runner.start()
    await asyncio.wait_for(runner.wait_idle(), 10)
    await runner.stop()
    assert peak == 2 and len(done) == 8


async def test_user_cancel_stops_only_that_job(jobs: SqliteJobQueue) -> None:
    started = asyncio.Event()
    seen: list[Any] = []

    async def work(job: Job) -> None:
        started.set()
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            seen.append(runner.cancelled_by_user(job.id))
            await jobs.finish(job.id, JobStatus.CANCELLED)
            raise

    job = await make(jobs, "a", "1")
    assert job is not None
    runner = JobRunner(jobs, 1, work)
    runner.start()
    await asyncio.wait_for(started.wait(), 5)
    task = runner.cancel(job.id)
    assert task is not None
    await asyncio.gather(task, return_exceptions=True)
    assert seen == [True]
    assert runner.cancel("nope") is None
    await runner.stop()


async def test_owners_take_turns_one_backlog_delays_another_by_one_job(
    jobs: SqliteJobQueue,
) -> None:
    flood = [await make(jobs, "flooder", f"f{n}") for n in range(4)]
    calm = await make(jobs, "calm", "c1")  # asked after the flooder's whole backlog
    assert calm and all(flood)
    order = []
    while (job := await jobs.claim()) is not None:
        order.append(job.owner)
        await jobs.finish(job.id, JobStatus.DONE)
    assert order == ["flooder", "calm", "flooder", "flooder", "flooder"]
