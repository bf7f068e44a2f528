"""A job as the API shows it (JobOut): state, progress, position, result or error."""

from __future__ import annotations

from core.delivery.links import LinkSigner
from core.errors import ErrorCode, from_record
from core.web.api.models import JobError, JobOut, JobResult
from core.work.model import Job, JobStatus


def job_out(job: Job, signer: LinkSigner, position: int | None, language: str) -> JobOut:
    """The job's JSON (a signed result link when done; the error in the account's language)."""
    progress = 1.0 if job.status is JobStatus.DONE else min(1.0, max(0.0, job.progress / 100))
    shown = JobOut(
        id=job.id,
        state=job.status.value,
        progress=round(progress, 4),
        position=position if job.status is JobStatus.QUEUED else None,
        created=job.created,
    )
    if job.status is JobStatus.DONE and job.output:
        shown.result = result_of(job, signer)
    elif job.status is JobStatus.FAILED:
        err = from_record(job.error, ErrorCode.INTERNAL)
        shown.error = JobError(code=int(err.code), message=err.message(language))
    return shown


def result_of(job: Job, signer: LinkSigner) -> JobResult:
    """A done job's video: our signed link (a cloud render's own link)."""
    output = job.output or {}
    stored = output.get("key") or output.get("path")
    url = signer.url(job.id, job.owner) if stored else str(output.get("url") or "")
    return JobResult(
        url=url,
        duration_s=float(output.get("duration_s") or 0.0),
        width=int(output.get("width") or 0),
        height=int(output.get("height") or 0),
        size_bytes=int(output.get("size_bytes") or 0),
        voices=[str(v) for v in output.get("voices") or ()],
    )
