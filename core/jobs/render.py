"""The render job: render what the job pinned, follow its progress in its chat, keep the result."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path

from core.backends.base import Backend, Pinned, RenderHandle, RenderState, RenderStatus
from core.clock import Clock
from core.disk import disk_full_of
from core.errors import ErrorCode, VoiceoverError, to_record
from core.failpoints import pause_point
from core.jobs.heartbeat import Heartbeat, HeartbeatTimings
from core.media.store import MediaStore
from core.uninterrupted import uninterrupted
from core.work.chats import ChatDirectory
from core.work.model import Job, JobStatus, result_key
from core.work.output import RenderOutput
from core.work.queue import JobQueue

log = logging.getLogger(__name__)
SETTLE_POLLS, SETTLE_POLL_S = 200, 0.05  # a finished render records its end within 10 s


def render_output(status: RenderStatus) -> RenderOutput:
    """A completed render as its job keeps it."""
    return RenderOutput(
        path=str(status.path) if status.path else None,
        url=status.url,
        duration_s=status.duration_s,
        width=status.width,
        height=status.height,
        size_bytes=status.size_bytes,
        project_url=status.project_url,
        warning=status.warning,
        voices=tuple(status.voices),
        narration_s=status.narration_s,
        sync=status.sync,
    )


class Superseded(Exception):
    """Another attempt took this job (a sweeper's duplicate hand-out): this one must stop."""


@dataclass
class RenderJobs:
    """Runs render jobs to done, failed or cancelled; the runner delivers them afterwards."""

    backend: Backend
    jobs: JobQueue
    chats: ChatDirectory
    clock: Clock
    timings: HeartbeatTimings
    media: MediaStore
    stopped_by_user: Callable[[str], bool]  # a user's cancel (not a shutdown) stops this job
    ended: Callable[[Job], Awaitable[None]]  # gives back what the job held
    fence: Callable[[Job], Awaitable[bool]] | None = None  # is this attempt still the job's?

    async def run(self, job: Job) -> None:
        """Render one job and record how it ended."""
        chat = self.chats.progress_chat(job)
        try:
            async with Heartbeat(chat, self.clock, self.timings, job.language) as beat:
                output = await self._follow(job, beat)
            await self._keep(job, output)
        except asyncio.CancelledError:
            if not self.stopped_by_user(job.id):
                raise  # a shutdown: the job stays running and resumes at the next start
            task = asyncio.current_task()
            if task is not None:
                task.uncancel()  # the user's cancel is handled here: the job ends normally
            await uninterrupted(self._stopped(job))
        except Superseded:
            log.warning("job %s: another attempt holds it; this one stops here", job.id)
            return  # that attempt renders, records and hands back
        except VoiceoverError as err:
            await self.jobs.finish(job.id, JobStatus.FAILED, error=to_record(err))
        except Exception as exc:
            full = disk_full_of(exc, "render")  # one log line, the owner told what it is
            if full is None:
                log.exception("render job %s failed", job.id)
            error = to_record(full or VoiceoverError(ErrorCode.INTERNAL))
            await self.jobs.finish(job.id, JobStatus.FAILED, error=error)
        await self.ended(job)

    async def _keep(self, job: Job, output: RenderOutput) -> None:
        """The render's file moves into the media store (the result's key), the job is done;
        when something else ended the job first (a cancel), the result is not kept."""
        await self._check_fence(job)
        pause_point("keep")  # the worker tests kill us with the render done, not kept
        rendered = output.path
        if rendered:  # the render's file moves into the media store: the result's key
            output = replace(output, path=None, key=result_key(job.id))
            await self.media.put_file(result_key(job.id), Path(rendered))
        record = output.to_record()
        kept = await self.jobs.finish(job.id, JobStatus.DONE, output=record, progress=100.0)
        if rendered and not kept:
            await self.media.delete(result_key(job.id))

    async def _check_fence(self, job: Job) -> None:
        if self.fence is not None and not await self.fence(job):
            raise Superseded(job.id)

    async def _stopped(self, job: Job) -> None:
        """A user's cancel: the render stops, unless it finished first: then the job is done
        (charged, and delivered like any other), never cancelled after its credits went."""
        fresh = await self.jobs.get(job.id) or job
        status = None
        if fresh.handle:
            handle = RenderHandle(fresh.handle, fresh.session_id)
            await self.backend.cancel(handle)
            status = await self._settled(handle)
        if status is not None and status.state is RenderState.COMPLETED:
            await self._keep(job, render_output(status))
            return
        await self.jobs.finish(job.id, JobStatus.CANCELLED, delivered=time.time())

    async def _settled(self, handle: RenderHandle) -> RenderStatus | None:
        """The render's state once it is no longer processing (a finishing one is given a
        moment to record its end); None if it can't be read."""
        for _ in range(SETTLE_POLLS):
            try:
                status = await self.backend.render_status(handle)
            except VoiceoverError:
                return None
            if status.state not in (RenderState.PENDING, RenderState.PROCESSING):
                return status
            await asyncio.sleep(SETTLE_POLL_S)
        return None

    async def _follow(self, job: Job, beat: Heartbeat) -> RenderOutput:
        """Export (or pick up the export) and poll until it ends; returns the output record."""
        handle = await self._current_handle(job)
        if handle is None:  # started and recorded as one step: a cancel can't lose the handle
            await self._check_fence(job)  # before the heavy work
            handle = await uninterrupted(self._export(job))
        interval = float(self.backend.poll_interval_s)
        last: tuple[str, int] = ("", -1)
        while True:
            status = await self.backend.render_status(handle)
            if status.state is RenderState.COMPLETED:
                return render_output(status)
            if status.state is RenderState.FAILED:
                raise status.error or VoiceoverError(ErrorCode.RENDER_FAILED, reason="unknown")
            now = (status.stage or "render", int(status.percent))
            if now != last:
                await beat.progress(*now)
                await self.jobs.update(job.id, stage=now[0], progress=float(now[1]))
                last = now
            await self.clock.sleep(interval)

    async def _export(self, job: Job) -> RenderHandle:
        """Start rendering what the job pinned when the user asked, and record its handle."""
        pinned = Pinned.from_record(job.inputs) if "payload" in job.inputs else None
        handle = await self.backend.export(job.session_id, pinned, ref=job.id)
        await self.jobs.update(job.id, handle=handle.id)
        return handle

    async def _current_handle(self, job: Job) -> RenderHandle | None:
        """The job's render if the backend still knows it (after a restart it may not)."""
        if not job.handle:
            return None
        handle = RenderHandle(job.handle, job.session_id)
        try:
            await self.backend.render_status(handle)
        except VoiceoverError as err:
            if err.code is not ErrorCode.SESSION_NOT_FOUND:
                raise
            return None
        return handle
