"""Jobs as the chat side uses them: queue one that carries its inputs, see where it is, stop
it, and give back what an ended job held (the queue, this process's runner, the backend)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from core.backends.base import Backend, Pinned, RenderHandle
from core.errors import ErrorCode, VoiceoverError
from core.jobs.runner import JobRunner
from core.uninterrupted import uninterrupted
from core.work.model import Job, JobStatus, Mark
from core.work.queue import JobQueue

CANCEL_WAIT_S = 30.0  # how long a cancel waits for a running job to stop


class GiveBack:
    """What an ended job held (frozen credits, pinned files), given back to the backend."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    async def ended(self, job: Job) -> None:
        """Give back what an ended job held; safe twice."""
        pinned = Pinned.from_record(job.inputs)
        await uninterrupted(self.backend.release(job.owner, job.id, pinned))


class JobControl:
    """The queue, run by this process's runner; the backend holds and releases their cost."""

    def __init__(
        self,
        jobs: JobQueue,
        runner: JobRunner,
        backend: Backend,
        workers_busy: Callable[[], bool] | None = None,  # renders run elsewhere: how full
        max_queued: int | None = None,  # a user's jobs waiting for a slot (None: any)
        on_cancel: Sequence[Callable[[str], Awaitable[None]]] = (),  # told each cancelled job
        max_queued_by_kind: Mapping[str, int] | None = None,  # kinds with a budget of their own
    ) -> None:
        self.jobs = jobs
        self.runner = runner
        self.backend = backend
        self.workers_busy = workers_busy
        self.max_queued = max_queued
        self.max_queued_by_kind = dict(max_queued_by_kind or {})
        self.on_cancel = list(on_cancel)
        self._give_back = GiveBack(backend)

    async def enqueue(self, **fields: Any) -> tuple[Job | None, list[Job]]:
        """Queue a job (JobQueue.enqueue's fields); queued jobs it replaces are ended here.
        TOO_MANY_QUEUED when the owner's queue budget for its kind is full (those this one
        supersedes not counted)."""
        owner, kind = str(fields["owner"]), str(fields["kind"])
        await self.check_room(owner, kind, bool(fields.get("supersede")))
        job, replaced = await self.jobs.enqueue(**fields)
        for old in replaced:
            await self.ended(old)
        if job is not None:
            self.runner.kick()
        return job, replaced

    def room_for(self, kind: str) -> int | None:
        """How many of an owner's jobs may wait in `kind`'s budget (None: any): a kind of
        `max_queued_by_kind` has its own (API batches), every other kind shares `max_queued`."""
        return self.max_queued_by_kind.get(kind, self.max_queued)

    async def waiting(self, owner: str, kind: str, supersede: bool = False) -> int:
        """The owner's queued jobs in `kind`'s budget (those a superseding job replaces not)."""
        own = kind in self.max_queued_by_kind
        return sum(
            1
            for job in await self.jobs.active_for(owner)
            if job.status is JobStatus.QUEUED
            and ((job.kind == kind) if own else (job.kind not in self.max_queued_by_kind))
            and not (supersede and job.kind == kind)
        )

    async def check_room(self, owner: str, kind: str, supersede: bool = False) -> None:
        """TOO_MANY_QUEUED when the owner's budget for `kind` is full."""
        limit = self.room_for(kind)
        if limit is None:
            return
        waiting = await self.waiting(owner, kind, supersede)
        if waiting >= limit:
            raise VoiceoverError(ErrorCode.TOO_MANY_QUEUED, count=waiting)

    async def ended(self, job: Job) -> None:
        """Give back what an ended job held (frozen credits, pinned files); safe twice."""
        await self._give_back.ended(job)

    async def cancel(self, job: Job) -> bool:
        """Stop a job: a queued one is dropped now, a running one stopped; its hold released.
        False when it had finished first: then it is charged and delivered like any other."""
        if job.status is JobStatus.QUEUED and await self.jobs.cancel_queued(job.id):
            await self.ended(job)
            await self._cancelled(job.id)
            return True
        task = self.runner.cancel(job.id)
        if task is not None:
            with contextlib.suppress(BaseException):
                await asyncio.wait_for(asyncio.shield(task), timeout=CANCEL_WAIT_S)
        fresh = await self.jobs.get(job.id)
        if fresh is not None and fresh.status in (JobStatus.QUEUED, JobStatus.RUNNING):
            if await self.jobs.finish(job.id, JobStatus.CANCELLED, delivered=time.time()):
                await self.ended(fresh)  # only when the cancel won: a finish keeps its charge
            fresh = await self.jobs.get(job.id)
        if fresh is not None and fresh.status is JobStatus.DONE:
            return False
        if fresh is not None and fresh.handle:
            await self.backend.cancel(RenderHandle(fresh.handle, fresh.session_id))
        await self._cancelled(job.id)
        return True

    async def _cancelled(self, job_id: str) -> None:
        for hook in self.on_cancel:
            await uninterrupted(hook(job_id))

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

    async def owned(
        self, owner: str, state: JobStatus | None, after: Mark | None, limit: int
    ) -> list[Job]:
        """The owner's jobs, newest first (JobQueue.owned)."""
        return await self.jobs.owned(owner, state, after, limit)
