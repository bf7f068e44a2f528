"""Races between a user's /cancel and a render's end, forced with hooks (never with timing):
never delivered without being charged, never charged without being delivered."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from core.config import Settings
from core.service import Service
from core.work.model import JobStatus
from tests.chat_helpers import SCRIPT, incoming
from tests.fakes import RecordingChat
from tests.held_render import RenderGate

FINISHED = "✅ That render had already finished — here it is (its credits are charged)."


@pytest.fixture
def service_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"http_port": 0, "max_concurrent_jobs": 1})


async def test_a_cancel_that_loses_to_a_finished_render_delivers_it_and_charges_it(
    service: Service, tiny: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = asyncio.Event()
    put_file = service.media.put_file

    async def hold_result(key: str, source: Path) -> int:
        """The hook: the first time a result is kept, wait there until the task is cancelled
        (the engine has finished and the price is settled by then)."""
        if key.startswith("results/") and not held.is_set():
            held.set()
            await asyncio.Event().wait()
        return await put_file(key, source)

    monkeypatch.setattr(service.media, "put_file", hold_result)
    chat = RecordingChat()
    await service.handle(incoming(SCRIPT, files=(tiny,), user="9"), chat)
    await asyncio.wait_for(held.wait(), 180)
    await asyncio.wait_for(service.handle(incoming("/cancel", user="9"), chat), 60)
    await asyncio.wait_for(service.wait_idle(), 60)
    assert [r.kind for r in chat.results] == ["video"]  # delivered …
    assert FINISHED in chat.texts and "🛑 Cancelled" not in chat.all_text
    credits = await service.backend.credits("telegram:9")
    assert (credits.available, credits.frozen) == (90, 0)  # … and charged, once
    (row,) = await service.store.fetchall("SELECT status FROM jobs")
    assert row["status"] == JobStatus.DONE


async def test_a_cancel_that_wins_releases_and_nothing_is_delivered(
    service: Service, tiny: Path, render_gate: RenderGate
) -> None:
    chat = RecordingChat()
    await service.handle(incoming(SCRIPT, files=(tiny,), user="8"), chat)
    await render_gate.reached("speech")
    render_gate.release("speech")
    await render_gate.reached("mix")  # the last stage: still rendering
    await asyncio.wait_for(service.handle(incoming("/cancel", user="8"), chat), 60)
    render_gate.release_all()
    await asyncio.wait_for(service.wait_idle(), 60)
    assert chat.results == [] and FINISHED not in chat.texts
    credits = await service.backend.credits("telegram:8")
    assert (credits.available, credits.frozen) == (100, 0)
    assert await service.media.children("results") == []
