"""The Redis job records as the bot and the workers read them: keys, JSON, and the read-only
queries of the Redis job queue (core/jobs/redis_queue.py)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncIterator, Awaitable
from typing import Any, cast

from redis import asyncio as aioredis

from core.work.model import ACTIVE, ENDED, Job, JobStatus, Mark

PREFIX = "voiceover"
SAQ_QUEUE = "voiceover"
RUN_JOB = "run_job"  # the SAQ function every worker offers
EVENTS = f"{PREFIX}:events"  # JSON {"id", "event": started|progress|ended, …}
ACTIVE_SET = f"{PREFIX}:active"  # queued and running job ids by creation time
UNDELIVERED = f"{PREFIX}:undelivered"  # ended jobs whose owner was not told, by creation time
SEEN_TTL_S = 14 * 24 * 3600
ENDED_TTL_S = 7 * 24 * 3600  # how long an ended, delivered job's record is kept
MAX_ATTEMPTS = 3
OWNED_CHUNK = 200  # ids read at a time when paging an owner's jobs


def dump_job(job: Job) -> str:
    """A job record as stored (compact JSON)."""
    return json.dumps(dataclasses.asdict(job), separators=(",", ":"))


def load_job(raw: bytes | str) -> Job:
    """A job record back from its JSON."""
    record = json.loads(raw)
    record["status"] = JobStatus(record["status"])
    return Job(**record)


def as_text(value: bytes | str) -> str:
    """A Redis reply as text."""
    return value.decode() if isinstance(value, bytes) else value


class RedisJobReads:
    """Reading job records: one job, an owner's, the queued ahead, the undelivered, events."""

    redis: aioredis.Redis

    @staticmethod
    def _key(job_id: str) -> str:
        return f"{PREFIX}:job:{job_id}"

    @staticmethod
    def _owner(owner: str) -> str:
        return f"{PREFIX}:owner:{owner}"

    @staticmethod
    def _owned(owner: str) -> str:
        return f"{PREFIX}:owned:{owner}"  # every job of the owner, scored by creation time

    @staticmethod
    def _seen(platform: str, message_id: str) -> str:
        return f"{PREFIX}:seen:{platform}:{message_id}"

    async def get(self, job_id: str) -> Job | None:
        """One job."""
        raw = await self.redis.get(self._key(job_id))
        return load_job(raw) if raw else None

    async def _many(self, ids: Any) -> list[Job]:
        if not ids:
            return []
        return [
            load_job(raw)
            for raw in await self.redis.mget([self._key(as_text(i)) for i in ids])
            if raw
        ]

    async def active_for(self, owner: str) -> list[Job]:
        """The owner's queued and running jobs, oldest first."""
        ids = await cast(Awaitable[list[Any]], self.redis.lrange(self._owner(owner), 0, -1))
        jobs = await self._many(ids)
        return [job for job in jobs if job.status in ACTIVE]

    async def position(self, job: Job) -> int:
        """1 + the queued jobs ahead of this one."""
        earlier = await self._many(await self.redis.zrangebyscore(ACTIVE_SET, "-inf", job.created))
        ahead = [
            j
            for j in earlier
            if j.status is JobStatus.QUEUED and (j.created, j.id) < (job.created, job.id)
        ]
        return 1 + len(ahead)

    async def owned(
        self, owner: str, state: JobStatus | None, after: Mark | None, limit: int
    ) -> list[Job]:
        """The owner's jobs newest first ((created, id) descending), below `after`; the ids
        of records that expired (ENDED_TTL_S after delivery) are dropped from the index."""
        key, offset = self._owned(owner), 0
        found: list[Job] = []
        top: Any = "+inf" if after is None else after[0]
        while len(found) < limit:
            ids = await self.redis.zrevrangebyscore(
                key, top, "-inf", start=offset, num=OWNED_CHUNK
            )
            offset += len(ids)
            names = [as_text(i) for i in ids]
            raws = await self.redis.mget([self._key(n) for n in names]) if names else []
            if gone := [n for n, raw in zip(names, raws, strict=True) if not raw]:
                await self.redis.zrem(key, *gone)
                offset -= len(gone)
            for raw in filter(None, raws):
                job = load_job(raw)
                below = after is None or (job.created, job.id) < after
                if below and (state is None or job.status is state) and len(found) < limit:
                    found.append(job)
            if len(ids) < OWNED_CHUNK:
                break
        return found

    async def add_ended(self, job: Job) -> bool:
        """Record a job that ended before it was queued (never given to SAQ; the one write
        here: it touches no active state)."""
        assert job.status in ENDED
        ttl = ENDED_TTL_S if job.delivered else None
        if not await self.redis.set(self._key(job.id), dump_job(job), nx=True, ex=ttl):
            return False
        await self.redis.zadd(self._owned(job.owner), {job.id: job.created})
        return True

    async def pending_count(self) -> int:
        """Jobs queued or running."""
        return int(await self.redis.zcard(ACTIVE_SET))

    async def counts(self) -> dict[str, int]:
        """Active jobs by state (for /metrics)."""
        jobs = await self._many(await self.redis.zrange(ACTIVE_SET, 0, -1))
        return {str(s): sum(1 for j in jobs if j.status is s) for s in ACTIVE}

    async def undelivered(self) -> list[Job]:
        """Ended jobs whose owner was not told yet, oldest first."""
        jobs = await self._many(await self.redis.zrange(UNDELIVERED, 0, -1))
        return [job for job in jobs if job.status in ENDED and job.delivered is None]

    async def active_jobs(self) -> list[Job]:
        """Every queued or running job."""
        return await self._many(await self.redis.zrange(ACTIVE_SET, 0, -1))

    async def events(self) -> AsyncIterator[dict[str, Any]]:
        """Every job event published from now on (started, progress, ended)."""
        pubsub = self.redis.pubsub()
        await pubsub.subscribe(EVENTS)
        try:
            async for message in pubsub.listen():
                if message.get("type") == "message":
                    yield json.loads(message["data"])
        finally:
            await pubsub.aclose()
