"""Durable jobs (like arq's job records): queued → running → done | failed | cancelled."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import sqlite3
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import aiosqlite

from core.backends.base import Pinned
from core.errors import ErrorCode, VoiceoverError, to_record
from core.failpoints import pause_point
from core.store import Row, Store, dumps, fetchone_in, loads

log = logging.getLogger(__name__)
LEASE_S = 300.0
MAX_ATTEMPTS = 3


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINISHED = (JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED)


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

    @classmethod
    def from_row(cls, row: Row) -> Job:
        """A job from its database row."""
        return cls(
            id=row["id"], owner=row["owner"], kind=row["kind"], status=JobStatus(row["status"]),
            platform=row["platform"], chat_id=row["chat_id"],
            reply_context=loads(row["reply_context"], {}), language=row["language"],
            session_id=row["session_id"], inputs=loads(row["inputs"], {}), handle=row["handle"],
            output=loads(row["output"]), stage=row["stage"], progress=row["progress"],
            attempts=row["attempts"], error=loads(row["error"]), created=row["created"],
            delivered=row["delivered"],
        )  # fmt: skip


def new_job_id() -> str:
    """A random 128-bit id (32 hex digits)."""
    return secrets.token_hex(16)


class JobStore:
    """Job records in SQLite."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def seen(self, platform: str, message_id: str) -> bool:
        """True when this message was already handled (or created a job)."""
        row = await self.store.fetchone(
            "SELECT 1 FROM seen WHERE platform=? AND message_id=?", (platform, message_id)
        )
        return row is not None

    async def mark_seen(self, platform: str, message_id: str) -> None:
        """Remember a message that created no job."""
        await self.store.execute(
            "INSERT OR IGNORE INTO seen(platform, message_id, created) VALUES (?,?,?)",
            (platform, message_id, time.time()),
        )

    async def create(
        self, *, owner: str, kind: str, platform: str, chat_id: str, message_id: str,
        reply_context: Mapping[str, str], language: str, session_id: str,
        inputs: Mapping[str, Any], job_id: str | None = None, supersede: bool = False,
    ) -> tuple[Job | None, list[Job]]:  # fmt: skip
        """Queue a job and record its message in one transaction (None if the message was seen).

        With `supersede`, the owner's jobs of this kind still queued are cancelled in the same
        transaction (a newer request replaces them); they are returned too.
        """
        job_id, now = job_id or new_job_id(), time.time()
        try:
            async with self.store.transaction() as db:
                await db.execute(
                    "INSERT INTO seen(platform, message_id, job_id, created) VALUES (?,?,?,?)",
                    (platform, message_id, job_id, now),
                )
                replaced = await self._supersede(db, owner, kind, now) if supersede else []
                await db.execute(
                    "INSERT INTO jobs(id, owner, kind, status, platform, chat_id, reply_context,"
                    " language, session_id, inputs, created, updated)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    (job_id, owner, kind, JobStatus.QUEUED, platform, chat_id,
                     dumps(dict(reply_context)), language, session_id, dumps(dict(inputs)),
                     now, now),
                )  # fmt: skip
        except sqlite3.IntegrityError:
            return None, []
        return await self.get(job_id), replaced

    @staticmethod
    async def _supersede(db: aiosqlite.Connection, owner: str, kind: str, now: float) -> list[Job]:
        async with db.execute(
            "UPDATE jobs SET status=?, delivered=?, updated=? WHERE owner=? AND kind=?"
            " AND status=? RETURNING *",
            (JobStatus.CANCELLED, now, now, owner, kind, JobStatus.QUEUED),
        ) as cursor:
            return [Job.from_row(dict(row)) for row in await cursor.fetchall()]

    async def get(self, job_id: str) -> Job | None:
        """One job by id."""
        row = await self.store.fetchone("SELECT * FROM jobs WHERE id=?", (job_id,))
        return None if row is None else Job.from_row(row)

    async def claim_next(self) -> Job | None:
        """Move the oldest queued job whose owner has nothing running to running."""
        async with self.store.transaction() as db:
            row = await fetchone_in(
                db,
                "SELECT * FROM jobs WHERE status='queued' AND owner NOT IN"
                " (SELECT owner FROM jobs WHERE status='running') ORDER BY created, rowid LIMIT 1",
            )
            if row is None:
                return None
            await db.execute(
                "UPDATE jobs SET status='running', attempts=attempts+1, lease_until=?, updated=?"
                " WHERE id=?",
                (time.time() + LEASE_S, time.time(), row["id"]),
            )
        return await self.get(row["id"])

    async def update(self, job_id: str, **values: Any) -> None:
        """Set columns (dicts stored as JSON); renews the lease."""
        columns = {k: dumps(v) if isinstance(v, dict) else v for k, v in values.items()}
        columns["updated"] = time.time()
        columns["lease_until"] = time.time() + LEASE_S
        sql = ", ".join(f"{name}=?" for name in columns)
        await self.store.execute(f"UPDATE jobs SET {sql} WHERE id=?", (*columns.values(), job_id))

    async def finish(self, job_id: str, status: JobStatus, **values: Any) -> None:
        """Record a job's end."""
        await self.update(job_id, status=str(status), lease_until=None, **values)

    async def resume_interrupted(self) -> tuple[list[str], list[Job]]:
        """After a restart: running jobs go back to the queue (or fail after too many tries)."""
        rows = await self.store.fetchall("SELECT * FROM jobs WHERE status='running'")
        requeued, given_up = [], []
        for job in map(Job.from_row, rows):
            if job.attempts >= MAX_ATTEMPTS:
                error = to_record(VoiceoverError(ErrorCode.GAVE_UP))
                await self.finish(job.id, JobStatus.FAILED, error=error)
                given_up.append(job)
            else:
                await self.update(job.id, status=str(JobStatus.QUEUED))
                requeued.append(job.id)
        return requeued, given_up

    async def undelivered(self) -> list[Job]:
        """Finished jobs whose owner has not been told yet."""
        rows = await self.store.fetchall(
            "SELECT * FROM jobs WHERE status IN ('done','failed','cancelled')"
            " AND delivered IS NULL"
        )
        return [Job.from_row(row) for row in rows]

    async def active_for(self, owner: str) -> list[Job]:
        """The owner's queued and running jobs, oldest first."""
        rows = await self.store.fetchall(
            "SELECT * FROM jobs WHERE owner=? AND status IN ('queued','running') ORDER BY created",
            (owner,),
        )
        return [Job.from_row(row) for row in rows]

    async def active_pinned(self) -> list[Pinned]:
        """The pinned inputs of every queued or running job."""
        rows = await self.store.fetchall(
            "SELECT inputs FROM jobs WHERE status IN (?, ?)", (JobStatus.QUEUED, JobStatus.RUNNING)
        )
        return [Pinned.from_record(loads(row["inputs"], {})) for row in rows]

    async def position(self, job: Job) -> int:
        """1 + the queued jobs ahead of this one."""
        row = await self.store.fetchone(
            "SELECT COUNT(*) AS n FROM jobs WHERE status='queued' AND (created < ? OR "
            "(created = ? AND id < ?))",
            (job.created, job.created, job.id),
        )
        return 1 + int(row["n"] if row else 0)

    async def pending_count(self) -> int:
        """Jobs queued or running."""
        row = await self.store.fetchone(
            "SELECT COUNT(*) AS n FROM jobs WHERE status IN ('queued','running')"
        )
        return int(row["n"] if row else 0)


