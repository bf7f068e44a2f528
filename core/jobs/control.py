"""Jobs as the chat side uses them: queue one that carries its inputs, see where it is, stop
it, and give back what an ended job held (the queue, this process's runner, the backend)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any

from core.backends.base import Backend, Pinned, RenderHandle
from core.jobs.runner import JobRunner
from core.uninterrupted import uninterrupted
from core.work.model import Job, JobStatus
from core.work.queue import JobQueue

CANCEL_WAIT_S = 30.0  # how long a cancel waits for a running job to stop


class JobControl:
    """The queue, run by this process's runner; the backend holds and releases their cost."""

    def __init__(
        self,
        jobs: JobQueue,
        runner: JobRunner,
        backend: Backend,
        workers_busy: Callable[[], bool] | None = None,  # renders run elsewhere: how full
    ) -> None:
        self.jobs = jobs
        self.runner = runner
        self.backend = backend
        self.workers_busy = workers_busy

    async def enqueue(self, **fields: Any) -> tuple[Job | None, list[Job]]:
        """Queue a job (JobQueue.enqueue's fields); queued jobs it replaces are ended here."""
        job, replaced = await self.jobs.enqueue(**fields)
        for old in replaced:
            await self.ended(old)
        if job is not None:
            self.runner.kick()
        return job, replaced

    async def ended(self, job: Job) -> None:
        """Give back what an ended job held (frozen credits, pinned files); safe twice."""
        pinned = Pinned.from_record(job.inputs)
        await uninterrupted(self.backend.release(job.owner, job.id, pinned))

    async def cancel(self, job: Job) -> None:
        """Stop a job: a queued one is dropped now, a running one stopped; its hold released."""
        if job.status is JobStatus.QUEUED and await self.jobs.cancel_queued(job.id):
            await self.ended(job)
            return
        task = self.runner.cancel(job.id)
        if task is not None:
            with contextlib.suppress(BaseException):
                await asyncio.wait_for(asyncio.shield(task), timeout=CANCEL_WAIT_S)
        fresh = await self.jobs.get(job.id)
        if fresh is not None and fresh.status in (JobStatus.QUEUED, JobStatus.RUNNING):
            await self.jobs.finish(job.id, JobStatus.CANCELLED, delivered=time.time())
            await self.ended(fresh)
        if fresh is not None and fresh.handle:
            await self.backend.cancel(RenderHandle(fresh.handle, fresh.session_id))

    def busy(self) -> bool:
        """True when a new job would wait for a free slot (of this process, or of the workers
        when `workers_busy` is set: renders run elsewhere)."""
        if self.workers_busy is not None:
            return self.workers_busy()
        return self.runner.running_count >= self.runner.slots

    async def get(self, job_id: str) -> Job | None:
        """One job."""
        return await self.jobs.get(job_id)

    async def active_for(self, owner: str) -> list[Job]:
        """The owner's queued and running jobs, oldest first."""
        return await self.jobs.active_for(owner)

    async def position(self, job: Job) -> int:
        """1 + the queued jobs ahead of this one."""
        return await self.jobs.position(job)
