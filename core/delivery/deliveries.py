"""Telling each ended job's owner, exactly once: the result, or what went wrong."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from core.delivery.links import LinkSigner
from core.delivery.results import deliver_result
from core.errors import ErrorCode, from_record
from core.failpoints import pause_point
from core.media.store import MediaStore
from core.ports import Chat
from core.work.chats import ChatDirectory
from core.work.model import Job, JobStatus, result_key
from core.work.output import RenderOutput
from core.work.queue import JobQueue

log = logging.getLogger(__name__)
DELIVERY_TRIES = 3  # per process; undelivered results are tried again at the next start


class Deliveries:
    """Ended jobs → their chats: once each, retried, and again after a restart."""

    def __init__(
        self,
        jobs: JobQueue,
        chats: ChatDirectory,
        signer: LinkSigner,
        media: MediaStore,
        on_end: Sequence[Callable[[Job], Awaitable[None]]] = (),
    ) -> None:
        self.jobs = jobs
        self.chats = chats
        self.signer = signer
        self.media = media
        self._delivering: set[str] = set()
        self._failures: dict[str, int] = {}
        # Told first about every ended job before its chat (the HTTP API's webhooks); an error
        # there leaves the job undelivered, so it is told again.
        self.on_end = list(on_end)

    async def deliver(self, job_id: str) -> bool:
        """Tell an ended job's owner (once); a failed send is retried later. True when this
        call told them."""
        job = await self.jobs.get(job_id)
        if job is None or job.delivered is not None or job_id in self._delivering:
            return False
        chat = self.chats.for_job(job)
        if chat is None:
            return False
        self._delivering.add(job_id)
        try:
            pause_point("deliver")  # the crash tests kill us between done and delivered
            for hook in self.on_end:
                await hook(job)
            await self._send_outcome(job, chat)
            await self.jobs.mark_delivered(job_id)
            self.chats.forget(job_id)
            return True
        except Exception:
            self._failures[job_id] = self._failures.get(job_id, 0) + 1
            log.exception("delivering job %s failed; will retry", job_id)
            return False
        finally:
            self._delivering.discard(job_id)

    async def _send_outcome(self, job: Job, chat: Chat) -> None:
        if job.status is JobStatus.DONE and job.output:
            await deliver_result(
                chat,
                RenderOutput.from_record(job.output),
                job_id=job.id,
                owner=job.owner,
                signer=self.signer,
                language=job.language,
                media=self.media,
            )
        elif job.status is JobStatus.FAILED:
            await chat.say(from_record(job.error, ErrorCode.INTERNAL).message(job.language))

    async def deliver_pending(self) -> None:
        """Every ended job not told yet (at start, and when a platform connects)."""
        for job in await self.jobs.undelivered():
            await self.deliver(job.id)

    def gave_up(self, job_id: str) -> bool:
        """True when this process stopped trying to tell the job's owner (every try failed)."""
        return self._failures.get(job_id, 0) >= DELIVERY_TRIES

    async def pending(self) -> bool:
        """True while an ended job can still be told in this process."""
        for job in await self.jobs.undelivered():
            tries = self._failures.get(job.id, 0)
            if self.chats.for_job(job) is not None and tries < DELIVERY_TRIES:
                return True
        return bool(self._delivering)

    async def resolve_link(self, job_id: str) -> tuple[str, Path | str | None] | None:
        """A download link's job → (its owner, its result file or an object store's presigned
        URL), if it has one."""
        job = await self.jobs.get(job_id)
        if job is None or job.status is not JobStatus.DONE or not job.output:
            return None
        key = result_key(job_id)
        url = self.media.presigned_url(key, f"voiceover-{job_id[:8]}.mp4")
        if url is not None:  # big downloads go straight from the bucket, not through us
            return job.owner, url if await self.media.size(key) is not None else None
        try:  # a local store's file is the key's own (an object store's would need a URL)
            async with self.media.local_path(key) as path:
                return job.owner, path
        except FileNotFoundError:
            return job.owner, None  # aged out: the link server says the link expired
