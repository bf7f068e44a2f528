"""Job records (like arq's): queued → running → done | failed | cancelled."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from core.store import Row, loads


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)
Mark = tuple[float, str]  # a job's place in its owner's list: (created, id)
ENDED = (JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED)


@dataclass
class Job:
    """One job record: who asked, where to answer, what to do, and how far it got."""

    id: str
    owner: str
    kind: str
    status: JobStatus
    platform: str
    chat_id: str
    reply_context: dict[str, str]
    language: str
    session_id: str
    inputs: dict[str, Any] = field(default_factory=dict)
    handle: str | None = None
    output: dict[str, Any] | None = None
    stage: str = ""
    progress: float = 0.0
    attempts: int = 0
    error: dict[str, Any] | None = None
    created: float = 0.0
    delivered: float | None = None
    lease: str = ""  # the running attempt's token (Redis queue): only it may render and end it
    lease_until: float = 0.0  # … while its worker renews it before this time

    @classmethod
    def from_row(cls, row: Row) -> Job:
        """A job from its database row."""
        return cls(
            id=row["id"],
            owner=row["owner"],
            kind=row["kind"],
            status=JobStatus(row["status"]),
            platform=row["platform"],
            chat_id=row["chat_id"],
            reply_context=loads(row["reply_context"], {}),
            language=row["language"],
            session_id=row["session_id"],
            inputs=loads(row["inputs"], {}),
            handle=row["handle"],
            output=loads(row["output"]),
            stage=row["stage"],
            progress=row["progress"],
            attempts=row["attempts"],
            error=loads(row["error"]),
            created=row["created"],
            delivered=row["delivered"],
        )


def queued_job(job_id: str | None, created: float, fields: Mapping[str, Any]) -> Job:
    """A new queued job from JobQueue.enqueue's fields (those of a Job; message_id and
    supersede are the queue's own)."""
    kept = {k: v for k, v in fields.items() if k not in ("message_id", "supersede")}
    kept["reply_context"], kept["inputs"] = dict(kept["reply_context"]), dict(kept["inputs"])
    return Job(id=job_id or new_job_id(), status=JobStatus.QUEUED, created=created, **kept)


def new_job_id() -> str:
    """A random 128-bit id (32 hex digits)."""
    return secrets.token_hex(16)


def result_key(job_id: str) -> str:
    """Where a job's rendered MP4 is kept in the media store."""
    return f"results/{job_id}.mp4"
