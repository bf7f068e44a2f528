"""SQLite state (aiosqlite, WAL, busy timeout): one schema, small helpers, one writer at a time."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from core.uninterrupted import uninterrupted

Row = dict[str, Any]
# aiosqlite's DEBUG lines carry every statement's parameters (webhook signing secrets, users'
# words): never written, whatever LOG_LEVEL says.
logging.getLogger("aiosqlite").setLevel(logging.INFO)

SCHEMA = (
    # The service: one current session per user, durable jobs, messages already seen.
    """CREATE TABLE IF NOT EXISTS sessions (
        owner TEXT PRIMARY KEY, session_id TEXT NOT NULL, language TEXT NOT NULL,
        last_fp TEXT, last_job TEXT, updated REAL NOT NULL)""",
    "CREATE TABLE IF NOT EXISTS prefs (owner TEXT PRIMARY KEY, language TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS heard (owner TEXT PRIMARY KEY, language TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS lexicon (
        owner TEXT NOT NULL, key TEXT NOT NULL, word TEXT NOT NULL, say TEXT NOT NULL,
        created REAL NOT NULL, PRIMARY KEY (owner, key))""",
    """CREATE TABLE IF NOT EXISTS jobs (
        id TEXT PRIMARY KEY, owner TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL,
        platform TEXT NOT NULL, chat_id TEXT NOT NULL, reply_context TEXT NOT NULL,
        language TEXT NOT NULL, session_id TEXT NOT NULL, inputs TEXT NOT NULL,
        handle TEXT, output TEXT, stage TEXT NOT NULL DEFAULT '', progress REAL NOT NULL DEFAULT 0,
        attempts INTEGER NOT NULL DEFAULT 0, lease_until REAL, error TEXT,
        created REAL NOT NULL, updated REAL NOT NULL, delivered REAL)""",
    "CREATE INDEX IF NOT EXISTS jobs_status ON jobs(status, created)",
    "CREATE INDEX IF NOT EXISTS jobs_owner ON jobs(owner, created)",
    """CREATE TABLE IF NOT EXISTS seen (
        platform TEXT NOT NULL, message_id TEXT NOT NULL, job_id TEXT, created REAL NOT NULL,
        PRIMARY KEY (platform, message_id))""",
    # The local backend: projects, their renders, and the credit ledger.
    """CREATE TABLE IF NOT EXISTS projects (
        id TEXT PRIMARY KEY, owner TEXT NOT NULL, language TEXT NOT NULL,
        options TEXT NOT NULL, script TEXT, media TEXT, music TEXT, narration TEXT,
        created REAL NOT NULL)""",
    # Each project's draft before its latest changes (undo), and a script awaiting a yes/no.
    """CREATE TABLE IF NOT EXISTS project_history (
        project_id TEXT NOT NULL, seq INTEGER NOT NULL, options TEXT NOT NULL, script TEXT,
        what TEXT NOT NULL, created REAL NOT NULL, PRIMARY KEY (project_id, seq))""",
    """CREATE TABLE IF NOT EXISTS pending_scripts (
        project_id TEXT PRIMARY KEY, text TEXT NOT NULL, created REAL NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS renders (
        id TEXT PRIMARY KEY, project_id TEXT NOT NULL, owner TEXT NOT NULL, state TEXT NOT NULL,
        percent REAL NOT NULL DEFAULT 0, stage TEXT NOT NULL DEFAULT '', out TEXT NOT NULL,
        error TEXT, result TEXT, created REAL NOT NULL, ref TEXT)""",
    """CREATE TABLE IF NOT EXISTS balances (
        owner TEXT PRIMARY KEY, available INTEGER NOT NULL CHECK (available >= 0),
        frozen INTEGER NOT NULL CHECK (frozen >= 0))""",
    """CREATE TABLE IF NOT EXISTS ledger (
        id INTEGER PRIMARY KEY AUTOINCREMENT, owner TEXT NOT NULL, ref TEXT NOT NULL,
        kind TEXT NOT NULL, amount INTEGER NOT NULL, created REAL NOT NULL,
        UNIQUE (ref, kind))""",
    # The HTTP API (core/chat/api_keys.py, core/web/api/): keys (hashed), each account's webhook
    # signing secret, the jobs made through the API and the webhooks' durable outbox.
    """CREATE TABLE IF NOT EXISTS api_keys (
        key_hash TEXT PRIMARY KEY, owner TEXT NOT NULL, hint TEXT NOT NULL,
        created REAL NOT NULL, revoked REAL)""",
    "CREATE INDEX IF NOT EXISTS api_keys_owner ON api_keys(owner)",
    "CREATE TABLE IF NOT EXISTS api_accounts (owner TEXT PRIMARY KEY, secret TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS api_jobs (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, job_id TEXT NOT NULL UNIQUE, owner TEXT NOT NULL,
        idempotency_key TEXT, callback_url TEXT, created REAL NOT NULL,
        made INTEGER NOT NULL DEFAULT 1, UNIQUE (owner, idempotency_key))""",
    """CREATE TABLE IF NOT EXISTS webhooks (
        job_id TEXT PRIMARY KEY, owner TEXT NOT NULL, url TEXT NOT NULL, body TEXT NOT NULL,
        state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_at REAL NOT NULL,
        last_status TEXT NOT NULL DEFAULT '', created REAL NOT NULL, delivered REAL)""",
    "CREATE INDEX IF NOT EXISTS webhooks_due ON webhooks(state, next_at)",
    """CREATE TABLE IF NOT EXISTS inbox (
        platform TEXT NOT NULL, update_id INTEGER NOT NULL, body TEXT NOT NULL,
        PRIMARY KEY (platform, update_id))""",
)


# Columns added after a table was first released: (table, column, declaration).
ADDED_COLUMNS = (
    ("renders", "ref", "TEXT"),
    ("api_jobs", "made", "INTEGER NOT NULL DEFAULT 1"),  # 0: accepted, still being taken in
)


async def _add_columns(db: aiosqlite.Connection) -> None:
    """Bring an older database's tables up to the schema."""
    for table, column, declaration in ADDED_COLUMNS:
        async with db.execute(f"PRAGMA table_info({table})") as cursor:
            names = {row[1] for row in await cursor.fetchall()}
        if column not in names:
            await db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")


