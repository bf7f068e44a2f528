"""The chat core end to end on the local backend, with real renders of tiny clips."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.backends.base import BackendEvent, EventKind
from core.config import Settings
from core.errors import ErrorCode
from core.ports import Attachment, Incoming
from core.service import Service
from core.words.errors import message_for
from tests.chat_helpers import SCRIPT, SEED, incoming
from tests.fakes import FakeClock, RecordingChat
from tests.held_render import RenderGate


@pytest.fixture
def service_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"http_port": 0, "max_concurrent_jobs": 2, "admin_users": ["telegram:admin"]}
    )


@asynccontextmanager
async def store_open(svc: Service) -> AsyncIterator[Service]:
    """The Service with only its store open (no workers, no link server), closed at the end."""
    await svc.store.open()
    try:
        yield svc
    finally:
        await svc.store.close()


async def idle(service: Service) -> None:
    await asyncio.wait_for(service.wait_idle(), 180)


async def test_quick_voiceover_then_status_edit_export_and_credits(
    service: Service, tiny: Path
) -> None:
    chat = RecordingChat()
    await service.handle(incoming(SEED, files=(tiny,)), chat)
    assert "🎬 Got demo.mp4: 0:04, 160×120" in chat.texts  # after "📥 Receiving…" when slow
    assert "✅ Voice: male" in chat.all_text and "🎬 Rendering your video…" in chat.texts
    await idle(service)
    assert [r.kind for r in chat.results] == ["video"]
    video = chat.results[0].video
    assert video is not None and video.path.is_file() and video.size_bytes > 1000
    await service.handle(incoming("status"), chat)
    assert chat.texts[-1].startswith("Timeline (3 tracks): 1. Video: demo.mp4 (0-4s)")
    await service.handle(incoming("/credits"), chat)
    assert chat.texts[-1] == "💳 Credits: 90 available, 0 frozen, 90 total."
    await service.handle(incoming("slower"), chat)
    assert "✅ Speed: 0.9×" in chat.texts
    await idle(service)
    assert len(chat.results) == 2
    await service.handle(incoming("export"), chat)
    await idle(service)
    assert chat.texts[-2] == "Nothing changed since the last render, so here it is again."
    assert len(chat.results) == 3 and chat.results[2].video == chat.results[1].video


async def test_a_video_then_a_script_in_the_next_message(service: Service, tiny: Path) -> None:
    chat = RecordingChat()
    await service.handle(incoming(files=(tiny,)), chat)
    assert chat.texts[-1].startswith("Now send the script")
    await service.handle(incoming(SCRIPT), chat)
    await idle(service)
    assert len(chat.results) == 1


async def test_big_results_come_as_a_signed_link_that_downloads(
    service: Service, tiny: Path
) -> None:
    chat = RecordingChat(upload_limit=1000)
    await service.handle(incoming(SCRIPT, files=(tiny,)), chat)
    await idle(service)
    (link,) = chat.results
    assert link.kind == "link" and "too big to post here" in link.text and "0:0" in link.text
    async with httpx.AsyncClient() as client:
        response = await client.get(link.url)
    assert response.status_code == 200 and response.content[4:8] == b"ftyp"


async def test_slash_voiceover_with_options(service: Service, tiny: Path) -> None:
    chat = RecordingChat()
    args = {"script": SCRIPT, "speed": "1.1", "captions": "burn", "aspect": "1:1"}
    await service.handle(incoming(command="voiceover", args=args, files=(tiny,)), chat)
    assert "✅ Captions: burned in" in chat.all_text and "✅ Aspect: 1:1" in chat.all_text
    await idle(service)
    video = chat.results[0].video
    assert video is not None and video.width == video.height


async def test_the_same_message_twice_creates_one_job(service: Service, tiny: Path) -> None:
    chat = RecordingChat()
    message = incoming(SCRIPT, files=(tiny,))
    await asyncio.gather(service.handle(message, chat), service.handle(message, chat))
    await service.handle(message, chat)
    await idle(service)
    assert len(chat.results) == 1
    assert chat.texts.count("🎬 Got demo.mp4: 0:04, 160×120") == 1
    rows = await service.store.fetchall("SELECT id FROM jobs")
    assert len(rows) == 1


async def test_cancel_stops_the_render_and_releases_credits(
    service: Service, tiny: Path, render_gate: RenderGate
) -> None:
    chat = RecordingChat()
    await service.handle(incoming(SCRIPT, files=(tiny,)), chat)
    await render_gate.reached("speech")  # still rendering, however fast the machine
    await chat.wait_for(lambda c: any(t.startswith("⏳") for t in c.texts), 60)
    await service.handle(incoming("/cancel"), chat)
    assert chat.texts[-1] == "🛑 Cancelled. Frozen credits were released."
    render_gate.release_all()  # the render goes on to its next step, and stops there
    await idle(service)
    assert chat.results == []
    await service.handle(incoming("积分", lang="zh"), chat)
    assert chat.texts[-1] == "💳 积分：可用 100，冻结 0，总计 100。"
    await service.handle(incoming("cancel"), chat)
    assert chat.texts[-1] == message_for(ErrorCode.NOTHING_TO_CANCEL)


async def test_admin_grant_and_refusal(service: Service) -> None:
    chat = RecordingChat()
    await service.handle(incoming("grant telegram:7 25", command="credits", user="admin"), chat)
    assert chat.texts[-1] == "✅ Granted 25 credits to telegram:7: now 125 available."
    await service.handle(incoming("grant telegram:7 25", command="credits", user="7"), chat)
    assert chat.texts[-1] == message_for(ErrorCode.NOT_ALLOWED)
    await service.handle(incoming("/credits", user="7"), chat)
    assert chat.texts[-1].startswith("💳 Credits: 125 available")


async def test_simple_routes_answer_in_both_languages(service: Service) -> None:
    chat = RecordingChat()
    for text, lang, expected in [
        ("/help", "en", "🎙 I add AI narration"),
        ("帮助", "zh", "🎙 我可以为视频添加"),
        ("/stauts", "en", "Did you mean /status?"),
        ("/credit", "zh", "/credits 吗"),
        ("status", "en", message_for(ErrorCode.NO_PROJECT)),
        ("状态", "zh", message_for(ErrorCode.NO_PROJECT, "zh")),
        ("upload", "en", "📤 Upload your file here (up to 500 MB"),
        ("上传", "zh", "📤 请在这里上传文件（最大 500 MB"),
        ("voices", "en", "en_US-joe-medium"),
        ("new project", "en", "🆕 New project"),
        ("新项目", "zh", "🆕 已开始新项目"),
        ("export", "en", "nothing to render"),
    ]:
        await service.handle(incoming(text, lang=lang), chat)
        assert expected.lower() in chat.texts[-1].lower(), (text, chat.texts[-1])
    await service.handle(incoming("reply in chinese"), chat)
    await service.handle(incoming("/credits"), chat)
    assert chat.texts[-1].startswith("💳 积分")


async def test_bad_input_loses_nothing(service: Service, tiny: Path, tmp_path: Path) -> None:
    chat, other = RecordingChat(), RecordingChat()
    await service.handle(incoming(files=(tiny,)), chat)
    await service.handle(incoming(SCRIPT, user="2", files=(tiny,)), other)
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"\x00" * 5000)
    await service.handle(incoming(files=(junk,)), chat)
    assert "junk.mp4" in chat.texts[-1] and "Traceback" not in chat.all_text
    await service.handle(incoming("status"), chat)
    assert "Video: demo.mp4" in chat.texts[-1]
    await idle(service)
    assert len(other.results) == 1


class Failing:
    """A backend whose every call fails with one error (the chat must get its translation)."""

    name = "failing"

    def __init__(self, error: Exception) -> None:
        self.error = error

    def __getattr__(self, name: str) -> Callable[..., Awaitable[Any]]:
        async def fail(*args: Any, **kwargs: Any) -> Any:
            raise self.error

        return fail

    async def aclose(self) -> None:
        """Nothing to close."""


@pytest.mark.parametrize("code", [c for c in ErrorCode if c is not ErrorCode.OK])
@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_every_error_code_reaches_the_chat_translated(
    service_settings: Settings, code: ErrorCode, lang: str
) -> None:
    from core.errors import VoiceoverError

    failing = Failing(VoiceoverError(code, name="x.mp4"))
    async with store_open(Service(service_settings, backend=failing)) as svc:  # type: ignore[arg-type]
        chat = RecordingChat()
        await svc.handle(incoming("/credits", lang=lang), chat)
        assert chat.texts == [message_for(code, lang, name="x.mp4")]


async def test_an_unexpected_crash_is_logged_not_shown(
    service_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    failing = Failing(KeyError("secret detail"))
    async with store_open(Service(service_settings, backend=failing)) as svc:  # type: ignore[arg-type]
        chat = RecordingChat()
        await svc.handle(incoming("/credits"), chat)
    assert chat.texts == [message_for(ErrorCode.INTERNAL)]
    assert "secret detail" not in chat.all_text and "Traceback" in caplog.text


async def test_out_of_credits_is_refused_before_anything_is_queued(
    service_settings: Settings, tiny: Path
) -> None:
    async with Service(service_settings.model_copy(update={"starting_credits": 0})) as svc:
        chat = RecordingChat()
        await svc.handle(incoming(SCRIPT, files=(tiny,)), chat)
        await idle(svc)
        assert chat.texts[-1] == "You're out of credits (0 left, 10 needed)."
        assert chat.results == []
        assert await svc.store.fetchall("SELECT status FROM jobs") == []
        pins = service_settings.data_dir / "pins"
        assert not pins.exists() or not any(pins.iterdir())  # its pinned files are gone too


async def test_a_link_to_a_private_address_is_refused(service: Service) -> None:
    chat = RecordingChat()
    attachment = Attachment(name="clip.mp4", url="http://127.0.0.1:9/clip.mp4")
    message = Incoming("console", "u", "c", "url-1", attachments=(attachment,))
    await service.handle(message, chat)
    assert chat.texts[-1].startswith("I can't fetch that link")


class SlowTalker:
    """A cloud-like backend whose turn streams only heartbeats for three minutes, then text."""

    name = "slow"

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock

    async def open_session(self, owner: str, language: str) -> str:
        return "s1"

    async def state(self, session_id: str) -> dict[str, Any]:
        return {"d": 0, "t": []}

    async def send(self, session_id: str, text: str) -> AsyncIterator[BackendEvent]:
        for _ in range(6):
            await self.clock.sleep(30)
            yield BackendEvent(EventKind.HEARTBEAT)
        yield BackendEvent(EventKind.TEXT, "Here is your edit.")
        yield BackendEvent(EventKind.DONE)

    async def aclose(self) -> None:
        """Nothing to close."""


async def test_a_long_backend_turn_says_still_working(service_settings: Settings) -> None:
    clock = FakeClock()
    slow = Service(service_settings, backend=SlowTalker(clock), clock=clock)  # type: ignore[arg-type]
    async with store_open(slow) as svc:
        chat = RecordingChat()
        turn = asyncio.create_task(svc.handle(incoming("add a title please"), chat))
        await chat.wait_for(lambda c: c.texts == ["🤔 Working on it…"], 5)
        await clock.advance(185, step=1)
        await asyncio.wait_for(turn, 5)
    assert chat.texts == ["🤔 Working on it…", "⏳ Still working...", "Here is your edit."]
    assert chat.count("working") >= 40


async def test_a_message_cut_short_by_a_stop_is_handled_again_after_a_restart(
    service_settings: Settings, tiny: Path
) -> None:
    """A finished browser upload is handed to the chat as message 'upload:…'; a stop in the
    middle must not mark it handled, or the restart's second hand-off would do nothing."""
    arrived = asyncio.Event()

    async def held_fetch(dest: Path, max_bytes: int) -> None:
        arrived.set()
        await asyncio.Event().wait()  # the stop comes while the file is still arriving

    held = Attachment(name="demo.mp4", fetch=held_fetch)
    message = replace(incoming("", message_id="upload:abc"), attachments=(held,))
    async with Service(service_settings) as first:
        first.accept(message, RecordingChat())
        await asyncio.wait_for(arrived.wait(), 60)
    chat = RecordingChat()
    async with Service(service_settings) as second:
        again = incoming("", message_id="upload:abc", files=(tiny,))
        await second.handle(again, chat)
        assert "🎬 Got demo.mp4: 0:04, 160×120" in chat.texts
