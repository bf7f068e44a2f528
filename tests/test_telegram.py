"""The Telegram bot: the real PTB Application and the real Service against a loopback Bot API."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import av
import httpx
import pytest
from pydantic import SecretStr
from telegram import Bot, Message

from bots.telegram.bot import TokenRedactor, run
from bots.telegram.chat import TelegramChat, split_text
from bots.telegram.incoming import FileRef, addressed, make_fetch, message_files
from core.config import Settings
from core.errors import ErrorCode, VoiceoverError
from core.ports import VideoReply
from core.service import Service
from core.words.errors import message_for
from tests.fake_telegram import (
    BOT_ID,
    BOT_USERNAME,
    TOKEN,
    FakeTelegram,
    message_update,
    pointed_at,
    video_media,
)
from tests.fakes import FakeClock
from tests.held_render import RenderGate
from tests.loopback import free_port
from tests.telegram_helpers import SCRIPT, bot_running, bot_task, push_video, video_update


def replies_to(fake: FakeTelegram, message_id: int) -> list[str]:
    """Texts the bot sent in reply to one user message."""
    return [
        str(c.params.get("text", ""))
        for c in fake.called("sendMessage")
        if (c.params.get("reply_parameters") or {}).get("message_id") == message_id
    ]


async def wait_for_text(fake: FakeTelegram, part: str, within_s: float = 120.0) -> None:
    """Until a message the bot sent contains `part`."""
    sent = lambda: [str(c.params.get("text")) for c in fake.called("sendMessage")]  # noqa: E731
    await fake.wait_until(lambda: any(part in text for text in sent()), within_s)


def files_with(root: Path, data: bytes) -> list[Path]:
    """Files under root whose bytes are exactly `data`."""
    return [p for p in root.rglob("*.mp4") if p.read_bytes() == data]


def probe(data: bytes) -> tuple[str, bool, float]:
    """Video codec, whether there is audio, duration in seconds."""
    with av.open(io.BytesIO(data), mode="r") as container:
        video = container.streams.video[0]
        duration = float(container.duration or 0) / 1_000_000
        return video.codec_context.name, bool(container.streams.audio), duration


async def test_video_with_caption_gets_progress_and_the_mp4(
    fake: FakeTelegram, tg_settings: Settings, clip: Path, render_gate: RenderGate
) -> None:
    fake.fail_next("editMessageText", 429, "Too Many Requests: retry after 1", retry_after=1)
    async with bot_running(tg_settings, fake) as service:
        message_id = push_video(fake, clip, SCRIPT)
        await render_gate.reached("speech")
        await wait_for_text(fake, "⏳")  # the progress message, sent while the render waits
        render_gate.release("speech")
        await render_gate.reached("mix")  # a later stage: the message is edited (429, retried)
        await fake.wait_for("editMessageText", 2)
        render_gate.release("mix")
        [upload] = await fake.wait_for("sendVideo", within_s=120)
        await service.wait_idle()
    codec, has_audio, duration = probe(upload.files["video"])
    assert (codec, has_audio) == ("h264", True)
    assert duration >= 2.5
    assert upload.files["video"] != clip.read_bytes()  # noqa: ASYNC240
    rendered = files_with(tg_settings.data_dir, upload.files["video"])
    assert rendered, "the uploaded bytes are not the rendered file"
    assert upload.params["supports_streaming"] == "true"
    assert int(upload.params["width"]) > 0 and int(upload.params["height"]) > 0
    assert int(upload.params["duration"]) >= 2
    assert upload.files["thumbnail"][:2] == b"\xff\xd8"  # a JPEG
    assert upload.params["reply_parameters"]["message_id"] == message_id
    edits = fake.called("editMessageText")
    assert len(edits) >= 2
    first = edits[0]
    retried = [e for e in edits[1:] if e.params == first.params]
    assert retried and retried[0].at - first.at >= 1.0, "the 429'd edit was not retried after 1 s"
    texts = [(e.params["message_id"], e.params["text"]) for e in edits if e is not first]
    assert len(texts) == len(set(texts)), "identical text was sent again"
    assert fake.called("sendChatAction")[0].params["action"] == "upload_video"


async def test_a_result_over_the_upload_limit_arrives_as_a_link(
    fake: FakeTelegram, tg_settings: Settings, clip: Path
) -> None:
    small = tg_settings.model_copy(update={"telegram_upload_limit": 10_000})
    async with bot_running(small, fake) as service:
        push_video(fake, clip, SCRIPT)
        await wait_for_text(fake, "http://")
        await service.wait_idle()
    assert not fake.called("sendVideo")
    links = [c for c in fake.called("sendMessage") if "http://" in str(c.params["text"])]
    assert len(links) == 1


async def test_a_file_over_the_download_limit_gets_an_upload_link_and_no_download(
    fake: FakeTelegram, tg_settings: Settings
) -> None:
    big = 25_000_000
    file_id = fake.add_file(b"\x00" * 1024, size=big, name="huge.mp4")
    update = message_update(caption=SCRIPT, video=video_media(file_id, big, name="huge.mp4"))
    async with bot_running(tg_settings, fake) as service:
        fake.push(update)
        await fake.wait_for("sendMessage")
        await service.wait_idle()
    [guidance] = replies_to(fake, update["message"]["message_id"])
    assert "huge.mp4" in guidance and "20 MB" in guidance and "/u/" in guidance
    assert not fake.called("getFile") and not fake.downloads


async def test_a_duplicated_update_makes_one_job(
    fake: FakeTelegram, tg_settings: Settings, clip: Path
) -> None:
    update = video_update(fake, clip, f"/voiceover speed=1.1 captions=soft {SCRIPT}")
    update["update_id"] = 5000
    async with bot_running(tg_settings, fake) as service:
        fake.updates += [update, dict(update)]  # delivered twice in one batch
        fake.push(dict(update))  # and once more
        await fake.wait_for("sendVideo", within_s=120)
        await service.wait_idle()
        await asyncio.sleep(0.5)
    [upload] = fake.called("sendVideo")
    with av.open(io.BytesIO(upload.files["video"]), mode="r") as container:
        assert container.streams.subtitles, "the /voiceover options did not reach the render"


async def test_a_restart_in_the_middle_of_a_job_still_delivers(
    fake: FakeTelegram, tg_settings: Settings, clip: Path, render_gate: RenderGate
) -> None:
    async with bot_running(tg_settings, fake):
        message_id = push_video(fake, clip, SCRIPT)
        await render_gate.reached("speech")  # the job is running when the bot stops
        await fake.wait_for("sendChatAction", within_s=60)
    render_gate.release_all()  # the stopped render ends; the next process renders freely
    delivered_before = len(fake.called("sendVideo"))
    async with bot_running(tg_settings, fake) as service:
        await fake.wait_for("sendVideo", within_s=120)
        await service.wait_idle()
        await asyncio.sleep(0.5)
    uploads = fake.called("sendVideo")
    assert delivered_before == 0 and len(uploads) == 1
    assert uploads[0].params["reply_parameters"]["message_id"] == message_id


async def test_in_groups_only_commands_mentions_and_replies_are_answered(
    fake: FakeTelegram, tg_settings: Settings, clip: Path
) -> None:
    group = -100123
    ignored = [
        message_update(chat_id=group, user_id=7, text="hello everyone"),
        message_update(chat_id=group, user_id=7, text="/credits@someone_elses_bot"),
    ]
    answered = [
        message_update(chat_id=group, user_id=7, text=f"@{BOT_USERNAME} credits"),
        message_update(chat_id=group, user_id=7, text="credits", reply_to_bot=True),
        message_update(chat_id=group, user_id=7, text="/credits"),
    ]
    async with bot_running(tg_settings, fake) as service:
        for update in ignored + answered:
            fake.push(update)
        await fake.wait_for("sendMessage", len(answered))
        mine = push_video(fake, clip, f"@{BOT_USERNAME}", chat_id=group, user_id=7)
        await fake.wait_for("sendMessage", len(answered) + 1)
        theirs = message_update(chat_id=group, user_id=8, text="/status")
        fake.push(theirs)
        await fake.wait_for("sendMessage", len(answered) + 2)
        await service.wait_idle()
    for update in ignored:
        assert not replies_to(fake, update["message"]["message_id"])
    for update in answered:
        assert replies_to(fake, update["message"]["message_id"])
    assert any("clip.mp4" in text for text in replies_to(fake, mine))
    assert not any(
        "clip.mp4" in text for text in replies_to(fake, theirs["message"]["message_id"])
    )


@pytest.mark.parametrize("language", ["en", "zh"])
async def test_every_command_answers(
    fake: FakeTelegram, tg_settings: Settings, language: str
) -> None:
    commands = [
        *("start", "help", "voiceover", "credits", "status", "export", "voices", "cancel"),
        *("upload", "preview", "undo", "apikey", "edit"),
    ]
    updates = [  # one user each: a /cancel stops the work of its own user's earlier messages
        message_update(text=f"/{name}", language=language, chat_id=100 + n, user_id=100 + n)
        for n, name in enumerate(commands)
    ]
    async with bot_running(tg_settings, fake) as service:
        for update in updates:
            fake.push(update)
        await fake.wait_for("sendMessage", len(updates))
        await service.wait_idle()
    for name, update in zip(commands, updates, strict=True):
        answers = replies_to(fake, update["message"]["message_id"])
        assert answers, f"/{name} got no answer"
        if language == "zh":
            assert any(any("\u4e00" <= ch <= "\u9fff" for ch in a) for a in answers), name
    menus = {
        c.params.get("language_code"): c.params["commands"] for c in fake.called("setMyCommands")
    }
    assert set(menus) == {None, "zh"}
    assert [c["command"] for c in menus["zh"]] == [c["command"] for c in menus[None]]
    assert set(commands) == {c["command"] for c in menus[None]}


async def test_failures_are_told_in_one_line_and_the_token_never_logged(
    fake: FakeTelegram, tg_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake.fail_next("sendMessage", 500, "Internal Server Error")  # the adapter's own reply fails
    file_id = fake.add_file(b"\x00", size=25_000_000, name="huge.mp4")
    async with bot_running(tg_settings, fake) as service:
        fake.push(message_update(video=video_media(file_id, 25_000_000)))
        await fake.wait_for("sendMessage", 2)
        await service.wait_idle()
    told = [str(c.params["text"]) for c in fake.called("sendMessage")[1:]]
    assert told == [message_for(ErrorCode.INTERNAL, "en")]
    assert "Traceback" in caplog.text and "Internal Server Error" in caplog.text
    assert "bot<token>/" in caplog.text, "expected redacted request lines at DEBUG"
    assert TOKEN not in caplog.text and TOKEN.split(":")[1] not in caplog.text
    assert TOKEN.split(":")[1] not in caplog.text


async def test_webhook_mode_checks_the_secret_token(
    fake: FakeTelegram, tg_settings: Settings
) -> None:
    port = free_port()
    hooked = tg_settings.model_copy(
        update={
            "telegram_webhook_url": f"http://127.0.0.1:{port}/tg-hook",
            "telegram_webhook_secret": SecretStr("s3cret-value"),
            "telegram_webhook_listen": "127.0.0.1",
            "telegram_webhook_port": port,
        }
    )
    service = Service(hooked)
    update = {"update_id": 77, **message_update(text="/credits")}
    url = f"http://127.0.0.1:{port}/tg-hook"
    async with bot_task(hooked, service) as stop_bot:
        [registered] = await fake.wait_for("setWebhook", within_s=30)
        async with service:
            try:
                async with httpx.AsyncClient() as client:
                    refused = await client.post(url, json=update)
                    wrong = await client.post(
                        url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "nope"}
                    )
                    accepted = await client.post(
                        url,
                        json=update,
                        headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-value"},
                    )
                await fake.wait_for("sendMessage")
                await service.wait_idle()
            finally:  # the bot first, then the service
                await stop_bot()
    assert registered.params["secret_token"] == "s3cret-value"
    assert (refused.status_code, wrong.status_code, accepted.status_code) == (403, 403, 200)
    assert len(replies_to(fake, update["message"]["message_id"])) == 1


async def test_an_unreachable_bot_api_is_retried_with_backoff_until_it_answers(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    port = free_port()
    unreachable = pointed_at(settings, f"http://127.0.0.1:{port}")
    clock, service, fake = FakeClock(), Service(unreachable), FakeTelegram()
    try:
        async with bot_task(unreachable, service, clock=clock) as stop_bot, service:
            try:
                await clock.until_sleeping()  # getMe was refused: waiting 1 s
                await clock.advance(1)
                await clock.until_sleeping()  # refused again: waiting 2 s
                await fake.start(port)
                await clock.advance(2)
                await fake.wait_for("getUpdates")
                update = fake.push(message_update(text="/credits"))
                await fake.wait_for("sendMessage")
            finally:  # the bot first, then the service
                await stop_bot()
    finally:
        await fake.stop()
    assert "💳" in replies_to(fake, update["message"]["message_id"])[0]
    warnings = [r for r in caplog.records if r.name == "bots.reconnect"]
    assert [r.getMessage().rsplit(";", 1)[1] for r in warnings] == [
        " trying again in 1 s",
        " trying again in 2 s",
    ]
    assert all(r.getMessage().startswith("Telegram is unreachable (") for r in warnings)
    assert all(r.levelno == logging.WARNING and r.exc_info is None for r in warnings)
    assert TOKEN not in caplog.text and TOKEN.split(":")[1] not in caplog.text


async def test_stop_ends_the_bot_while_it_waits_to_retry(settings: Settings) -> None:
    unreachable = pointed_at(settings, f"http://127.0.0.1:{free_port()}")
    clock, stop = FakeClock(), asyncio.Event()
    task = asyncio.create_task(run(unreachable, Service(unreachable), stop, clock=clock))
    await clock.until_sleeping()
    stop.set()  # the fake clock never moves: only the stop event can end the wait
    async with asyncio.timeout(10):
        await task


def test_long_text_is_split_at_line_breaks_within_the_limit() -> None:
    text = "\n".join(f"line {i} " + "x" * 90 for i in range(100))
    pieces = split_text(text)
    assert len(pieces) == 3 and all(len(p) <= 4096 for p in pieces)
    assert "\n".join(pieces) == text


def test_the_redactor_scrubs_messages_arguments_and_tracebacks(
    caplog: pytest.LogCaptureFixture,
) -> None:
    logger = logging.getLogger("tests.redaction")
    logger.addFilter(TokenRedactor(TOKEN))
    try:
        raise RuntimeError(f"POST https://api.telegram.org/bot{TOKEN}/getMe failed")
    except RuntimeError:
        logger.exception("request to %s failed (%d)", f"/bot{TOKEN}/getMe", 500)
    logger.warning("encoded: %s", f"/bot{TOKEN.replace(':', '%3A')}/getMe")
    assert "/bot<token>/getMe failed (500)" in caplog.text
    assert "RuntimeError: POST https://api.telegram.org/bot<token>/getMe" in caplog.text
    assert TOKEN not in caplog.text and TOKEN.split(":")[1] not in caplog.text


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    """A real PTB Bot talking to the fake (no Application)."""
    async with Bot(TOKEN, base_url=f"{fake.url}/bot", base_file_url=f"{fake.url}/file/bot") as b:
        yield b


def as_message(update: dict[str, Any], bot: Bot) -> Message:
    """PTB's own parse of an update's message."""
    message = Message.de_json(update["message"], bot)
    assert message is not None
    return message


def test_commands_options_mentions_and_other_bots(bot: Bot) -> None:
    def said(text: str, chat_id: int = 42) -> Any:
        message = as_message(message_update(chat_id=chat_id, text=text), bot)
        return addressed(message, BOT_ID, BOT_USERNAME)

    options = said("/voiceover voice=en_US-joe-medium speed=1.1 Hello there.\nSecond line.")
    assert options.command == "voiceover"
    assert dict(options.args) == {
        "voice": "en_US-joe-medium",
        "speed": "1.1",
        "script": "Hello there.\nSecond line.",
    }
    mention = said(f"@{BOT_USERNAME} make it  slower", chat_id=-100)
    assert (mention.command, mention.text) == (None, "make it slower")
    assert said("/status@other_bot") is None
    assert said("/status@" + BOT_USERNAME.upper()).command == "status"
    assert said("just chatting", chat_id=-100) is None
    assert said("just chatting").text == "just chatting"


def test_roles_come_from_the_message_type(bot: Bot) -> None:
    media: dict[str, dict[str, Any]] = {
        "animation": {
            "animation": {**video_media("a", 10), "file_name": "a.gif.mp4"},
            "document": {"file_id": "a", "file_unique_id": "ua"},
        },
        "video_note": {
            "video_note": {"file_id": "n", "file_unique_id": "un", "length": 240, "duration": 3}
        },
        "audio": {"audio": {"file_id": "m", "file_unique_id": "um", "duration": 3}},
        "voice": {"voice": {"file_id": "v", "file_unique_id": "uv", "duration": 3}},
        "photo": {
            "photo": [
                {"file_id": "small", "file_unique_id": "s", "width": 90, "height": 90},
                {"file_id": "big", "file_unique_id": "b", "width": 800, "height": 600},
            ]
        },
        "script": {"document": {"file_id": "d", "file_unique_id": "ud", "file_name": "../s.docx"}},
        "other": {"document": {"file_id": "o", "file_unique_id": "uo", "file_name": "x.bin"}},
    }
    found = {k: message_files(as_message(message_update(**v), bot))[0] for k, v in media.items()}
    assert {k: f.role for k, f in found.items()} == {
        "animation": "video",
        "video_note": "video",
        "audio": "music",
        "voice": "narration",
        "photo": None,
        "script": "script",
        "other": None,
    }
    assert found["photo"].file_id == "big"
    assert found["script"].name == "s.docx"


async def test_the_chat_splits_long_text_captions_and_skips_identical_edits(
    fake: FakeTelegram, bot: Bot, clip: Path
) -> None:
    chat = TelegramChat(bot, 42, upload_limit=50_000_000)
    ref = await chat.say("word " * 1000)  # 5000 characters
    await chat.edit(ref, "Rendering: 10%")
    await chat.edit(ref, "Rendering: 10%")
    caption = "c" * 1500
    await chat.send_video(VideoReply(clip, caption, 3.0, 320, 240, 1))
    sent = [str(c.params["text"]) for c in fake.called("sendMessage")]
    assert len(sent) == 3 and max(len(t) for t in sent[:2]) <= 4096 and sent[2] == caption
    assert " ".join(sent[:2]).split() == ["word"] * 1000
    assert len(fake.called("editMessageText")) == 1
    [upload] = fake.called("sendVideo")
    assert "caption" not in upload.params and upload.files["video"] == clip.read_bytes()  # noqa: ASYNC240


async def test_fetch_in_local_mode_copies_and_refuses_over_the_cap(
    fake: FakeTelegram, clip: Path, tmp_path: Path
) -> None:
    served = tmp_path / "server"
    served.mkdir()
    data = clip.read_bytes()  # noqa: ASYNC240
    file_id = fake.add_file(data, name="clip.mp4", local=served)
    async with Bot(
        TOKEN, base_url=f"{fake.url}/bot", base_file_url=f"{fake.url}/file/bot", local_mode=True
    ) as local_bot:
        fetch = make_fetch(local_bot, FileRef(file_id, "clip.mp4", None, None, "video"), 10**9)
        await fetch(tmp_path / "got.mp4", 10**9)
        with pytest.raises(VoiceoverError) as refused:
            await fetch(tmp_path / "small.mp4", 1000)
    assert (tmp_path / "got.mp4").read_bytes() == data  # noqa: ASYNC240
    assert refused.value.code == ErrorCode.FILE_TOO_LARGE
    assert not (tmp_path / "small.mp4").exists() and not fake.downloads  # noqa: ASYNC240
