"""Jobs our records call active that SAQ no longer holds go back to SAQ's queue.

SAQ's sweep (saq/queue/redis.py, `RedisQueue.sweep`) takes a job whose worker went silent out
of the `active` list and out of the `incomplete` set (`abort`), waits up to 5 s for that worker
to answer (`job.refresh(abort)`), and only then puts it back in the `queued` list (`retry`).
A sweeping worker killed inside that wait leaves the job in no list at all, marked
"aborting": no later sweep looks at it, no worker takes it. The same happens to a job whose
duplicate hand-out a worker refused (that worker's SAQ finish drops it from `active` while the
attempt that holds it still runs, then dies), and to a job the bot recorded but was killed
before giving to SAQ. Our own record says which jobs must run, so every worker and the bot
reconcile: an active job that SAQ holds nowhere (not queued, scheduled or active), whose
attempt's lease ran out, and that stays so for longer than SAQ's own sweep could take, is
handed to SAQ again. Two reconcilers doing it at once is harmless: SAQ's retry removes the job
from its lists before it pushes it once, and the attempt token fences any second hand-out.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable
from typing import Any, cast

from core.jobs.redis_queue import RedisJobQueue
from core.jobs.redis_reads import ACTIVE_SET, as_text
from core.work.model import Job, JobStatus

log = logging.getLogger(__name__)
GRACE_S = 6.0  # longer than SAQ's sweep takes to put a job back itself (its 5 s abort wait)


class Reconciler:
    """Finds the active jobs SAQ lost, and hands them to SAQ again (`run_once` on a timer)."""

    def __init__(self, jobs: RedisJobQueue, grace_s: float = GRACE_S) -> None:
        self.jobs = jobs
        self.grace_s = grace_s
        self._suspects: dict[str, float] = {}  # job id → when it was first seen lost

    async def run_once(self, now: float | None = None) -> list[str]:
        """One look; returns the ids handed back to SAQ."""
        now = time.time() if now is None else now
        lost = await self._lost(now)
        for job_id in list(self._suspects):
            if job_id not in lost:
                del self._suspects[job_id]  # found again (SAQ's own sweep put it back)
        back = []
        for job in lost.values():
            first = self._suspects.setdefault(job.id, now)
            if now - first >= self.grace_s:
                await self._hand_back(job)
                del self._suspects[job.id]
                back.append(job.id)
        return back

    async def _lost(self, now: float) -> dict[str, Job]:
        """Active jobs that should be in SAQ and are in none of its lists."""
        redis, saq = self.jobs.redis, self.jobs.saq
        ids = await redis.zrange(ACTIVE_SET, 0, -1)
        records = await self.jobs._many(ids)
        held = {as_text(i) for i in await _list(redis, saq._queued)}
        held |= {as_text(i) for i in await _list(redis, saq._active)}
        held |= {as_text(i) for i in await redis.zrange(saq._incomplete, 0, -1)}
        lost = {}
        for job in records:
            if job.status is JobStatus.RUNNING and job.lease_until > now:
                continue  # its worker renews the lease: alive
            if saq.job_id(job.id) in held or not await self._due(job):
                continue
            lost[job.id] = job
        return lost

    async def _due(self, job: Job) -> bool:
        """Running, or queued at the head of its owner's line (the next of theirs to run)."""
        if job.status is JobStatus.RUNNING:
            return True
        head = await cast(Awaitable[Any], self.jobs.redis.lindex(self.jobs._owner(job.owner), 0))
        return head is not None and as_text(head) == job.id

    async def _hand_back(self, job: Job) -> None:
        saq_job = await self.jobs.saq.job(job.id)
        log.warning("job %s was lost by the queue (%s); handed back", job.id, _state(saq_job))
        if saq_job is None:
            await self.jobs.promote_job(job)
        else:
            await self.jobs.saq.retry(saq_job, error="reconciled")


async def _list(redis: Any, key: str) -> list[Any]:
    return await cast(Awaitable[list[Any]], redis.lrange(key, 0, -1))


def _state(saq_job: Any) -> str:
    if saq_job is None:
        return "missing in SAQ"
    return f"SAQ status {saq_job.status}, error {saq_job.error!r}"
