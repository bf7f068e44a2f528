"""The render job: export the draft, follow its progress with a heartbeat, keep the result."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.backends.base import Pinned, RenderHandle, RenderState
from core.chat.heartbeat import Heartbeat
from core.delivery.results import keep_result
from core.errors import ErrorCode, VoiceoverError, to_record
from core.jobs.store import Job, JobStatus
from core.uninterrupted import uninterrupted

if TYPE_CHECKING:
    from core.chat.service import Service

log = logging.getLogger(__name__)


class _Silent:
    """A chat for jobs whose platform is not connected yet: progress goes nowhere."""

    upload_limit = 0

    async def say(self, text: str) -> Any:
        """Drop."""

    async def edit(self, ref: Any, text: str) -> None:
        """Drop."""

    async def send_video(self, video: Any) -> None:
        """Drop."""

    async def send_link(self, url: str, caption: str) -> None:
        """Drop."""

    async def working(self) -> None:
        """Drop."""

    async def refuse(self, text: str) -> None:
        """Drop."""


async def _current_handle(service: Service, job: Job) -> RenderHandle | None:
    """The job's render if the backend still knows it (after a restart it may not)."""
    if not job.handle:
        return None
    handle = RenderHandle(job.handle, job.session_id)
    try:
        await service.backend.render_status(handle)
    except VoiceoverError as err:
        if err.code is not ErrorCode.SESSION_NOT_FOUND:
            raise
        return None
    return handle


async def _export(service: Service, job: Job) -> RenderHandle:
    """Start rendering what the job pinned when the user asked, and record its handle."""
    pinned = Pinned.from_record(job.inputs) if "payload" in job.inputs else None
    handle = await service.backend.export(job.session_id, pinned, ref=job.id)
    await service.jobs.update(job.id, handle=handle.id)
    return handle


async def _follow(service: Service, job: Job, beat: Heartbeat) -> dict[str, Any]:
    """Export (or pick up the export) and poll until it ends; returns the output record."""
    handle = await _current_handle(service, job)
    if handle is None:  # started and recorded as one step: a cancel can't lose the handle
        handle = await uninterrupted(_export(service, job))
    interval = float(getattr(service.backend, "poll_interval_s", 1.0))
    last: tuple[str, int] = ("", -1)
    while True:
        status = await service.backend.render_status(handle)
        if status.state is RenderState.COMPLETED:
            return {"path": str(status.path) if status.path else None, "url": status.url,
                    "duration_s": status.duration_s, "width": status.width,
                    "height": status.height, "size_bytes": status.size_bytes,
                    "project_url": status.project_url}  # fmt: skip
        if status.state is RenderState.FAILED:
            raise status.error or VoiceoverError(ErrorCode.RENDER_FAILED, reason="unknown")
        now = (status.stage or "render", int(status.percent))
        if now != last:
            await beat.progress(*now)
            await service.jobs.update(job.id, stage=now[0], progress=float(now[1]))
            last = now
        await service.clock.sleep(interval)


async def run_render_job(service: Service, job: Job) -> None:
    """Run one render job to done, failed or cancelled (the caller then delivers)."""
    chat = service._chat_for(job) or _Silent()
    try:
        async with Heartbeat(chat, service.clock, service.settings, job.language) as beat:
            output = await _follow(service, job, beat)
        if output.get("path"):
            kept = await asyncio.to_thread(
                keep_result, Path(output["path"]), service.results_dir, job.id
            )
            output["path"] = str(kept)
        await service.jobs.finish(job.id, JobStatus.DONE, output=output, progress=100.0)
    except asyncio.CancelledError:
        if not service.runner.cancelled_by_user(job.id):
            raise  # a shutdown: the job stays running and resumes at the next start
        await uninterrupted(
            service.jobs.finish(job.id, JobStatus.CANCELLED, delivered=time.time())
        )
    except VoiceoverError as err:
        await service.jobs.finish(job.id, JobStatus.FAILED, error=to_record(err))
    except Exception:
        log.exception("render job %s failed", job.id)
        await service.jobs.finish(job.id, JobStatus.FAILED, error=to_record(
            VoiceoverError(ErrorCode.INTERNAL)))  # fmt: skip
    await service.job_ended(job)
