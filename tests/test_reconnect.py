"""The shared start-up retry of the chat adapters: capped backoff on a fake clock, stop."""

from __future__ import annotations

import asyncio

import pytest

from bots.reconnect import backoff, keep_trying
from tests.fakes import FakeClock


def test_the_waits_double_from_1_s_to_60_s() -> None:
    assert backoff() == [1, 2, 4, 8, 16, 32, 60]


async def test_failures_wait_longer_up_to_the_cap_then_it_connects(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock, stop, calls = FakeClock(), asyncio.Event(), []

    async def attempt() -> None:
        calls.append(clock.now())
        if len(calls) <= 9:
            raise ConnectionRefusedError(111, "Connect call failed")

    task = asyncio.create_task(
        keep_trying("Example", attempt, stop, retry_on=(OSError,), clock=clock)
    )
    for _ in range(9):
        await clock.until_sleeping()
        await clock.advance(60, step=60)
    await asyncio.wait_for(task, 10)
    assert len(calls) == 10
    said = [r.getMessage() for r in caplog.records if r.name == "bots.reconnect"]
    waits = [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert [s.rsplit("in ", 1)[1] for s in said] == [f"{n} s" for n in waits]
    assert said[0] == (
        "Example is unreachable (ConnectionRefusedError: [Errno 111] Connect call failed); "
        "trying again in 1 s"
    )


async def test_other_failures_are_not_retried() -> None:
    async def attempt() -> None:
        raise ValueError("bad token")

    with pytest.raises(ValueError, match="bad token"):
        await keep_trying("Example", attempt, asyncio.Event(), retry_on=(OSError,))


async def test_stop_ends_the_wait_at_once() -> None:
    clock, stop = FakeClock(), asyncio.Event()

    async def attempt() -> None:
        raise OSError("unreachable")

    task = asyncio.create_task(
        keep_trying("Example", attempt, stop, retry_on=(OSError,), clock=clock)
    )
    await clock.until_sleeping()
    stop.set()  # the fake clock never moves: only the stop event ends the wait
    await asyncio.wait_for(task, 10)
    assert clock.sleeping == 0
