"""Undo: the draft's last changes reverted one by one, kept in SQLite with the project."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.backends.local.backend import LocalBackend
from core.backends.local.history import MAX_STEPS
from core.config import Settings
from core.engine.model import RenderOptions
from core.service import Service
from tests.chat_helpers import SCRIPT
from tests.corpus_flow import User


@pytest.fixture
async def idle(service_settings: Settings) -> AsyncIterator[Service]:
    """A Service with its store open and no job runner (renders stay queued)."""
    service = Service(service_settings)
    await service.store.open()
    try:
        yield service
    finally:
        await service.backend.aclose()
        await service.store.close()


async def test_undo_goes_back_step_by_step_and_status_shows_the_changes(idle: Service) -> None:
    user = User(idle)
    first = await user.say(SCRIPT)
    assert first.after.script is not None
    await user.say("slower")
    await user.say("burn the captions")
    status = "\n".join((await user.say("status")).said)
    assert "Latest changes ('undo' reverts the first): Captions: burned in; Speed: 0.9×" in status
    await user.say("undo")
    assert (await user.project()).options.captions == first.after.options.captions
    await user.say("/undo")
    await user.say("撤销")
    after = await user.snapshot()
    assert (after.options, after.script) == (RenderOptions(), None)  # the project as it began
    assert (await user.say("undo")).said == ["There is nothing to undo."]


async def test_the_history_is_bounded_and_survives_a_restart(
    idle: Service, service_settings: Settings
) -> None:
    user = User(idle)
    await user.say(SCRIPT)
    for _ in range(MAX_STEPS + 3):
        await user.say("faster" if (await user.project()).options.speed < 1.5 else "speed 1")
    project = await user.project()
    assert len(await user.backend.history.recent(project.id, limit=100)) == MAX_STEPS
    again = LocalBackend(service_settings)  # another process on the same database
    await again.store.open()
    try:
        step = await again.history.pop(project.id)
        assert step is not None and step.what.startswith("Speed")
    finally:
        await again.store.close()


async def test_undo_cancels_the_waiting_render_of_what_it_undid(idle: Service, tiny: Path) -> None:
    user = User(idle)
    await user.say(SCRIPT, files=(tiny,))
    replaced = await user.say("Our bakery has been serving the neighbourhood since 1987.")
    assert replaced.after.jobs == replaced.before.jobs + 1
    undone = await user.say("undo")
    assert any("cancelled (it costs nothing)" in s for s in undone.said)
    assert undone.after.credits == (100, 0) and undone.after.script == replaced.before.script
    nothing = await user.say("undo")  # the first script: nothing waits to be cancelled
    assert not any("cancelled" in s for s in nothing.said)


async def test_no_keeps_the_script_and_renders_nothing(
    idle: Service, tiny: Path, clip: Path
) -> None:
    user = User(idle)
    await user.say(SCRIPT, files=(tiny,))
    asked = await user.say("Buy now.", files=(clip,))  # a new video, a short caption
    assert asked.asked and asked.after.jobs == asked.before.jobs  # nothing renders yet
    kept = await user.say("no")
    assert any("kept your script" in s and "'export'" in s for s in kept.said)
    assert kept.after == asked.after  # the script, the jobs and the credits as they were
    exported = await user.say("export")  # the new video with the old script
    assert exported.after.jobs == kept.after.jobs + 1
