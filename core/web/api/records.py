"""The api_jobs table: the jobs made through the API, each with its owner, its callback URL and
the Idempotency-Key that made it (so a retried POST finds the first job)."""

from __future__ import annotations

import sqlite3
import time

from core.store import Row, Store


class ApiJobRecords:
    """Which jobs the API made, for whom; paged newest first."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def claim(
        self, owner: str, job_id: str, idempotency_key: str | None, callback_url: str | None
    ) -> Row | None:
        """Record a new job id; None when recorded, else the row that already holds the key."""
        try:
            await self.store.execute(
                "INSERT INTO api_jobs(job_id, owner, idempotency_key, callback_url, created)"
                " VALUES (?,?,?,?,?)",
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

    async def drop(self, job_id: str) -> None:
        """The request made no job (refused): its key may be used again."""
        await self.store.execute("DELETE FROM api_jobs WHERE job_id=?", (job_id,))

    async def get(self, job_id: str) -> Row | None:
        """The record of an API job."""
        return await self.store.fetchone("SELECT * FROM api_jobs WHERE job_id=?", (job_id,))

    async def page(self, owner: str, before: int | None, limit: int) -> list[Row]:
        """The owner's records newest first, below sequence number `before`."""
        return await self.store.fetchall(
            "SELECT * FROM api_jobs WHERE owner=? AND seq < ? ORDER BY seq DESC LIMIT ?",
            (owner, before if before is not None else 2**62, limit),
        )
