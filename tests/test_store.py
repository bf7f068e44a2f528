"""The SQLite store: WAL, busy timeout, transactions that roll back."""

from __future__ import annotations

from pathlib import Path

import pytest

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
