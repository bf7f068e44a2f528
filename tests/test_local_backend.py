"""The local backend on the real engine: uploads, instructions, draft, export, credits."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import av
import pytest

from core.backends.base import EventKind, RenderHandle, RenderState
from core.backends.local.backend import LocalBackend
from core.config import Settings
from core.errors import ErrorCode, VoiceoverError
from tests.backend_helpers import finish
from tests.held_render import RenderGate
from tests.media import make_audio, make_image, make_video

SCRIPT = "This sentence gives the voice something to say."


@pytest.fixture
async def backend(settings: Settings) -> AsyncIterator[LocalBackend]:
    local = LocalBackend(settings)
    yield local
    await local.aclose()


async def say(backend: LocalBackend, session: str, text: str) -> str:
    events = [event async for event in backend.send(session, text)]
    assert events[-1].kind is EventKind.DONE
    return "\n".join(e.text for e in events if e.kind is EventKind.TEXT)


async def test_uploads_are_summarised_in_one_line(backend: LocalBackend, tmp_path: Path) -> None:
    session = await backend.open_session("console:a", "en")
    short = make_video(tmp_path / "demo.mp4", seconds=1.5, size="160x120")  # 1.5 s shows as 0:02
    video = await backend.upload(session, short, "demo.mp4")
    assert video.summary == "🎬 Got demo.mp4: 0:02, 160×120" and video.kind == "video"
    image = await backend.upload(session, make_image(tmp_path / "p.png", size="64x48"), "p.png")
    assert image.summary == "🖼 Got p.png: 64×48"
    music = await backend.upload(session, make_audio(tmp_path / "song.mp3"), "song.mp3")
    assert music.summary == "🎵 Got song.mp3: 0:03, music"
    script = tmp_path / "script.txt"
    script.write_text("Hello there. This is the script.", encoding="utf-8")
    assert (await backend.upload(session, script, "script.txt")).summary.startswith(
        "📝 Got script.txt: 6 words"
    )


async def test_a_broken_upload_is_refused_and_the_project_is_intact(
    backend: LocalBackend, tiny: Path, tmp_path: Path
) -> None:
    session = await backend.open_session("console:a", "en")
    await backend.upload(session, tiny, "demo.mp4")
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"\x00not a video" * 100)
    with pytest.raises(VoiceoverError) as caught:
        await backend.upload(session, junk, "junk.mp4")
    assert caught.value.code in (ErrorCode.CORRUPT_MEDIA, ErrorCode.UNSUPPORTED_FILE)
    draft = await backend.state(session)
    assert draft["t"][0]["sg"][0]["m"]["name"] == "demo.mp4"


async def test_instructions_change_the_draft(backend: LocalBackend, tiny: Path) -> None:
    session = await backend.open_session("console:a", "en")
    await backend.upload(session, tiny, "demo.mp4")
    text = await say(backend, session, "use a female voice\nHello there, welcome to the demo.")
    assert "✅ Voice: female" in text and "📝 Script: 6 words" in text
    assert "✅ Speed: 0.9×" in await say(backend, session, "slower")
    await say(backend, session, "burn the captions")
    draft = await backend.state(session)
    roles = [track["sg"][0]["m"]["role"] for track in draft["t"]]
    assert roles == ["video", "voiceover", "original", "caption"]
    voice = draft["t"][1]["sg"][0]["m"]
    assert (voice["speed"], voice["gender"]) == (0.9, "female")
    assert draft["t"][3]["sg"][0]["m"]["mode"] == "burn"


async def test_unknown_voice_is_refused_before_rendering(backend: LocalBackend) -> None:
    session = await backend.open_session("console:a", "en")
    with pytest.raises(VoiceoverError) as caught:
        await say(backend, session, "voice: xx_XX-nobody-medium")
    assert caught.value.code is ErrorCode.UNKNOWN_VOICE


async def test_export_needs_media_and_a_script(backend: LocalBackend) -> None:
    session = await backend.open_session("console:a", "en")
    with pytest.raises(VoiceoverError) as caught:
        await backend.export(session)
    assert caught.value.code is ErrorCode.NOTHING_TO_RENDER
    with pytest.raises(VoiceoverError) as missing:
        await backend.state("nope")
    assert missing.value.code is ErrorCode.SESSION_NOT_FOUND


async def test_export_renders_and_settles_credits(backend: LocalBackend, tiny: Path) -> None:
    session = await backend.open_session("console:a", "en")
    await backend.upload(session, tiny, "demo.mp4")
    await say(backend, session, "Hello there, and welcome to the demo of our product.")
    handle = await backend.export(session)
    frozen = await backend.credits("console:a")
    assert frozen.frozen == 10 and frozen.available == 90
    status = await finish(backend, handle)
    assert status.state is RenderState.COMPLETED and status.path is not None
    with av.open(str(status.path)) as container:
        kinds = {stream.type for stream in container.streams}
    assert kinds == {"video", "audio"}
    credits = await backend.credits("console:a")
    assert (credits.available, credits.frozen, credits.total) == (90, 0, 90)


async def rendering(backend: LocalBackend, clip: Path, gate: RenderGate) -> RenderHandle:
    """A render of `clip` with SCRIPT, held at its speech (running, however fast the machine)."""
    session = await backend.open_session("console:a", "en")
    await backend.upload(session, clip, "demo.mp4")
    await say(backend, session, SCRIPT)
    handle = await backend.export(session)
    await gate.reached("speech")
    return handle


async def test_cancel_stops_the_render_and_releases_credits(
    backend: LocalBackend, tiny: Path, render_gate: RenderGate
) -> None:
    handle = await rendering(backend, tiny, render_gate)
    await backend.cancel(handle)
    render_gate.release_all()
    status = await backend.render_status(handle)
    assert status.state is RenderState.FAILED
    credits = await backend.credits("console:a")
    assert (credits.available, credits.frozen) == (100, 0)


async def test_closing_waits_for_a_cancelled_render_to_end(
    backend: LocalBackend, tiny: Path, render_gate: RenderGate
) -> None:
    handle = await rendering(backend, tiny, render_gate)
    task = backend.renders.running[handle.id].task
    assert task is not None
    await backend.cancel(handle)  # its thread is still in the engine
    closing = asyncio.ensure_future(backend.aclose())
    # Held in the engine, the render can't end, so neither may the close (without the wait it
    # is done in milliseconds; a slow machine only makes this check weaker, never wrong).
    done, _ = await asyncio.wait({closing}, timeout=2.0)
    assert not done and backend.renders.stopping == {task}
    render_gate.release_all()
    await closing
    assert task.done() and not task.cancelled() and task.exception() is None  # store still open


async def test_a_render_cut_by_a_restart_is_forgotten_and_released(
    settings: Settings, tiny: Path, render_gate: RenderGate
) -> None:
    first = LocalBackend(settings)
    session = await first.open_session("console:a", "en")
    await first.upload(session, tiny, "demo.mp4")
    await say(first, session, SCRIPT)
    handle = await first.export(session)
    await render_gate.reached("speech")  # still rendering, however fast the machine
    await first.store.close()  # the process dies: no cleanup of its renders
    first._ready = False
    second = LocalBackend(settings)
    with pytest.raises(VoiceoverError) as caught:
        await second.render_status(handle)
    assert caught.value.code is ErrorCode.SESSION_NOT_FOUND
    credits = await second.credits("console:a")
    assert (credits.available, credits.frozen) == (100, 0)
    for running in first.renders.running.values():
        running.stop.set()
    render_gate.release_all()
    await second.aclose()
