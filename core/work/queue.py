"""The job queue seam: what the chat side, the runner and the deliveries need of a queue.

A job carries all its inputs (the pinned draft and what it refers to), so any process that
holds the queue (and the media) can run it. SqliteJobQueue (core/jobs/sqlite_queue.py) is the
embedded implementation; another (Redis) can take its place behind this protocol.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from core.work.model import Job, JobStatus, Mark


class JobQueue(Protocol):
    """Enqueue, claim, report progress, finish, cancel; and where each job is."""

    async def check(self) -> None:
        """Raise when the queue can't be reached now."""
        ...

    async def enqueue(
        self,
        *,
        owner: str,
        kind: str,
        platform: str,
        chat_id: str,
        message_id: str,
        reply_context: Mapping[str, str],
        language: str,
        session_id: str,
        inputs: Mapping[str, Any],
        job_id: str | None = None,
        supersede: bool = False,
        created: float | None = None,
    ) -> tuple[Job | None, list[Job]]:
        """Queue a job with its inputs (None when its message already made one); with
        `supersede`, the owner's jobs of this kind still queued are cancelled and returned;
        `created`: when it was asked for, if before now (an API job accepted with 202)."""
        ...

    async def add_ended(self, job: Job) -> bool:
        """Record a job that ended before it was queued (refused while being taken in): read
        and listed like any other, never claimed; False when its id is taken."""
        ...

    async def claim(self) -> Job | None:
        """The oldest queued job whose owner has nothing running, now running (or None)."""
        ...

    async def update(self, job_id: str, **values: Any) -> None:
        """Report how a running job is doing (stage, progress, handle)."""
        ...

    async def finish(self, job_id: str, status: JobStatus, **values: Any) -> bool:
        """Record a job's end (output or error) if it is still queued or running; False when
        it had ended already (it stays as it ended)."""
        ...

    async def cancel_queued(self, job_id: str) -> bool:
        """Cancel a job still queued; False when it already started."""
        ...

    async def get(self, job_id: str) -> Job | None:
        """One job."""
        ...

    async def active_for(self, owner: str) -> list[Job]:
        """The owner's queued and running jobs, oldest first."""
        ...

    async def position(self, job: Job) -> int:
        """1 + the queued jobs ahead of this one."""
        ...

    async def owned(
        self, owner: str, state: JobStatus | None, after: Mark | None, limit: int
    ) -> list[Job]:
        """The owner's jobs (every kind, chat- or API-made), newest first: (created, id)
        descending, only those below `after`, of `state` when given; at most `limit`."""
        ...

    async def pending_count(self) -> int:
        """Jobs queued or running."""
        ...

    async def undelivered(self) -> list[Job]:
        """Ended jobs whose owner was not told yet, oldest first."""
        ...

    async def mark_delivered(self, job_id: str) -> None:
        """The owner was told: never again."""
        ...

    async def seen(self, platform: str, message_id: str) -> bool:
        """True when this message was already handled (or created a job)."""
        ...

    async def mark_seen(self, platform: str, message_id: str) -> None:
        """Remember a message that created no job."""
        ...

    async def resume_interrupted(self) -> tuple[list[str], list[Job]]:
        """After a restart: (the ids of jobs queued again, the jobs that failed for good)."""
        ...

    async def active_jobs(self) -> list[Job]:
        """Every queued or running job (what their pins and renders hold must stay)."""
        ...

    async def gauges(self) -> tuple[dict[str, int], int | None]:
        """For /metrics: active jobs by state, and the workers seen (None: renders run here)."""
        ...

    async def close(self) -> None:
        """Let go of the queue's connections (its owner closes a shared store)."""
        ...
