"""The credit ledger: start, freeze, settle, release, grants; never negative, never twice."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.backends.local.credits import Ledger, price_for
from core.config import Settings
from core.errors import ErrorCode, VoiceoverError
from core.store import Store


@pytest.fixture
async def ledger(settings: Settings, tmp_path: Path) -> AsyncIterator[Ledger]:
    store = await Store(tmp_path / "ledger.db").open()
    yield Ledger(store, settings)
    await store.close()


def test_price_per_started_minute() -> None:
    assert [price_for(s, 10) for s in (0, 1, 60, 61, 125)] == [0, 10, 10, 20, 30]


async def test_starting_balance(ledger: Ledger) -> None:
    credits = await ledger.balance("telegram:1")
    assert (credits.available, credits.frozen, credits.total) == (100, 0, 100)


async def test_freeze_then_settle_at_actual_length(ledger: Ledger) -> None:
    await ledger.freeze("u", "job1", 30)
    assert (await ledger.balance("u")).frozen == 30
    assert await ledger.settle("u", "job1", 70.0) == 20
    credits = await ledger.balance("u")
    assert (credits.available, credits.frozen, credits.total) == (80, 0, 80)


async def test_settle_and_release_count_once(ledger: Ledger) -> None:
    await ledger.freeze("u", "job1", 10)
    await ledger.freeze("u", "job1", 10)
    await ledger.settle("u", "job1", 30)
    await ledger.settle("u", "job1", 30)
    await ledger.release("u", "job1")
    assert (await ledger.balance("u")).available == 90


async def test_release_gives_everything_back(ledger: Ledger) -> None:
    await ledger.freeze("u", "job1", 40)
    await ledger.release("u", "job1")
    credits = await ledger.balance("u")
    assert (credits.available, credits.frozen) == (100, 0)


async def test_not_enough_credits(ledger: Ledger) -> None:
    with pytest.raises(VoiceoverError) as caught:
        await ledger.freeze("u", "big", 500)
    assert caught.value.code is ErrorCode.NO_CREDITS
    assert "100 left, 500 needed" in caught.value.message()
    assert (await ledger.balance("u")).available == 100


async def test_settle_never_goes_negative(ledger: Ledger) -> None:
    await ledger.freeze("u", "job1", 90)
    assert await ledger.settle("u", "job1", 60 * 60) == 100
    assert (await ledger.balance("u")).available == 0


async def test_grant_counts_once_per_ref(ledger: Ledger) -> None:
    await ledger.grant("u", 50, "grant:m1")
    credits = await ledger.grant("u", 50, "grant:m1")
    assert credits.available == 150
    with pytest.raises(VoiceoverError):
        await ledger.grant("u", -5, "grant:m2")


async def test_unlimited(settings: Settings, tmp_path: Path) -> None:
    store = await Store(tmp_path / "u.db").open()
    ledger = Ledger(store, settings.model_copy(update={"unlimited_credits": True}))
    await ledger.freeze("u", "job", 10_000)
    assert (await ledger.balance("u")).unlimited
    await store.close()


async def test_concurrent_freezes_stay_consistent(ledger: Ledger) -> None:
    results = await asyncio.gather(
        *(ledger.freeze("u", f"j{i}", 30) for i in range(5)), return_exceptions=True
    )
    refused = [r for r in results if isinstance(r, VoiceoverError)]
    credits = await ledger.balance("u")
    assert len(refused) == 2
    assert (credits.available, credits.frozen) == (10, 90)
