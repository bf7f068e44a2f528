"""Jobs accepted with 202 and still being taken in: the chats' flows (store the upload, probe
it, read the options and the script, pin, hold the price, queue) run after the answer, in the
owner's lane, so a POST answers once its body is stored and the cheap checks pass. A refusal
there (a file that is no video, no credits, …) ends the job `failed` with that error, and its
webhook fires; a stop in the middle ends it INTAKE_INTERRUPTED at the next start."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from core.errors import ErrorCode, VoiceoverError, to_record
from core.jobs.control import JobControl
from core.store import Row
from core.web.api.chat import PLATFORM
from core.web.api.models import JobOut
from core.web.api.records import ApiJobRecords
from core.web.api.submit import JOB_KIND, JobRequest, JobSubmitter
from core.web.api.webhooks import Webhooks
from core.work.model import Job, JobStatus

log = logging.getLogger(__name__)
WAIT_S = 120.0  # how long a DELETE waits for a job to be taken in before cancelling it


class Intakes:
    """The API jobs being taken in, by id (each a task in its owner's lane)."""

    def __init__(
        self,
        submitter: JobSubmitter,
        records: ApiJobRecords,
        queue: JobControl,
        webhooks: Webhooks,
    ) -> None:
        self.submitter, self.records = submitter, records
        self.queue, self.webhooks = queue, webhooks
        self.tasks: dict[str, tuple[str, asyncio.Task[None]]] = {}  # id → (owner, task)

    def start(self, request: JobRequest, job_id: str, created: float, language: str) -> None:
        """Take the request in behind the owner's earlier messages; the caller answers now."""
        task, _ = self.submitter.lanes.submit(
            request.owner,
            lambda: self._take_in(request, job_id, created, language),
            stoppable=False,
        )
        self.tasks[job_id] = (request.owner, task)
        task.add_done_callback(lambda _: self.tasks.pop(job_id, None))

    def count(self, owner: str | None = None) -> int:
        """Jobs being taken in (the owner's, or everyone's)."""
        return sum(1 for who, _ in self.tasks.values() if owner is None or who == owner)

    async def _take_in(
        self, request: JobRequest, job_id: str, created: float, language: str
    ) -> None:
        try:
            await self.submitter.run(request, job_id, language, created)
        except VoiceoverError as err:
            await self.refused(request.owner, job_id, created, err, language)
        except Exception:
            log.exception("API job %s could not be taken in", job_id)
            internal = VoiceoverError(ErrorCode.INTERNAL)
            await self.refused(request.owner, job_id, created, internal, language)
        else:
            await self.records.made(job_id)

    async def refused(
        self, owner: str, job_id: str, created: float, err: VoiceoverError, language: str
    ) -> None:
        """End the job `failed` with `err` (nothing was held: the flow refused it before the
        price was held, or gave it back); its webhook goes out."""
        job = Job(
            id=job_id,
            owner=owner,
            kind=JOB_KIND,
            status=JobStatus.FAILED,
            platform=PLATFORM,
            chat_id=job_id,
            reply_context={},
            language=language,
            session_id="",
            error=to_record(err),
            created=created,
            delivered=time.time(),
        )
        if await self.queue.jobs.add_ended(job):  # else the flow queued it: it ends as jobs do
            await self.webhooks.job_ended(job)

    async def recover(self) -> None:
        """At the start: the jobs a stop caught being taken in end INTAKE_INTERRUPTED."""
        for row in await self.records.unmade():
            job_id, owner = str(row["job_id"]), str(row["owner"])
            queued = await self.queue.get(job_id) is not None
            if not queued:
                language = await self.submitter.language(owner)
                err = VoiceoverError(ErrorCode.INTAKE_INTERRUPTED)
                await self.refused(owner, job_id, float(row["created"]), err, language)
            await self.records.made(job_id, keep_key=queued)

    async def settled(self, job_id: str) -> None:
        """Until the job is taken in (or refused), when it is being taken in now."""
        held = self.tasks.get(job_id)
        if held is not None:
            with contextlib.suppress(BaseException):
                await asyncio.wait_for(asyncio.shield(held[1]), timeout=WAIT_S)

    async def shown(self, row: Row) -> JobOut:
        """A job being taken in, as the API shows it: queued, its place an estimate (the
        jobs queued now, and those taken in before it)."""
        job_id, created = str(row["job_id"]), float(row["created"])
        order = list(self.tasks)  # in the order they were accepted
        ahead = order.index(job_id) if job_id in self.tasks else 0
        probe = Job(job_id, "", JOB_KIND, JobStatus.QUEUED, PLATFORM, job_id, {}, "en", "")
        probe.created = created
        position = await self.queue.position(probe) + ahead
        return JobOut(id=job_id, state="queued", progress=0.0, position=position, created=created)
