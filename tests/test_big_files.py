"""Big files through the chat: an oversized Telegram video (or /upload, 上传, Discord's /upload)
gets a personal upload link with a button; a tus upload to it continues the chat exactly as a
file sent there (🎬 Got …, the kept caption applied, the render started, refusals as usual)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import httpx
from tusclient.client import TusClient

from core.config import Settings
from core.errors import ErrorCode
from core.ports import Incoming
from core.service import Service
from core.words.errors import message_for
from tests.fake_discord import CHANNEL_ID, DM_CHANNEL_ID, USER_ID, FakeAttachment, FakeDiscord
from tests.fake_telegram import FakeTelegram, message_update, video_media
from tests.fakes import RecordingChat
from tests.telegram_helpers import SCRIPT, bot_running, push_video
from tests.test_discord import EPHEMERAL, running_bot

LINK = re.compile(r"http://127\.0\.0\.1:\d+/u/[0-9a-f]{32}\?e=\d+&s=[0-9a-f]{64}")


def tus_upload(url: str, source: Path, name: str, chunk: int = 256 * 1024) -> None:
    """Upload a file to the link with tuspy (blocking: run it in a thread)."""
    client = TusClient(url)
    client.uploader(str(source), chunk_size=chunk, metadata={"filename": name}).upload()


def sent_texts(fake: FakeTelegram) -> list[str]:
    """Every text the bot sent with sendMessage."""
    return [str(c.params.get("text", "")) for c in fake.called("sendMessage")]


def offered_links(fake: FakeTelegram) -> list[tuple[str, dict[str, Any]]]:
    """(text, reply_markup) of each message that offered a link with a button."""
    return [
        (str(c.params["text"]), c.params["reply_markup"])
        for c in fake.called("sendMessage")
        if c.params.get("reply_markup")
    ]


async def test_an_oversized_telegram_video_gets_a_link_and_the_upload_continues_the_chat(
    fake: FakeTelegram, tg_settings: Settings, clip: Path
) -> None:
    big = 300_000_000
    file_id = fake.add_file(b"\x00" * 1024, size=big, name="holiday.mp4")
    update = message_update(caption=SCRIPT, video=video_media(file_id, big, name="holiday.mp4"))
    small = tg_settings.model_copy(update={"telegram_upload_limit": 10_000})
    async with bot_running(small, fake) as service:
        fake.push(update)
        await fake.wait_until(lambda: bool(offered_links(fake)), 30)
        [(text, markup)] = offered_links(fake)
        url = LINK.search(text)
        assert url is not None, text  # the link is in the text too
        [[button]] = markup["inline_keyboard"]
        assert button["url"] == url.group(0) and "Upload" in button["text"]
        assert "holiday.mp4" in text and "300 MB" in text and "20 MB" in text
        assert "caption is kept" in text
        assert not fake.called("getFile") and not fake.downloads

        await asyncio.to_thread(tus_upload, url.group(0), clip, "holiday.mp4")
        await fake.wait_until(lambda: any("🎬 Got holiday.mp4" in t for t in sent_texts(fake)))
        await fake.wait_until(lambda: any("/r/" in t for t in sent_texts(fake)), 180)
        await service.wait_idle()
        await service.uploads.settled()
        result = next(re.search(r"http://\S+/r/\S+", t) for t in sent_texts(fake) if "/r/" in t)
        assert result is not None
        async with httpx.AsyncClient() as http:  # a browser opening it gets the result page
            page = await http.get(result.group(0), headers={"Accept": "text/html"})
        assert page.status_code == 200 and "<video" in page.text and "timeline.png" in page.text
    texts = sent_texts(fake)
    assert any("Script: 10 words" in t or "📝" in t for t in texts), texts  # the kept caption
    assert not fake.called("sendVideo")  # over this chat's upload limit: a result link
    assert not list((small.data_dir / "tus" / "files").iterdir())  # handed off, then removed


async def test_upload_command_and_chinese_keyword_offer_the_link(
    fake: FakeTelegram, tg_settings: Settings
) -> None:
    async with bot_running(tg_settings, fake) as service:
        fake.push(message_update(text="/upload"))
        fake.push(message_update(text="上传", language="zh", user_id=43))
        await fake.wait_until(lambda: len(offered_links(fake)) == 2, 30)
        await service.wait_idle()
    (english, _), (chinese, markup) = sorted(offered_links(fake), key=lambda o: "上传" in o[0])
    assert english.startswith("📤 Upload your file here") and LINK.search(english)
    assert chinese.startswith("📤 请在这里上传文件") and LINK.search(chinese)
    assert markup["inline_keyboard"][0][0]["text"] == "📤 上传文件"


async def test_an_uploaded_file_that_is_not_media_is_refused_in_one_line(
    fake: FakeTelegram, tg_settings: Settings, tmp_path: Path
) -> None:
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"\x00not a video" * 500)
    async with bot_running(tg_settings, fake) as service:
        fake.push(message_update(text="/upload"))
        await fake.wait_until(lambda: bool(offered_links(fake)), 30)
        url = LINK.search(offered_links(fake)[0][0])
        assert url is not None
        await asyncio.to_thread(tus_upload, url.group(0), junk, "junk.mp4")
        await fake.wait_until(lambda: any("junk.mp4" in t for t in sent_texts(fake)), 60)
        await service.wait_idle()
    [refusal] = [t for t in sent_texts(fake) if "junk.mp4" in t]
    assert "\n" not in refusal and "Traceback" not in refusal
    assert message_for(ErrorCode.INTERNAL) not in sent_texts(fake)


async def test_discord_upload_is_an_ephemeral_link_button_and_the_file_arrives(
    tmp_path: Path, clip: Path
) -> None:
    fake = FakeDiscord()
    await fake.start()
    try:
        async with running_bot(tmp_path, fake) as bot:
            interaction = await fake.slash("upload")
            token = interaction["token"]

            def offer() -> dict[str, Any] | None:
                return next(
                    (
                        c.json
                        for c in fake.calls
                        if token in c.path and (c.json or {}).get("components")
                    ),
                    None,
                )

            await fake.wait_for(lambda: offer() is not None)
            answer = offer()
            assert answer is not None and answer["flags"] == EPHEMERAL  # only the user sees it
            [row] = answer["components"]
            [button] = row["components"]
            assert button["style"] == 5 and LINK.fullmatch(button["url"])  # a link button
            assert button["url"] in answer["content"]

            await asyncio.to_thread(tus_upload, button["url"], clip, "clip.mp4")

            def in_channel() -> list[str]:  # no token is kept: the file arrives in the channel
                return [
                    str((c.json or {}).get("content"))
                    for c in fake.calls
                    if c.method == "POST" and "/channels/" in c.path
                ]

            await fake.wait_for(lambda: any("🎬 Got clip.mp4" in t for t in in_channel()))
            await bot.service.wait_idle()
        [got] = [t for t in in_channel() if "Got clip.mp4" in t]
        assert got.startswith(f"<@{USER_ID}>")  # it mentions the user
    finally:
        await fake.stop()


async def test_an_upload_finished_while_its_platform_is_away_arrives_when_it_connects(
    service: Service, clip: Path
) -> None:
    incoming = Incoming(platform="later", user_id="7", chat_id="c7", message_id="m1")
    url = await service.uploads.issue(incoming, "later:7", "", "en")
    await asyncio.to_thread(tus_upload, url, clip, "clip.mp4")
    files = service.settings.data_dir / "tus" / "files"
    assert len(await asyncio.to_thread(lambda: list(files.iterdir()))) == 2  # kept, waiting
    chat = RecordingChat()
    service.register_platform("later", lambda chat_id, context: chat)
    await chat.wait_for(lambda c: any("🎬 Got clip.mp4" in t for t in c.texts))
    await service.uploads.settled()  # its message handled, the upload is removed
    assert await asyncio.to_thread(lambda: list(files.iterdir())) == []
    await service.wait_idle()


async def test_discord_mention_upload_sends_the_link_as_a_direct_message(tmp_path: Path) -> None:
    fake = FakeDiscord()
    await fake.start()
    try:
        async with running_bot(tmp_path, fake) as bot:
            await fake.mention("upload")

            def direct() -> list[dict[str, Any]]:
                return [
                    c.json
                    for c in fake.calls
                    if c.method == "POST" and f"/channels/{DM_CHANNEL_ID}/messages" in c.path
                ]

            await fake.wait_for(lambda: bool(direct()))
            [message] = direct()
            [[button]] = [row["components"] for row in message["components"]]
            assert LINK.fullmatch(button["url"]) and button["url"] in message["content"]
            in_channel = [
                str((c.json or {}).get("content"))
                for c in fake.calls
                if c.method == "POST" and f"/channels/{CHANNEL_ID}/messages" in c.path
            ]
            assert not any("/u/" in text for text in in_channel)  # never public
            await bot.service.wait_idle()
    finally:
        await fake.stop()


async def test_status_sends_the_timeline_as_a_telegram_photo(
    fake: FakeTelegram, tg_settings: Settings, clip: Path
) -> None:
    async with bot_running(tg_settings, fake) as service:
        push_video(fake, clip, SCRIPT)
        await fake.wait_until(lambda: any("🎬 Got" in t for t in sent_texts(fake)))
        fake.push(message_update(text="/status"))
        [photo] = await fake.wait_for("sendPhoto")
        await service.wait_idle()
    [picture] = photo.files.values()
    assert picture[:8] == b"\x89PNG\r\n\x1a\n" and photo.params["caption"] == "🗂 The timeline"


async def test_status_sends_the_timeline_as_a_discord_file(tmp_path: Path, clip: Path) -> None:
    fake = FakeDiscord()
    await fake.start()
    try:
        async with running_bot(tmp_path, fake) as bot:
            data = await asyncio.to_thread(clip.read_bytes)
            video = FakeAttachment("clip.mp4", data, "video/mp4")
            first = await fake.slash("voiceover", video=video, script=SCRIPT)
            await fake.wait_for(lambda: any("🎬 Got" in t for t in bot.texts(first["token"])))
            status = await fake.slash("status")
            await fake.wait_for(lambda: bool(bot.uploads(status["token"])))
            [upload] = bot.uploads(status["token"])
            name, data = upload.files["files[0]"]
            assert name.endswith(".png") and data[:4] == b"\x89PNG"
            await bot.service.wait_idle()
    finally:
        await fake.stop()


async def test_a_button_telegram_refuses_still_leaves_the_link_in_text(
    fake: FakeTelegram, tg_settings: Settings
) -> None:
    fake.fail_next("sendMessage", 400, "Bad Request: BUTTON_URL_INVALID")  # e.g. a bare IP
    async with bot_running(tg_settings, fake) as service:
        fake.push(message_update(text="/upload"))
        await fake.wait_until(lambda: any(LINK.search(t) for t in sent_texts(fake)), 30)
        await service.wait_idle()
    refused, plain = [c for c in fake.called("sendMessage") if LINK.search(str(c.params["text"]))]
    assert refused.params.get("reply_markup") and not plain.params.get("reply_markup")
    assert str(plain.params["text"]).startswith("📤 Upload your file here")
    assert message_for(ErrorCode.INTERNAL) not in sent_texts(fake)


async def test_in_a_group_the_link_goes_privately_when_the_user_started_the_bot(
    fake: FakeTelegram, tg_settings: Settings
) -> None:
    async with bot_running(tg_settings, fake) as service:
        fake.push(message_update(chat_id=-1001, user_id=42, text="/upload"))
        await fake.wait_until(lambda: any("📬" in t for t in sent_texts(fake)), 30)
        fake.fail_next("sendMessage", 403, "Forbidden: bot can't initiate conversation")
        fake.push(message_update(chat_id=-1001, user_id=77, text="/upload"))
        await fake.wait_until(lambda: len([t for t in sent_texts(fake) if LINK.search(t)]) == 3)
        await service.wait_idle()
    links = [c for c in fake.called("sendMessage") if LINK.search(str(c.params["text"]))]
    private, refused, in_group = links
    assert int(private.params["chat_id"]) == 42 and private.params.get("reply_markup")
    assert int(refused.params["chat_id"]) == 77  # never started the bot: Telegram says no
    assert int(in_group.params["chat_id"]) == -1001 and in_group.params.get("reply_markup")
    notes = [c for c in fake.called("sendMessage") if "📬" in str(c.params["text"])]
    assert [int(c.params["chat_id"]) for c in notes] == [-1001]
