"""One job, one way: render it, then tell its owner (the jobs layer's, whichever process runs
the renders; the deliveries are handed in, so jobs and delivery stay apart)."""

from __future__ import annotations

import time
from typing import Protocol

from core.jobs.render import RenderJobs
from core.metrics import Metrics
from core.work.model import Job
from core.work.queue import JobQueue


class Tell(Protocol):
    """Telling a job's owner how it ended (core/delivery/deliveries.py's Deliveries)."""

    async def deliver(self, job_id: str) -> bool:
        """Tell the owner once (retried later when the chat can't be reached); True when
        this call told them."""
        ...


class RenderThenDeliver:
    """Renders a claimed job, then tells its owner; both are counted in the metrics."""

    def __init__(self, renders: RenderJobs, tell: Tell, jobs: JobQueue, metrics: Metrics) -> None:
        self.renders, self.tell, self.jobs, self.metrics = renders, tell, jobs, metrics

    async def run(self, job: Job) -> None:
        """Render the job, then tell its owner."""
        started = time.time()
        self.metrics.queue_wait.observe(max(0.0, started - job.created))
        await self.renders.run(job)
        self.metrics.render_seconds.observe(time.time() - started)
        await self.deliver(job.id)

    async def deliver(self, job_id: str) -> None:
        """Tell the owner of an ended job (and count it once told)."""
        if not await self.tell.deliver(job_id):
            return  # told already, or another call (an event, the poll) is telling them
        told = await self.jobs.get(job_id)
        if told is not None:
            self.metrics.deliveries.labels(status=str(told.status)).inc()
