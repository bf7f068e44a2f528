"""A Chinese speaker (Telegram language_code zh-hans) is answered in Chinese only: every text the
real PTB bot sends through the fake Bot API, from /help to the delivered video, is checked for
English words (voice keys and names, file names, format names, numbers, commands and links
aside)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from core.config import Settings
from core.engine.voices import installed_voices
from core.service import Service
from tests.chat_helpers import incoming
from tests.fake_telegram import FakeTelegram, message_update
from tests.fakes import RecordingChat
from tests.telegram_helpers import bot_running, push_video
from tests.voice_repo import install_relabelled

CHINESE = "认识一下极光台灯，它会跟随太阳。日出时它发出柔和的琥珀色光。"
ZH = "zh-hans"
# What may stay in Latin letters inside a Chinese reply.
ALLOWED = re.compile(
    r"https?://\S+"  # links
    r"|`[^`]*`"  # commands to copy
    r"|/[a-z_]+"  # slash commands
    r"|[A-Za-z]{2}_[A-Z]{2}-[\w-]+"  # voice keys
    r"|[\w-]+\.(?:mp4|mov|ogg|txt|docx|srt|vtt)\b"  # file names
    r"|\b(?:[A-Z0-9]{2,}|WebM|joe|huayan|AI)\b"  # format names, units, voice names
)
ENGLISH = re.compile(r"[A-Za-z]{2,}")


def english_in(text: str) -> list[str]:
    """Latin-letter words left once what may stay is taken out."""
    return ENGLISH.findall(ALLOWED.sub(" ", text))


def test_the_checker_finds_english() -> None:
    assert english_in("✅ Your video is ready (0:04, 1.2 MB).") == ["Your", "video", "is", "ready"]
    assert english_in("🔊 zh_CN-huayan-medium（中文，女声） demo.mp4 /voices MP4 http://x/y") == []


def sent_texts(fake: FakeTelegram) -> list[str]:
    """Everything the bot showed: messages, edits, and captions of voices and videos."""
    texts = [str(c.params.get("text")) for c in fake.calls if c.method in ("sendMessage",)]
    texts += [str(c.params["text"]) for c in fake.called("editMessageText")]
    return texts + [
        str(c.params["caption"])
        for c in fake.calls
        if c.method in ("sendVoice", "sendVideo") and c.params.get("caption")
    ]


async def test_a_chinese_speaker_reads_no_english(
    tg_settings: Settings, fake: FakeTelegram, tiny: Path
) -> None:
    install_relabelled(tg_settings.data_dir / "voices", "zh_CN-huayan-medium")
    installed_voices.cache_clear()
    async with bot_running(tg_settings, fake) as service:
        for text in ("/help", "/voices"):
            fake.push(message_update(text=text, language=ZH))
        push_video(fake, tiny, None, language=ZH)
        for text in (CHINESE, "男声", "状态", "积分", "导出"):
            fake.push(message_update(text=text, language=ZH))
        await fake.wait_for("sendVideo", 1, within_s=180)
        await asyncio.wait_for(service.wait_idle(), 180)
        fake.push(message_update(text="状态", language=ZH))
        await fake.wait_until(lambda: sum("时间线" in t for t in sent_texts(fake)) >= 2)
    texts = sent_texts(fake)
    assert [t for t in texts if english_in(t)] == []
    joined = "\n".join(texts)
    for expected in (
        "🗣 已安装的声音",  # /voices, with its samples as voice messages
        "🎬 已收到 ",  # the upload
        "📝 脚本：",  # the script
        "没有安装中文男声，改用 huayan（女声）。",  # the voice change's note from the engine
        "时间线（",  # status
        "💳 积分：",  # credits
        "✅ 视频已完成",  # the export's result
    ):
        assert expected in joined, expected
    assert len(fake.called("sendVoice")) == 2


async def test_language_zh_mid_project_switches_the_engine_words_too(
    service: Service, tiny: Path
) -> None:
    chat = RecordingChat()
    await service.handle(incoming("", files=(tiny,)), chat)
    assert any(t.startswith("🎬 Got demo.mp4") for t in chat.texts)  # maybe after "📥 Receiving…"
    await service.handle(incoming("/language zh"), chat)
    await service.handle(incoming("Meet Aurora, the lamp that follows the sun.", lang="en"), chat)
    await service.handle(incoming("slower"), chat)
    await asyncio.wait_for(service.wait_idle(), 120)
    after = chat.texts[chat.texts.index("✅ 之后我会用中文回复。") + 1 :]
    assert any(t.startswith("📝 脚本：") for t in after)
    assert any("✅ 语速：" in t for t in after)
    assert [t for t in after if english_in(t)] == []
