"""The job queue in SQLite (the embedded default): jobs created with their message (once),
claimed, updated, finished, cancelled, resumed after a restart."""

from __future__ import annotations

import itertools
import logging
import sqlite3
import time
from collections.abc import Mapping
from typing import Any

import aiosqlite

from core.errors import ErrorCode, VoiceoverError, to_record
from core.store import Store, dumps
from core.work.model import ACTIVE, ENDED, Job, JobStatus, Mark, queued_job

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3


class SqliteJobQueue:
    """The JobQueue of one process: job records in SQLite (WAL), claimed by its runner."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._served = itertools.count()
        self._turns: dict[str, int] = {}  # owner → when it was last served (round-robin)

    async def check(self) -> None:
        """A file of this process, opened with it: nothing to reach."""

    async def close(self) -> None:
        """Nothing of its own: the store is its owner's to close."""

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
        """Queue a job and record its message in one transaction (None if the message was seen).

        With `supersede`, the owner's jobs of this kind still queued are cancelled in the same
        transaction (a newer request replaces them); they are returned too.
        """
        fields: dict[str, Any] = {"owner": owner, "kind": kind, "platform": platform}
        fields["chat_id"] = chat_id
        fields |= {"reply_context": reply_context, "language": language, "inputs": inputs}
        asked = time.time() if created is None else created  # an API job: when it was accepted
        job = queued_job(job_id, asked, {**fields, "session_id": session_id})
        try:
            async with self.store.transaction() as db:
                await db.execute(
                    "INSERT INTO seen(platform, message_id, job_id, created) VALUES (?,?,?,?)",
                    (platform, message_id, job.id, job.created),
                )
                replaced = await self._supersede(db, owner, kind, job.created) if supersede else []
                await _insert(db, job)
        except sqlite3.IntegrityError:
            return None, []
        return await self.get(job.id), replaced

    async def add_ended(self, job: Job) -> bool:
        """Record a job that ended before it was queued (never claimed)."""
        assert job.status in ENDED
        try:
            async with self.store.transaction() as db:
                await _insert(db, job)
        except sqlite3.IntegrityError:
            return False
        return True

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

    async def claim(self) -> Job | None:
        """Move a queued job whose owner has nothing running to running: each owner's oldest,
        the owners in turn (the one served longest ago first), so one owner's backlog delays
        another's job by at most one of its own."""
        async with self.store.transaction() as db:
            async with db.execute(
                "SELECT * FROM jobs WHERE status=? AND owner NOT IN"
                " (SELECT owner FROM jobs WHERE status=?) ORDER BY created, rowid",
                (JobStatus.QUEUED, JobStatus.RUNNING),
            ) as cursor:
                rows = [dict(r) for r in await cursor.fetchall()]
            if not rows:
                return None
            row = min(rows, key=lambda r: self._turns.get(r["owner"], -1))  # stable: oldest
            self._turns[row["owner"]] = next(self._served)
            await db.execute(
                "UPDATE jobs SET status=?, attempts=attempts+1, updated=? WHERE id=?",
                (JobStatus.RUNNING, time.time(), row["id"]),
            )
        return await self.get(row["id"])

    async def update(self, job_id: str, **values: Any) -> None:
        """Record how a job is doing (stage, progress, handle…; dicts stored as JSON)."""
        columns = {k: dumps(v) if isinstance(v, dict) else v for k, v in values.items()}
        columns["updated"] = time.time()
        await self.store.update("jobs", job_id, columns)

    async def finish(self, job_id: str, status: JobStatus, **values: Any) -> bool:
        """Record a job's end if it is still active (False: it ended already, as it stays)."""
        columns = {k: dumps(v) if isinstance(v, dict) else v for k, v in values.items()}
        columns.update(status=str(status), updated=time.time())
        return await self.store.update("jobs", job_id, columns, status_in=ACTIVE) > 0

    async def mark_delivered(self, job_id: str) -> None:
        """The owner was told (the result, or what went wrong): never again."""
        await self.update(job_id, delivered=time.time())

    async def cancel_queued(self, job_id: str) -> bool:
        """Cancel a job that is still queued (told at once); False when it already started."""
        changed = await self.store.execute(
            "UPDATE jobs SET status=?, delivered=?, updated=? WHERE id=? AND status=?",
            (JobStatus.CANCELLED, time.time(), time.time(), job_id, JobStatus.QUEUED),
        )
        return changed > 0

    async def resume_interrupted(self) -> tuple[list[str], list[Job]]:
        """After a restart: running jobs go back to the queue (or fail after too many tries)."""
        rows = await self.store.fetchall("SELECT * FROM jobs WHERE status=?", (JobStatus.RUNNING,))
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
            "SELECT * FROM jobs WHERE status IN (?,?,?) AND delivered IS NULL ORDER BY created",
            ENDED,
        )
        return [Job.from_row(row) for row in rows]

    async def active_for(self, owner: str) -> list[Job]:
        """The owner's queued and running jobs, oldest first."""
        rows = await self.store.fetchall(
            "SELECT * FROM jobs WHERE owner=? AND status IN (?,?) ORDER BY created",
            (owner, *ACTIVE),
        )
        return [Job.from_row(row) for row in rows]

    async def active_jobs(self) -> list[Job]:
        """Every queued or running job."""
        rows = await self.store.fetchall("SELECT * FROM jobs WHERE status IN (?,?)", ACTIVE)
        return [Job.from_row(row) for row in rows]

    async def position(self, job: Job) -> int:
        """1 + the queued jobs ahead of this one."""
        row = await self.store.fetchone(
            "SELECT COUNT(*) AS n FROM jobs WHERE status=? AND (created < ? OR "
            "(created = ? AND id < ?))",
            (JobStatus.QUEUED, job.created, job.created, job.id),
        )
        return 1 + int(row["n"] if row else 0)

    async def owned(
        self, owner: str, state: JobStatus | None, after: Mark | None, limit: int
    ) -> list[Job]:
        """The owner's jobs newest first ((created, id) descending), below `after`."""
        created, job_id = after if after is not None else (float("inf"), "")
        rows = await self.store.fetchall(
            "SELECT * FROM jobs WHERE owner=? AND (? IS NULL OR status=?)"
            " AND (created < ? OR (created = ? AND id < ?))"
            " ORDER BY created DESC, id DESC LIMIT ?",
            (owner, state, state, created, created, job_id, limit),
        )
        return [Job.from_row(row) for row in rows]

    async def gauges(self) -> tuple[dict[str, int], int | None]:
        """Active jobs (one count: they run in this process, no workers to see)."""
        return {"active": await self.pending_count()}, None

    async def pending_count(self) -> int:
        """Jobs queued or running."""
        row = await self.store.fetchone(
            "SELECT COUNT(*) AS n FROM jobs WHERE status IN (?,?)", ACTIVE
        )
        return int(row["n"] if row else 0)


async def _insert(db: aiosqlite.Connection, job: Job) -> None:
    """A new job's row (queued; or ended before it was queued: its error and delivery)."""
    error = dumps(job.error) if job.error is not None else None
    await db.execute(
        "INSERT INTO jobs(id, owner, kind, status, platform, chat_id, reply_context,"
        " language, session_id, inputs, created, updated, error, delivered)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            job.id, job.owner, job.kind, job.status, job.platform, job.chat_id,
            dumps(job.reply_context), job.language, job.session_id, dumps(job.inputs),
            job.created, job.created, error, job.delivered,
        ),
    )  # fmt: skip
