"""Probe slots are shared round-robin across users: a user with many files waiting delays
another user's file by at most one of theirs (driven by events, not time)."""

from __future__ import annotations

import asyncio

from core.chat.fair_gate import FairGate


async def settle() -> None:
    """Let every ready task run until it waits again."""
    for _ in range(10):
        await asyncio.sleep(0)


async def test_a_flooders_backlog_lets_another_user_in_at_the_next_free_slot() -> None:
    gate, order = FairGate(2), []
    release = {name: asyncio.Event() for name in ("a1", "a2", "a3", "a4", "a5", "b1", "b2")}

    async def item(owner: str, name: str) -> None:
        async with gate.slot(owner):
            order.append(name)
            await release[name].wait()

    tasks = [asyncio.ensure_future(item("a", f"a{n}")) for n in range(1, 6)]
    await settle()
    tasks += [asyncio.ensure_future(item("b", "b1")), asyncio.ensure_future(item("b", "b2"))]
    await settle()
    assert order == ["a1", "a2"] and gate.waiting("a") == 3 and gate.waiting("b") == 2
    release["a1"].set()
    await settle()
    assert order[-1] == "a3"  # a was waiting first: its turn
    release["a2"].set()
    await settle()
    assert order[-1] == "b1"  # then b's, before a's two others: b waited for one of a's
    release["a3"].set()
    await settle()
    assert order[-1] == "a4"  # turns alternate while both wait
    for event in release.values():
        event.set()
    await asyncio.gather(*tasks)
    assert order == ["a1", "a2", "a3", "b1", "a4", "b2", "a5"]
    assert gate.free == 2  # every slot back


async def test_a_cancelled_waiter_gives_up_its_turn_and_leaks_no_slot() -> None:
    gate = FairGate(1)
    held, release = asyncio.Event(), asyncio.Event()

    async def holder() -> None:
        async with gate.slot("a"):
            held.set()
            await release.wait()

    async def waiter(owner: str) -> str:
        async with gate.slot(owner):
            return owner

    first = asyncio.ensure_future(holder())
    await held.wait()
    doomed, patient = asyncio.ensure_future(waiter("b")), asyncio.ensure_future(waiter("c"))
    await settle()
    doomed.cancel()
    await settle()
    assert gate.waiting("b") == 0
    release.set()
    assert await patient == "c"
    await first
    assert gate.free == 1
