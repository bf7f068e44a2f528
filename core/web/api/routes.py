"""The /api/v1 handlers: jobs (create, read, list, result, cancel), credits and voices."""

from __future__ import annotations

import re
from dataclasses import dataclass

from aiohttp import web
from pydantic import BaseModel

from core.backends.base import Backend
from core.chat.turn import installed_voices
from core.config import Settings
from core.delivery.links import LinkSigner
from core.errors import ErrorCode, VoiceoverError
from core.jobs.control import JobControl
from core.media.store import MediaStore
from core.web.api.guard import LANGUAGE, OWNER, PREFIX
from core.web.api.intake import declared_too_large, expect_continue, read_form
from core.web.api.models import (
    CreditsOut,
    JobFields,
    JobList,
    JobOut,
    JobQuery,
    VoiceList,
    VoiceOut,
)
from core.web.api.problems import invalid, problem
from core.web.api.records import ApiJobRecords
from core.web.api.submit import JobRequest, JobSubmitter
from core.web.api.views import job_out
from core.web.api.webhooks import check_callback
from core.work.model import ACTIVE, Job, JobStatus, new_job_id

JOB_ID = re.compile(r"^[0-9a-f]{32}$")
IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")
LIST_SCAN = 500  # records looked at per page when filtering by state


def as_json(
    model: BaseModel, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """A model as a JSON response."""
    return web.Response(
        status=status,
        text=model.model_dump_json(),
        content_type="application/json",
        headers=headers,
    )


@dataclass
class ApiRoutes:
    """The handlers, with what they work with."""

    settings: Settings
    backend: Backend
    queue: JobControl
    media: MediaStore
    signer: LinkSigner
    records: ApiJobRecords
    submitter: JobSubmitter

    def routes(self) -> list[web.RouteDef]:
        """The API's routes (the docs are added by core/web/api/openapi.py)."""
        return [
            web.post(f"{PREFIX}/jobs", self.create, expect_handler=self.expect),
            web.get(f"{PREFIX}/jobs", self.list_jobs, allow_head=False),
            web.get(f"{PREFIX}/jobs/{{job_id}}", self.get_job, allow_head=False),
            web.get(f"{PREFIX}/jobs/{{job_id}}/result", self.result, allow_head=False),
            web.delete(f"{PREFIX}/jobs/{{job_id}}", self.cancel),
            web.get(f"{PREFIX}/credits", self.credits, allow_head=False),
            web.get(f"{PREFIX}/voices", self.voices, allow_head=False),
        ]

    async def expect(self, request: web.Request) -> web.StreamResponse | None:
        """'Expect: 100-continue': refuse an oversized body before it is sent."""
        err = await expect_continue(request, self.settings.max_upload_bytes)
        return problem(err, "en") if err is not None else None

    async def _own_job(self, request: web.Request) -> Job:
        job_id = request.match_info["job_id"]
        job = await self.queue.get(job_id) if JOB_ID.match(job_id) else None
        if job is None or job.owner != request[OWNER]:  # another owner's: as if none
            raise VoiceoverError(ErrorCode.JOB_NOT_FOUND, job=job_id[:40])
        return job

    async def _shown(self, job: Job, language: str) -> JobOut:
        position = await self.queue.position(job) if job.status is JobStatus.QUEUED else None
        return job_out(job, self.signer, position, language)

    async def _accepted(self, job: Job, language: str) -> web.Response:
        location = f"{PREFIX}/jobs/{job.id}"
        return as_json(await self._shown(job, language), 202, {"Location": location})

    async def _earlier(self, job_id: str, language: str) -> web.Response:
        job = await self.queue.get(job_id)
        if job is None:
            raise VoiceoverError(ErrorCode.REQUEST_IN_PROGRESS)
        return await self._accepted(job, language)

    async def create(self, request: web.Request) -> web.StreamResponse:
        """POST /jobs: a job from a file or link and a script (202, or the first job again)."""
        owner, language = request[OWNER], request[LANGUAGE]
        limit = self.settings.max_upload_bytes
        too_big = declared_too_large(request, limit)
        if too_big is not None:
            return problem(too_big, language)
        idempotency = request.headers.get("Idempotency-Key")
        if idempotency is not None and not IDEMPOTENCY_KEY.match(idempotency):
            return invalid("Idempotency-Key must be 1 to 200 visible ASCII characters", language)
        if idempotency is not None:
            earlier = await self.records.find(owner, idempotency)
            if earlier is not None:
                return await self._earlier(earlier["job_id"], language)
        texts, files = await read_form(request, self.media.staging(), limit)
        try:
            fields = JobFields.model_validate(texts)
            if fields.callback_url:
                await _checked_callback(fields.callback_url, self.settings)
            job_id = new_job_id()
            earlier = await self.records.claim(owner, job_id, idempotency, fields.callback_url)
            if earlier is not None:
                return await self._earlier(earlier["job_id"], language)
        except BaseException:
            for staged in files.values():
                staged.path.unlink(missing_ok=True)
            raise
        try:
            await self.submitter.submit(JobRequest(owner, fields, files), job_id, language)
        except BaseException:
            await self.records.drop(job_id)
            raise
        job = await self.queue.get(job_id)
        if job is None:
            raise VoiceoverError(ErrorCode.INTERNAL)
        return await self._accepted(job, language)

    async def get_job(self, request: web.Request) -> web.StreamResponse:
        """GET /jobs/{id}."""
        job = await self._own_job(request)
        return as_json(await self._shown(job, request[LANGUAGE]))

    async def list_jobs(self, request: web.Request) -> web.StreamResponse:
        """GET /jobs?state=&limit=&cursor=: the owner's API jobs, newest first."""
        query = JobQuery.model_validate(dict(request.query))
        before = int(query.cursor) if query.cursor else None
        found: list[JobOut] = []
        rows = await self.records.page(request[OWNER], before, LIST_SCAN)
        cursor = None
        for row in rows:
            job = await self.queue.get(row["job_id"])
            cursor = str(row["seq"])
            if job is not None and (query.state is None or job.status.value == query.state):
                found.append(await self._shown(job, request[LANGUAGE]))
                if len(found) == query.limit:
                    break
        more = len(rows) == LIST_SCAN or len(found) == query.limit
        return as_json(JobList(jobs=found, next_cursor=cursor if more and rows else None))

    async def result(self, request: web.Request) -> web.StreamResponse:
        """GET /jobs/{id}/result: a redirect to the signed result link."""
        job = await self._own_job(request)
        shown = await self._shown(job, request[LANGUAGE])
        if shown.result is None or not shown.result.url:
            reason = f"job {job.id} is {job.status.value}, not done"
            return invalid(reason, request[LANGUAGE], status=409)
        raise web.HTTPFound(shown.result.url)

    async def cancel(self, request: web.Request) -> web.StreamResponse:
        """DELETE /jobs/{id}: stop it (queued: dropped; running: stopped), credits released."""
        job = await self._own_job(request)
        if job.status not in ACTIVE:
            raise VoiceoverError(ErrorCode.NOTHING_TO_CANCEL)
        await self.queue.cancel(job)
        fresh = await self.queue.get(job.id)
        return as_json(await self._shown(fresh or job, request[LANGUAGE]))

    async def credits(self, request: web.Request) -> web.StreamResponse:
        """GET /credits: the balance the owner's chats share."""
        credits = await self.backend.credits(request[OWNER])
        return as_json(
            CreditsOut(
                unlimited=credits.unlimited,
                available=credits.available,
                frozen=credits.frozen,
                total=credits.total,
            )
        )

    async def voices(self, request: web.Request) -> web.StreamResponse:
        """GET /voices: the installed voices."""
        voices = [
            VoiceOut(id=v.id, language=v.language, name=v.name, quality=v.quality, gender=v.gender)
            for v in installed_voices(self.backend)
        ]
        return as_json(VoiceList(voices=voices))


async def _checked_callback(url: str, settings: Settings) -> None:
    try:
        await check_callback(url, settings.allow_private_callbacks)
    except VoiceoverError as err:
        reason = str(err.fields.get("reason", "it is not allowed"))
        raise VoiceoverError(ErrorCode.CALLBACK_NOT_ALLOWED, reason=reason) from None