class Store:
    """One aiosqlite connection; every statement and transaction runs under one lock."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    async def open(self) -> Store:
        """Open (creating) the database and its schema; concurrent first calls open it once."""
        async with self._lock:
            if self._db is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = await aiosqlite.connect(self.path, isolation_level=None)
                db.row_factory = aiosqlite.Row
                await db.execute("PRAGMA journal_mode=WAL")
                await db.execute("PRAGMA busy_timeout=10000")
                await db.execute("PRAGMA synchronous=NORMAL")
                for statement in SCHEMA:
                    await db.execute(statement)
                await _add_columns(db)
                self._db = db
        return self

    async def close(self) -> None:
        """Close the connection."""
        if self._db is not None:
            await self._db.close()
            self._db = None

    @property
    def db(self) -> aiosqlite.Connection:
        """The open connection."""
        if self._db is None:
            raise RuntimeError("store is not open")
        return self._db

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """BEGIN IMMEDIATE … COMMIT (ROLLBACK on error), alone on the connection.

        Cancellation-safe: aiosqlite queues each statement before its await, so a statement
        whose caller was cancelled still runs. Whatever happens (an error, or a cancel at any
        await, BEGIN included), the commit or rollback is queued after it and awaited to its
        end under the lock, so the connection never stays inside a transaction.
        """
        async with self._lock:
            db = self.db
            try:
                await db.execute("BEGIN IMMEDIATE")
                yield db
            except BaseException:
                await uninterrupted(db.rollback())  # a no-op when BEGIN itself failed
                raise
            try:
                await uninterrupted(db.commit())
            except BaseException:
                await uninterrupted(db.rollback())
                raise

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run one statement; returns the number of rows changed."""
        async with self._lock:
            cursor = await self.db.execute(sql, tuple(params))
            return cursor.rowcount

    async def update(
        self,
        table: str,
        row_id: str,
        columns: Mapping[str, Any],
        status_in: Sequence[str] = (),
    ) -> int:
        """Set these columns of the row with this id (table and column names are ours); with
        `status_in`, only while its status is one of those. The number of rows changed."""
        sql = ", ".join(f"{name}=?" for name in columns)
        where = f" AND status IN ({','.join('?' * len(status_in))})" if status_in else ""
        return await self.execute(
            f"UPDATE {table} SET {sql} WHERE id=?{where}",
            (*columns.values(), row_id, *status_in),
        )

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> Row | None:
        """The first row as a dict, or None."""
        async with self._lock, self.db.execute(sql, tuple(params)) as cursor:
            row = await cursor.fetchone()
        return dict(row) if row is not None else None

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        """Every row as dicts."""
        async with self._lock, self.db.execute(sql, tuple(params)) as cursor:
            rows = await cursor.fetchall()
        return [dict(row) for row in rows]


async def fetchone_in(
    db: aiosqlite.Connection, sql: str, params: Iterable[Any] = ()
) -> Row | None:
    """Inside a transaction: the first row as a dict, or None."""
    async with db.execute(sql, tuple(params)) as cursor:
        row = await cursor.fetchone()
    return dict(row) if row is not None else None


def dumps(value: Any) -> str:
    """JSON for a column."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def loads(text: str | None, default: Any = None) -> Any:
    """A JSON column back (default when NULL)."""
    return default if text is None else json.loads(text)
