"""The job queue on Redis or Valkey (QUEUE_URL): our job records, run by SAQ workers.

SAQ (a maintained asyncio job queue on Redis) does the running: it hands each job to one worker
(a lease kept alive by heartbeats), sweeps the job of a worker that went silent for
JOB_LEASE_S back into the queue for another, aborts a job on request (the worker holding it
stops it within a second) and hands back a job its worker was told to stop (SIGTERM). Our
records (one JSON value per job, like the SQLite rows) say what the chat side needs: the job's
inputs, where it answers, how far it got, how it ended, whether its owner was told. Only the
oldest active job of each owner is given to SAQ, the next when it ends, so one owner's jobs run
one at a time and end in the order they were asked for. A record changes only from an active
state (a compare-and-set), so an ended job never ends again: never delivered twice.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Awaitable, Callable, Collection, Mapping
from typing import Any, cast

from redis import asyncio as aioredis
from redis.exceptions import RedisError, WatchError
from saq.queue.redis import RedisQueue

from core.jobs.redis_reads import (
    ACTIVE_SET,
    ENDED_TTL_S,
    EVENTS,
    MAX_ATTEMPTS,
    RUN_JOB,
    SAQ_QUEUE,
    SEEN_TTL_S,
    UNDELIVERED,
    RedisJobReads,
    as_text,
    dump_job,
    load_job,
)
from core.work.model import ACTIVE, ENDED, Job, JobStatus, queued_job


class RedisJobQueue(RedisJobReads):
    """The JobQueue of many processes: records in Redis, execution by SAQ."""

    def __init__(self, redis: aioredis.Redis, lease_s: int = 60) -> None:
        self.redis = redis
        self.lease_s = lease_s
        self.saq = RedisQueue(redis, name=SAQ_QUEUE)

    @classmethod
    def from_url(cls, url: str, lease_s: int = 60) -> RedisJobQueue:
        """A queue on the server at `url` (redis://host:port/db)."""
        return cls(aioredis.from_url(url, health_check_interval=30), lease_s)

    async def check(self) -> None:
        """Raise when the server can't be reached."""
        await cast(Awaitable[bool], self.redis.ping())

    async def close(self) -> None:
        """Close the connections (quietly when the server is gone already)."""
        try:
            await self.saq.disconnect()
        except (OSError, RedisError):
            await self.redis.connection_pool.disconnect()

    async def seen(self, platform: str, message_id: str) -> bool:
        """True when this message was already handled (or created a job)."""
        return bool(await self.redis.exists(self._seen(platform, message_id)))

    async def mark_seen(self, platform: str, message_id: str) -> None:
        """Remember a message that created no job."""
        await self.redis.set(self._seen(platform, message_id), "", ex=SEEN_TTL_S, nx=True)

    async def enqueue(
        self,
        *,
        owner: str,
        kind: str,
        platform: str,
        chat_id: str,
        message_id: str,
        reply_context: Mapping[str, str],
        language: str,
        session_id: str,
        inputs: Mapping[str, Any],
        job_id: str | None = None,
        supersede: bool = False,
        created: float | None = None,
    ) -> tuple[Job | None, list[Job]]:
        """Queue a job (None when its message already made one); with `supersede`, the owner's
        queued jobs of this kind are cancelled and returned."""
        fields: dict[str, Any] = {"owner": owner, "kind": kind, "platform": platform}
        fields["chat_id"] = chat_id
        fields |= {"reply_context": reply_context, "language": language, "inputs": inputs}
        asked = time.time() if created is None else created  # an API job: when it was accepted
        job = queued_job(job_id, asked, {**fields, "session_id": session_id})
        if not await self.redis.set(
            self._seen(platform, message_id), job.id, nx=True, ex=SEEN_TTL_S
        ):
            return None, []
        replaced = await self._supersede(owner, kind) if supersede else []
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(self._key(job.id), dump_job(job))
            pipe.zadd(ACTIVE_SET, {job.id: job.created})
            pipe.rpush(self._owner(owner), job.id)
            pipe.zadd(self._owned(owner), {job.id: job.created})
            await pipe.execute()
        await self._promote(owner)
        return job, replaced

    async def _supersede(self, owner: str, kind: str) -> list[Job]:
        replaced = []
        for job in await self.active_for(owner):
            if job.status is JobStatus.QUEUED and job.kind == kind:
                ended = await self._cancel(job.id, (JobStatus.QUEUED,))
                if ended is not None:
                    replaced.append(ended)
        return replaced

    async def _promote(self, owner: str) -> None:
        """Give the owner's oldest active job to SAQ (nothing happens when it already has it)."""
        head = await cast(Awaitable[Any], self.redis.lindex(self._owner(owner), 0))
        job = await self.get(as_text(head)) if head else None
        if job is not None and job.status is JobStatus.QUEUED:
            await self.promote_job(job)

    async def promote_job(self, job: Job) -> None:
        """Give one job to SAQ (nothing happens when SAQ has it already)."""
        await self.saq.enqueue(
            RUN_JOB,
            key=job.id,
            job_id=job.id,
            timeout=0,
            heartbeat=self.lease_s,
            retries=MAX_ATTEMPTS + 1,  # the last try only records that it gave up
            ttl=3600,
        )

    async def _change(
        self,
        job_id: str,
        allowed: Collection[JobStatus] | None,
        values: Mapping[str, Any],
        unless: Callable[[Job], bool] | None = None,
    ) -> Job | None:
        """Set fields of a job whose status is one of `allowed` (any: None) and for which
        `unless` is not true; the job, or None."""
        key = self._key(job_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            while True:
                try:
                    await pipe.watch(key)
                    raw = await pipe.get(key)
                    job = load_job(raw) if raw else None
                    refused = job is not None and unless is not None and unless(job)
                    if (
                        job is None
                        or refused
                        or (allowed is not None and job.status not in allowed)
                    ):
                        await pipe.reset()
                        return None
                    for name, value in values.items():
                        setattr(job, name, JobStatus(value) if name == "status" else value)
                    pipe.multi()
                    self._write(pipe, job)
                    await pipe.execute()
                    return job
                except WatchError:
                    continue

    def _write(self, pipe: Any, job: Job) -> None:
        """Queue the commands that store a job and keep the indexes in step with its state."""
        ended = job.status in ENDED
        pipe.set(self._key(job.id), dump_job(job), ex=ENDED_TTL_S if job.delivered else None)
        if ended:
            pipe.zrem(ACTIVE_SET, job.id)
            pipe.lrem(self._owner(job.owner), 0, job.id)
        if ended and job.delivered is None:
            pipe.zadd(UNDELIVERED, {job.id: job.created})
        else:
            pipe.zrem(UNDELIVERED, job.id)

    async def _publish(self, job_id: str, event: str, **values: Any) -> None:
        await self.redis.publish(EVENTS, json.dumps({"id": job_id, "event": event, **values}))

    async def start(self, job_id: str, attempt: int) -> Job | None:
        """A worker took the job: running now, under a new attempt token (None when it ended
        meanwhile, a cancel, or when another attempt holds a live lease on it: a duplicate
        hand-out, which must not render it a second time)."""
        now = time.time()
        values = {
            "status": JobStatus.RUNNING,
            "attempts": attempt,
            "lease": secrets.token_hex(8),
            "lease_until": now + self.lease_s,
        }
        job = await self._change(job_id, ACTIVE, values, unless=_leased(now))
        if job is not None:
            await self._publish(job_id, "started", created=job.created, at=now)
        return job

    async def holds(self, job: Job) -> bool:
        """True while `job`'s attempt is still the job's (checked before the heavy work and
        before the result is written: fencing a re-run)."""
        current = await self.get(job.id)
        return current is not None and current.status in ACTIVE and current.lease == job.lease

    async def give_up_lease(self, job: Job) -> None:
        """This attempt stops early (its worker hands the job back): the next may start now."""
        await self._change(job.id, ACTIVE, {"lease_until": 0.0}, unless=_not_held_by(job.lease))

    async def renew(self, job: Job) -> bool:
        """Extend the attempt's lease by JOB_LEASE_S (False: another attempt took the job)."""
        values = {"lease_until": time.time() + self.lease_s}
        renewed = await self._change(job.id, ACTIVE, values, unless=_not_held_by(job.lease))
        return renewed is not None

    async def claim(self) -> Job | None:
        """Take the next job given to SAQ in this process (workers use SAQ's own Worker)."""
        taken = await self.saq.dequeue(timeout=0.01)
        if taken is None:
            return None
        await taken.update(status="active", attempts=taken.attempts + 1)
        return await self.start(taken.key, taken.attempts)

    async def update(self, job_id: str, **values: Any) -> None:
        """Record how a running job is doing (stage, progress, handle); the bot is told."""
        job = await self._change(job_id, ACTIVE, values)
        if job is not None and ("stage" in values or "progress" in values):
            await self._publish(job_id, "progress", stage=job.stage, progress=job.progress)

    async def finish(self, job_id: str, status: JobStatus, **values: Any) -> bool:
        """Record a job's end (once: an ended job stays as it ended, and False is returned);
        its owner's next starts."""
        job = await self._change(job_id, ACTIVE, {**values, "status": status})
        if job is None:
            return False
        if status is JobStatus.CANCELLED:  # stop it where it is: in SAQ's queue or on a worker
            await self._abort(job_id)
        await self._publish(job_id, "ended", status=str(status))
        await self._promote(job.owner)
        return True

    async def _abort(self, job_id: str) -> None:
        running = await self.saq.job(job_id)
        if running is not None and running.status in ("new", "queued", "active"):
            await self.saq.abort(running, "cancelled")

    async def _cancel(self, job_id: str, allowed: Collection[JobStatus]) -> Job | None:
        job = await self._change(
            job_id, allowed, {"status": JobStatus.CANCELLED, "delivered": time.time()}
        )
        if job is not None:
            await self._abort(job_id)
            await self._publish(job_id, "ended", status=str(JobStatus.CANCELLED))
        return job

    async def cancel_queued(self, job_id: str) -> bool:
        """Cancel a job still queued; False when it already started."""
        job = await self._cancel(job_id, (JobStatus.QUEUED,))
        if job is not None:
            await self._promote(job.owner)
        return job is not None

    async def mark_delivered(self, job_id: str) -> None:
        """The owner was told: never again."""
        await self._change(job_id, None, {"delivered": time.time()})

    async def resume_interrupted(self) -> tuple[list[str], list[Job]]:
        """Nothing to do at a start: SAQ sweeps jobs whose worker went silent back in."""
        return [], []

    async def gauges(self) -> tuple[dict[str, int], int | None]:
        """Active jobs by state, and the workers that reported lately."""
        return await self.counts(), await self.worker_count()

    async def worker_count(self) -> int:
        """Workers that reported to SAQ lately."""
        return len((await self.saq.info())["workers"])

    async def worker_slots(self) -> int:
        """How many jobs the workers that reported lately run at once, together."""
        workers = (await self.saq.info())["workers"].values()
        return sum(int((w.get("metadata") or {}).get("slots", 1)) for w in workers)


def _leased(now: float) -> Callable[[Job], bool]:
    """True for a job another attempt runs under a live lease."""
    return lambda job: (
        job.status is JobStatus.RUNNING and bool(job.lease) and job.lease_until > now
    )


def _not_held_by(lease: str) -> Callable[[Job], bool]:
    """True for a job whose running attempt is not this one."""
    return lambda job: job.lease != lease