class JobRunner:
    """Runs queued jobs: at most `slots` at once, at most one per owner."""

    def __init__(self, jobs: JobStore, slots: int, run: Callable[[Job], Awaitable[None]]) -> None:
        self.jobs = jobs
        self.slots = max(1, slots)
        self._run_job = run
        self._running: dict[str, asyncio.Task[None]] = {}
        self._cancelled: set[str] = set()
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._loop_task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the scheduling loop."""
        self._loop_task = asyncio.create_task(self._loop())
        self.kick()

    def kick(self) -> None:
        """Look for work now."""
        self._wake.set()

    async def _loop(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                await self._fill()
            except Exception:
                log.exception("job scheduling failed")
            if not self._running and await self.jobs.pending_count() == 0:
                self._idle.set()

    async def _fill(self) -> None:
        while len(self._running) < self.slots:
            job = await self.jobs.claim_next()
            if job is None:
                return
            pause_point("claimed")  # the crash tests kill us between claimed and started
            self._idle.clear()
            self._running[job.id] = asyncio.create_task(self._guard(job))

    async def _guard(self, job: Job) -> None:
        try:
            await self._run_job(job)
        except asyncio.CancelledError:
            if job.id not in self._cancelled:
                raise
        except Exception:
            log.exception("job %s crashed", job.id)
        finally:
            self._running.pop(job.id, None)
            self._cancelled.discard(job.id)
            self.kick()

    @property
    def running_count(self) -> int:
        """Jobs running in this process now."""
        return len(self._running)

    def cancelled_by_user(self, job_id: str) -> bool:
        """True while a user's cancel is stopping this job (not a shutdown)."""
        return job_id in self._cancelled

    def cancel(self, job_id: str) -> asyncio.Task[None] | None:
        """Stop a running job's task (returned, to await); None when it is not running here."""
        task = self._running.get(job_id)
        if task is None:
            return None
        self._cancelled.add(job_id)
        task.cancel()
        return task

    async def wait_idle(self) -> None:
        """Until nothing is queued or running."""
        while True:
            self._idle.clear()
            if not self._running and await self.jobs.pending_count() == 0:
                return
            self.kick()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._idle.wait(), timeout=0.5)

    async def stop(self) -> None:
        """Stop scheduling; running jobs stay 'running' and resume at the next start."""
        tasks = [t for t in (self._loop_task, *self._running.values()) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._running.clear()
