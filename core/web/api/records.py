"""The api_jobs table: the jobs made through the API, each with its owner, its callback URL,
the Idempotency-Key that made it (so a retried POST finds the first job) and whether it is
still being taken in (accepted with 202, not in the queue yet)."""

from __future__ import annotations

import sqlite3
import time

from core.store import Row, Store


class ApiJobRecords:
    """Which jobs the API made, for whom; the rest of a job is in the queue."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def claim(
        self, owner: str, job_id: str, idempotency_key: str | None, callback_url: str | None
    ) -> Row | None:
        """Record a new job id (being taken in); None when recorded, else the row that already
        holds the key."""
        try:
            await self.store.execute(
                "INSERT INTO api_jobs(job_id, owner, idempotency_key, callback_url, created,"
                " made) VALUES (?,?,?,?,?,0)",
                (job_id, owner, idempotency_key, callback_url, time.time()),
            )
        except sqlite3.IntegrityError:
            return await self.find(owner, idempotency_key or "")
        return None

    async def find(self, owner: str, idempotency_key: str) -> Row | None:
        """The record an Idempotency-Key of the owner made, if any."""
        return await self.store.fetchone(
            "SELECT * FROM api_jobs WHERE owner=? AND idempotency_key=?", (owner, idempotency_key)
        )

    async def made(self, job_id: str, keep_key: bool = True) -> None:
        """Taken in: the job is in the queue (or ended there, refused); without `keep_key`
        its Idempotency-Key may make a new job (it was interrupted, not refused)."""
        clear = "" if keep_key else ", idempotency_key=NULL"
        await self.store.execute(f"UPDATE api_jobs SET made=1{clear} WHERE job_id=?", (job_id,))

    async def unmade(self, owner: str | None = None) -> list[Row]:
        """The jobs being taken in (at a start: those a stop interrupted), newest first."""
        return await self.store.fetchall(
            "SELECT * FROM api_jobs WHERE made=0 AND (? IS NULL OR owner=?) ORDER BY seq DESC",
            (owner, owner),
        )

    async def get(self, job_id: str) -> Row | None:
        """The record of an API job."""
        return await self.store.fetchone("SELECT * FROM api_jobs WHERE job_id=?", (job_id,))
