"""Messages take effect in the order sent; /cancel stops what came before; jobs render what
was asked (pinned inputs), and a newer request replaces one still queued, uncharged."""

from __future__ import annotations

import asyncio
import shutil
from dataclasses import replace
from pathlib import Path

import av
import pytest

from core.backends.base import StoredFile
from core.backends.local.backend import LocalBackend
from core.config import Settings
from core.engine.voices import installed_voices
from core.ports import Attachment
from core.service import Service
from tests.backend_helpers import finish
from tests.chat_helpers import SCRIPT, incoming
from tests.fakes import RecordingChat, tree_files
from tests.media import make_video
from tests.voice_repo import install_relabelled


@pytest.fixture
def service_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"http_port": 0, "max_concurrent_jobs": 1})


class HeldFile:
    """An attachment whose bytes arrive only when the test releases them (a slow upload)."""

    def __init__(self, source: Path) -> None:
        self.source = source
        self.started = asyncio.Event()
        self.release = asyncio.Event()
        self.partial: Path | None = None

    async def fetch(self, dest: Path, max_bytes: int) -> None:
        """Write half the bytes, wait for the test, then the rest."""
        data = await asyncio.to_thread(self.source.read_bytes)
        await asyncio.to_thread(dest.write_bytes, data[: len(data) // 2])
        self.partial = dest
        self.started.set()
        await self.release.wait()
        await asyncio.to_thread(dest.write_bytes, data)

    def attachment(self) -> Attachment:
        """As the adapter would pass it."""
        size = self.source.stat().st_size
        return Attachment(name=self.source.name, size=size, fetch=self.fetch)


async def test_cancel_right_after_a_video_stops_its_upload(
    service: Service, tiny: Path, settings: Settings
) -> None:
    chat, held = RecordingChat(), HeldFile(tiny)
    video = replace(incoming(SCRIPT), attachments=(held.attachment(),))
    upload = asyncio.ensure_future(service.handle(video, chat))
    await held.started.wait()
    await service.handle(incoming("/cancel"), chat)
    await upload
    assert chat.texts[-1] == "🛑 Cancelled. Frozen credits were released."
    assert "🎬 Rendering your video…" not in chat.texts
    await asyncio.wait_for(service.wait_idle(), 60)
    assert await service.store.fetchall("SELECT id FROM jobs") == []
    assert held.partial is not None and not held.partial.exists()
    assert tree_files(settings.data_dir / "uploads") == []  # nothing stored…
    assert tree_files(settings.data_dir / ".staging") == []  # …nor left on its way in
    await service.handle(incoming("/credits"), chat)
    assert chat.texts[-1] == "💳 Credits: 100 available, 0 frozen, 100 total."


async def test_a_pure_read_does_not_wait_for_a_file_but_an_edit_after_it_does(
    service: Service, tiny: Path
) -> None:
    await service.runner.stop()  # nothing renders: the frozen price stays visible
    chat, held = RecordingChat(), HeldFile(tiny)
    video = replace(incoming(SCRIPT), attachments=(held.attachment(),))
    upload = asyncio.ensure_future(service.handle(video, chat))
    await held.started.wait()
    # /credits answers while the file is still arriving: the state as it is, nothing held yet
    await asyncio.wait_for(service.handle(incoming("/credits"), chat), 60)
    assert chat.texts[-1] == "💳 Credits: 100 available, 0 frozen, 100 total."
    # an edit sent after the file waits for it; a read sent after the edit waits for both
    edit = asyncio.ensure_future(service.handle(incoming("slower"), chat))
    status = asyncio.ensure_future(service.handle(incoming("/status"), chat))
    credits = asyncio.ensure_future(service.handle(incoming("/credits"), chat))
    for _ in range(20):
        await asyncio.sleep(0)
    assert not (edit.done() or status.done() or credits.done())
    held.release.set()
    await asyncio.gather(upload, edit, status, credits)
    assert chat.texts[-1] == "💳 Credits: 90 available, 10 frozen, 100 total."
    assert chat.texts.index("🎬 Rendering your video…") < len(chat.texts) - 1


async def test_quick_edits_render_once_what_was_asked_and_charge_once(
    service: Service, tiny: Path
) -> None:
    await service.runner.stop()  # the edits arrive while the first request is still queued
    chat = RecordingChat()
    for text, files in (
        (SCRIPT, (tiny,)),
        ("slower", ()),
        ("burn the captions", ()),
        ("make it 9:16", ()),
    ):
        await service.handle(incoming(text, files=files), chat)
    assert (
        chat.texts.count(
            "⏭ Your earlier request that was still waiting is replaced by this one "
            "(it was not rendered and costs nothing)."
        )
        == 3
    )
    service.runner.start()
    await asyncio.wait_for(service.wait_idle(), 120)
    (result,) = chat.results
    assert result.video is not None and result.video.height > result.video.width  # 9:16
    rows = await service.store.fetchall("SELECT status FROM jobs ORDER BY created")
    assert [r["status"] for r in rows] == ["cancelled", "cancelled", "cancelled", "done"]
    credits = await service.backend.credits("telegram:1")
    assert (credits.available, credits.frozen, credits.total) == (90, 0, 90)


async def test_a_job_renders_its_pinned_inputs_after_the_user_replaced_them(
    settings: Settings, tiny: Path, tmp_path: Path
) -> None:
    backend = LocalBackend(settings)
    try:
        session = await backend.open_session("console:a", "en")
        staged = backend.media.staging() / "first.mp4"
        shutil.copyfile(tiny, staged)
        await backend.media.put_file("uploads/u/first.mp4", staged)  # as the chat stores it
        owned = backend.media.path("uploads/u/first.mp4")
        await backend.upload(session, StoredFile("uploads/u/first.mp4"), "first.mp4")
        async for _ in backend.send(session, SCRIPT):
            pass
        pinned = await backend.snapshot(session)
        assert pinned.payload["media"]["key"].endswith("/media/first.mp4")  # named as sent
        wide = make_video(tmp_path / "wide.mp4", seconds=2, size="320x120")
        await backend.upload(session, wide, "wide.mp4")  # replaces the video...
        assert not owned.exists()  # ...and ours is deleted at once
        async for _ in backend.send(session, "make it 1:1"):
            pass
        handle = await backend.export(session, pinned, ref="job1")
        status = await finish(backend, handle)
        assert status.path is not None
        with av.open(str(status.path)) as container:
            stream = container.streams.video[0]
            assert (stream.width, stream.height) == (160, 120)  # the pinned video and aspect
        await backend.release("console:a", "job1", pinned)
        assert tree_files(settings.data_dir / "pins") == []
    finally:
        await backend.aclose()


CHINESE = "认识一下极光台灯，它会跟随太阳。日出时它发出柔和的琥珀色光。"


async def test_a_script_no_installed_voice_speaks_is_refused_before_any_credits(
    service: Service, tiny: Path
) -> None:
    chat = RecordingChat()
    await service.handle(incoming(CHINESE, files=(tiny,)), chat)
    refusal = chat.texts[-1]
    assert "Chinese" in refusal and "/voices install zh_CN-huayan-medium" in refusal
    assert await service.store.fetchall("SELECT id FROM jobs") == []
    credits = await service.backend.credits("telegram:1")
    assert (credits.available, credits.frozen) == (100, 0)


async def test_the_chinese_voice_reads_a_chinese_script_once_installed(
    service: Service, tiny: Path, settings: Settings
) -> None:
    install_relabelled(settings.data_dir / "voices", "zh_CN-test-medium")
    installed_voices.cache_clear()
    try:
        chat = RecordingChat()
        await service.handle(incoming(CHINESE, files=(tiny,)), chat)
        await asyncio.wait_for(service.wait_idle(), 120)
        assert [r.kind for r in chat.results] == ["video"]
    finally:
        installed_voices.cache_clear()
