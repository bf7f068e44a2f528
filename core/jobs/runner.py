"""Runs queued jobs in this process: at most `slots` at once, at most one per owner."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from core.failpoints import pause_point
from core.work.model import Job
from core.work.queue import JobQueue

log = logging.getLogger(__name__)


class JobRunner:
    """Runs queued jobs: at most `slots` at once, at most one per owner."""

    def __init__(
        self,
        jobs: JobQueue,
        slots: int,
        run: Callable[[Job], Awaitable[None]],
        cancelled: set[str] | None = None,  # shared with whoever asks cancelled_by_user
    ) -> None:
        self.jobs = jobs
        self.slots = max(1, slots)
        self._run_job = run
        self._running: dict[str, asyncio.Task[None]] = {}
        self._cancelled: set[str] = set() if cancelled is None else cancelled
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._loop_task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the scheduling loop."""
        self._loop_task = asyncio.create_task(self._loop())
        self.kick()

    def kick(self) -> None:
        """Look for work now."""
        self._wake.set()

    async def _loop(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                await self._fill()
            except Exception:
                log.exception("job scheduling failed")
            if not self._running and await self.jobs.pending_count() == 0:
                self._idle.set()

    async def _fill(self) -> None:
        while len(self._running) < self.slots:
            job = await self.jobs.claim()
            if job is None:
                return
            pause_point("claimed")  # the crash tests kill us between claimed and started
            self._idle.clear()
            self._running[job.id] = asyncio.create_task(self._guard(job))

    async def _guard(self, job: Job) -> None:
        try:
            await self._run_job(job)
        except asyncio.CancelledError:
            if job.id not in self._cancelled:
                raise
        except Exception:
            log.exception("job %s crashed", job.id)
        finally:
            self._running.pop(job.id, None)
            self._cancelled.discard(job.id)
            self.kick()

    @property
    def running_count(self) -> int:
        """Jobs running in this process now."""
        return len(self._running)

    def cancelled_by_user(self, job_id: str) -> bool:
        """True while a user's cancel is stopping this job (not a shutdown)."""
        return job_id in self._cancelled

    def cancel(self, job_id: str) -> asyncio.Task[None] | None:
        """Stop a running job's task (returned, to await); None when it is not running here."""
        task = self._running.get(job_id)
        if task is None:
            return None
        self._cancelled.add(job_id)
        task.cancel()
        return task

    async def wait_idle(self) -> None:
        """Until nothing is queued or running."""
        while True:
            self._idle.clear()
            if not self._running and await self.jobs.pending_count() == 0:
                return
            self.kick()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._idle.wait(), timeout=0.5)

    async def stop(self) -> None:
        """Stop scheduling; running jobs stay 'running' and resume at the next start."""
        tasks = [t for t in (self._loop_task, *self._running.values()) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._running.clear()
