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
from core.store import Row
from core.web.api.accepted import Intakes
from core.web.api.guard import LANGUAGE, OWNER, PREFIX
from core.web.api.intake import declared_too_large, read_form
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
from core.web.api.submit import JOB_KIND, JobRequest
from core.web.api.views import job_out
from core.web.api.webhooks import check_callback
from core.work.model import ACTIVE, Job, JobStatus, Mark, new_job_id

JOB_ID = re.compile(r"^[0-9a-f]{32}$")
IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")


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
    intakes: Intakes

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
        err = declared_too_large(request, self.settings.max_upload_bytes)
        if err is not None:
            return problem(err, "en")
        if request.version >= (1, 1) and request.headers.get("Expect", "").lower() == (
            "100-continue"
        ):
            await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        return None

    async def _own(self, request: web.Request) -> tuple[Job | None, Row | None]:
        """The owner's job by the path's id (queued or ended), else its record while it is
        being taken in; JOB_NOT_FOUND for none (another owner's: as if none)."""
        job_id = request.match_info["job_id"]
        if JOB_ID.match(job_id):
            job = await self.queue.get(job_id)
            if job is not None and job.owner == request[OWNER]:
                return job, None
            row = await self.records.get(job_id) if job is None else None
            if row is not None and row["owner"] == request[OWNER] and not row["made"]:
                return None, row
        raise VoiceoverError(ErrorCode.JOB_NOT_FOUND, job=job_id[:40])

    async def _own_job(self, request: web.Request) -> Job:
        """The owner's job, once it is taken in (waiting for that when it is being now)."""
        job, row = await self._own(request)
        if job is None and row is not None:
            await self.intakes.settled(str(row["job_id"]))
            job, row = await self._own(request)
        if job is None:
            raise VoiceoverError(ErrorCode.REQUEST_IN_PROGRESS)
        return job

    async def _shown(self, job: Job, language: str) -> JobOut:
        position = await self.queue.position(job) if job.status is JobStatus.QUEUED else None
        return job_out(job, self.signer, position, language)

    async def _accepted(self, shown: JobOut) -> web.Response:
        return as_json(shown, 202, {"Location": f"{PREFIX}/jobs/{shown.id}"})

    async def _earlier(self, row: Row, language: str) -> web.Response:
        """The job a repeated Idempotency-Key made, as its POST answered."""
        job = await self.queue.get(str(row["job_id"]))
        if job is not None:
            return await self._accepted(await self._shown(job, language))
        if not row["made"]:
            return await self._accepted(await self.intakes.shown(row))
        raise VoiceoverError(ErrorCode.REQUEST_IN_PROGRESS)

    async def _cheap_checks(self, request: JobRequest) -> None:
        """What refuses a job before it is taken in: the callback's address, a full queue
        budget (429 with Retry-After), no credits at all."""
        if request.fields.callback_url:
            await _checked_callback(request.fields.callback_url, self.settings)
        limit = self.queue.room_for(JOB_KIND)
        if limit is not None:
            owner = request.owner
            waiting = await self.queue.waiting(owner, JOB_KIND) + self.intakes.count(owner)
            if waiting >= limit:
                raise VoiceoverError(ErrorCode.TOO_MANY_QUEUED, count=waiting)
        credits = await self.backend.credits(request.owner)
        if not credits.unlimited and credits.available <= 0:
            raise VoiceoverError(ErrorCode.NO_CREDITS)

    async def create(self, request: web.Request) -> web.StreamResponse:
        """POST /jobs: 202 once the body is stored and the cheap checks pass (the job is taken
        in after the answer, core/web/api/accepted.py), or the first job again."""
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
                return await self._earlier(earlier, language)
        texts, files = await read_form(request, self.media.staging(), limit)
        try:
            wanted = JobRequest(owner, JobFields.model_validate(texts), files)
            wanted.check()
            await self._cheap_checks(wanted)
            job_id = new_job_id()
            callback = wanted.fields.callback_url
            earlier = await self.records.claim(owner, job_id, idempotency, callback)
            if earlier is not None:
                return await self._earlier(earlier, language)
            row = await self.records.get(job_id)
            assert row is not None
        except BaseException:
            for staged in files.values():
                staged.path.unlink(missing_ok=True)
            raise
        self.intakes.start(wanted, job_id, float(row["created"]), language)
        return await self._accepted(await self.intakes.shown(row))

    async def get_job(self, request: web.Request) -> web.StreamResponse:
        """GET /jobs/{id}."""
        job, row = await self._own(request)
        if job is None and row is not None:
            return as_json(await self.intakes.shown(row))
        assert job is not None
        return as_json(await self._shown(job, request[LANGUAGE]))

    async def list_jobs(self, request: web.Request) -> web.StreamResponse:
        """GET /jobs?state=&limit=&cursor=: the owner's jobs (chat- and API-made, and those
        being taken in), newest first in a stable order ((created, id) descending: a job made
        meanwhile never shifts a page, and one being taken in keeps its place once queued)."""
        query = JobQuery.model_validate(dict(request.query))
        owner, after = request[OWNER], cursor_mark(query.cursor) if query.cursor else None
        state = JobStatus(query.state) if query.state else None
        jobs = await self.queue.owned(owner, state, after, query.limit + 1)
        found: list[tuple[Mark, Job | Row]] = [((job.created, job.id), job) for job in jobs]
        if state in (None, JobStatus.QUEUED):
            queued = {job.id for job in jobs}
            for row in await self.records.unmade(owner):
                mark = (float(row["created"]), str(row["job_id"]))
                if row["job_id"] not in queued and (after is None or mark < after):
                    found.append((mark, row))
        found.sort(key=lambda item: item[0], reverse=True)
        page = found[: query.limit]
        shown = [
            await self._shown(item, request[LANGUAGE])
            if isinstance(item, Job)
            else await self.intakes.shown(item)
            for _, item in page
        ]
        more = len(found) > query.limit
        cursor = mark_cursor(page[-1][0]) if more else None
        return as_json(JobList(jobs=shown, next_cursor=cursor))

    async def result(self, request: web.Request) -> web.StreamResponse:
        """GET /jobs/{id}/result: a redirect to the signed result link."""
        job, row = await self._own(request)
        if job is None:
            return invalid("the job is queued, not done", request[LANGUAGE], status=409)
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


def mark_cursor(mark: Mark) -> str:
    """The cursor after the job at `mark` in its owner's list."""
    return f"{mark[0]!r}_{mark[1]}"


def cursor_mark(cursor: str) -> Mark:
    """The (created, id) a cursor names (its form checked by JobQuery)."""
    created, _, job_id = cursor.partition("_")
    return float(created), job_id


async def _checked_callback(url: str, settings: Settings) -> None:
    try:
        await check_callback(url, settings.allow_private_callbacks)
    except VoiceoverError as err:
        reason = str(err.fields.get("reason", "it is not allowed"))
        raise VoiceoverError(ErrorCode.CALLBACK_NOT_ALLOWED, reason=reason) from None
