"""The SQLite store: WAL, busy timeout, transactions that roll back."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from core.backends.local.credits import Ledger
from core.config import Settings
from core.store import Store


async def test_wal_and_busy_timeout(tmp_path: Path) -> None:
    store = await Store(tmp_path / "s.db").open()
    assert await store.fetchone("PRAGMA journal_mode") == {"journal_mode": "wal"}
    assert await store.fetchone("PRAGMA busy_timeout") == {"timeout": 10000}
    await store.close()


async def test_transaction_rolls_back_on_error(tmp_path: Path) -> None:
    store = await Store(tmp_path / "s.db").open()
    with pytest.raises(RuntimeError):
        async with store.transaction() as db:
            await db.execute("INSERT INTO prefs(owner, language) VALUES ('a','en')")
            raise RuntimeError("boom")
    assert await store.fetchall("SELECT * FROM prefs") == []
    await store.close()


async def test_data_survives_reopening(tmp_path: Path) -> None:
    store = await Store(tmp_path / "s.db").open()
    await store.execute("INSERT INTO prefs(owner, language) VALUES ('a','zh')")
    await store.close()
    again = await Store(tmp_path / "s.db").open()
    assert await again.fetchall("SELECT * FROM prefs") == [{"owner": "a", "language": "zh"}]
    await again.close()


class CancelAt:
    """Cancels the calling task at its n-th statement, right after the statement was queued."""

    def __init__(self, store: Store, n: int) -> None:
        self.calls = 0
        self.n = n
        self._real = store.db._execute
        store.db._execute = self._execute  # type: ignore[method-assign]
        self._store = store

    def remove(self) -> None:
        """Stop counting (and cancelling)."""
        self._store.db._execute = self._real  # type: ignore[method-assign]

    async def _execute(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        queued = self._real(fn, *args, **kwargs)
        if self.calls == self.n:
            task = asyncio.current_task()
            assert task is not None
            task.cancel()  # lands at the await below: the statement is queued, not yet run
        return await queued


async def freeze_then_check(tmp_path: Path, n: int) -> tuple[bool, int]:
    """Freeze credits with a cancel at statement n; returns (cancelled, statements seen)."""
    store = await Store(tmp_path / f"c{n}.db").open()
    ledger = Ledger(store, Settings(_env_file=None, starting_credits=100))  # type: ignore[call-arg]
    await ledger.balance("u")  # the account exists: freeze runs its own statements only
    hook = CancelAt(store, n)
    cancelled = False
    try:
        await ledger.freeze("u", "job1", 30)
    except asyncio.CancelledError:
        cancelled = True
    hook.remove()
    await store.execute("SELECT 1")  # behind every statement the cancelled task queued
    assert not store.db.in_transaction, f"cancel at statement {n} left a transaction open"
    credits = await ledger.balance("u")  # a new transaction works
    frozen = await store.fetchall("SELECT amount FROM ledger WHERE kind='freeze'")
    assert credits.available + credits.frozen == 100
    assert credits.frozen == (30 if frozen else 0)
    await store.execute("INSERT INTO prefs(owner, language) VALUES ('w','en')")
    await store.close()
    again = await Store(tmp_path / f"c{n}.db").open()  # plain writes were committed
    assert await again.fetchall("SELECT owner FROM prefs") == [{"owner": "w"}]
    await again.close()
    return cancelled, hook.calls


async def test_a_cancel_at_every_await_of_a_transaction_leaves_it_closed(tmp_path: Path) -> None:
    n, outcomes = 1, []
    while True:
        async with asyncio.timeout(30):  # a wedged connection hangs instead of failing
            cancelled, seen = await freeze_then_check(tmp_path, n)
        outcomes.append(cancelled)
        if seen < n:  # the freeze ran to its end before statement n: every await was hit
            break
        n += 1
    assert n >= 5 and all(outcomes[:-1]) and not outcomes[-1]
