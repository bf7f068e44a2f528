"""`voiceover worker`: renders jobs from the Redis queue, and nothing else (no chat, no tokens).

SAQ's Worker takes jobs (at most MAX_CONCURRENT_JOBS at once), sweeps back the jobs of workers
that went silent, stops a job the user cancelled, and on SIGTERM waits WORKER_STOP_GRACE_S for
running jobs before handing them back to the queue. A job here reads its pinned inputs from the
media store (S3: streamed to local temp files, removed after the job) and puts its result under
`results/<job>.mp4`: the same key every time it runs, so a re-run overwrites, never doubles.
The credits are the bot's: it settles or releases them when it sees the job end.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from typing import Any

from saq import Worker
from saq.types import Context

from core.backends.base import RenderHandle
from core.config import Settings
from core.errors import ErrorCode, VoiceoverError, to_record
from core.housekeeping import remove_dead_work, remove_unkept_renders
from core.jobs.reconcile import Reconciler
from core.jobs.redis_queue import RedisJobQueue
from core.jobs.redis_reads import MAX_ATTEMPTS, RUN_JOB
from core.wiring import worker_parts
from core.work.model import Job, JobStatus

log = logging.getLogger(__name__)


class RenderWorker:
    """One worker process: the SAQ worker, the engine backend and the media store."""

    def __init__(self, settings: Settings) -> None:
        assert settings.queue_url is not None
        self.jobs = RedisJobQueue.from_url(settings.queue_url, settings.job_lease_s)
        parts = worker_parts(settings, self.jobs, self.jobs.holds)  # core/wiring.py
        self.settings, self.media, self.backend = parts.settings, parts.media, parts.backend
        self.renders = parts.renders
        lease = settings.job_lease_s
        self.saq_worker = Worker(
            self.jobs.saq,
            functions=[(RUN_JOB, self.run_job)],
            concurrency=settings.job_slots,
            timers={"sweep": max(1, lease // 3), "abort": 1, "worker_info": 5, "schedule": 1},
            dequeue_timeout=1.0,
            shutdown_grace_period_s=int(settings.worker_stop_grace_s),
            cancellation_hard_deadline_s=5.0,
            metadata={"slots": settings.job_slots},  # the bot tells users when jobs wait
        )

    async def run(self) -> None:
        """Take jobs until SIGTERM or SIGINT; then finish or hand back what runs."""
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        await self._remove_leftovers()
        reconciling = asyncio.create_task(self._reconcile())
        try:
            await self.saq_worker.start()
        finally:
            reconciling.cancel()
            await asyncio.gather(reconciling, return_exceptions=True)
            await self.backend.aclose()
            await self.jobs.close()

    async def _reconcile(self) -> None:
        """Hand jobs SAQ lost back to it, once per sweep interval (core/jobs/reconcile.py)."""
        reconciler = Reconciler(self.jobs)
        while True:
            await asyncio.sleep(max(1, self.settings.job_lease_s // 3))
            try:
                await reconciler.run_once()
            except Exception:
                log.warning("reconciling the queue failed; will retry", exc_info=True)

    async def run_job(self, ctx: Context, *, job_id: str) -> None:
        """SAQ's function: render one of our jobs, with heartbeats to keep the lease."""
        taken = ctx.get("job")
        assert taken is not None
        if taken.attempts > MAX_ATTEMPTS:
            error = to_record(VoiceoverError(ErrorCode.GAVE_UP))
            await self.jobs.finish(job_id, JobStatus.FAILED, error=error)
            return
        job = await self.jobs.start(job_id, taken.attempts)
        if job is None:
            return  # cancelled before it started, or another attempt runs it
        # An earlier attempt's render (this worker's, stopped by a sweep, or another's) is never
        # picked up: each attempt renders the pinned inputs afresh.
        job = dataclasses.replace(job, handle=None)
        beat = asyncio.create_task(self._keep_lease(taken, job))
        try:
            await self.renders.run(job)
        except asyncio.CancelledError:
            await self._stop_render(job_id)
            with contextlib.suppress(Exception):
                await self.jobs.give_up_lease(job)  # handed back: the next attempt may start
            raise
        finally:
            beat.cancel()
            await self._remove_leftovers()

    async def _remove_leftovers(self) -> None:
        """What dead processes left here, and renders no job will keep (another attempt's)."""
        await remove_dead_work(self.settings, self.media)
        try:
            await remove_unkept_renders(self.backend, self.jobs)
        except Exception:  # the queue is unreachable: the next job's end tries again
            log.warning("could not look for unkept renders", exc_info=True)

    async def _keep_lease(self, taken: Any, job: Job) -> None:
        """Touch the SAQ job and renew our record's lease well within JOB_LEASE_S."""
        while True:
            await asyncio.sleep(max(0.5, self.settings.job_lease_s / 4))
            with contextlib.suppress(Exception):
                await taken.update()
                await self.jobs.renew(job)

    async def _stop_render(self, job_id: str) -> None:
        """A cancel or a shutdown: stop the engine's thread too."""
        job = await self.jobs.get(job_id)
        if job is not None and job.handle:
            with contextlib.suppress(Exception):
                await self.backend.cancel(RenderHandle(job.handle, job.session_id))
