"""'Read this as the new script?' with Yes/No buttons: Telegram inline buttons (a callback query
per press) and Discord buttons (a component interaction), against the loopback fakes."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from core.config import Settings
from tests.fake_discord import BOT_ID, CHANNEL_ID, USER_ID, FakeDiscord
from tests.fake_telegram import FakeTelegram, message_update, press_update
from tests.telegram_helpers import bot_running
from tests.test_discord import running_bot

FIRST = "Hello and welcome to the show, where we cook with what we have."
SHORT = "Buy now."  # short: asked before it replaces the first


def sent_texts(fake: FakeTelegram) -> list[str]:
    return [str(call.params.get("text", "")) for call in fake.called("sendMessage")]


def questions(fake: FakeTelegram) -> list[Any]:
    """The messages the bot sent with inline buttons."""
    return [c for c in fake.called("sendMessage") if "reply_markup" in c.params]


async def ask_and_press(fake: FakeTelegram, press: str, expected: str) -> None:
    """Send a short script, check the question's buttons, press one, await the answer."""
    asked = len(questions(fake))
    fake.push(message_update(text=SHORT))
    await fake.wait_until(lambda: len(questions(fake)) > asked)
    question = questions(fake)[-1]
    buttons = question.params["reply_markup"]["inline_keyboard"][0]
    assert [b["callback_data"] for b in buttons] == ["answer:yes", "answer:no"]
    assert "Read this as the new script" in question.params["text"]
    key = next(k for k, t in fake.texts.items() if t == question.params["text"])
    message: dict[str, Any] = {
        "message_id": key[1],
        "date": 0,
        "chat": {"id": key[0], "type": "private"},
        "text": question.params["text"],
    }
    fake.push(press_update(message, press))
    await fake.wait_until(lambda: any(expected in t for t in sent_texts(fake)))


async def test_telegram_yes_and_no_buttons(tg_settings: Settings, fake: FakeTelegram) -> None:
    async with bot_running(tg_settings, fake):
        fake.push(message_update(text=FIRST))
        await fake.wait_until(lambda: any("Script" in t for t in sent_texts(fake)))
        await ask_and_press(fake, "answer:no", "kept your script")
        await ask_and_press(fake, "answer:yes", "replacing the old one")
        assert len(fake.called("answerCallbackQuery")) == 2
        assert len(fake.called("editMessageReplyMarkup")) == 2  # the buttons come off


def channel_texts(fake: FakeDiscord) -> list[str]:
    path = f"/channels/{CHANNEL_ID}/messages"
    return [str((c.json or {}).get("content", "")) for c in fake.find("POST", path)]


async def test_discord_buttons(tmp_path: Path, discord_fake: FakeDiscord) -> None:
    fake = discord_fake
    async with running_bot(tmp_path, fake):
        await fake.mention(f"<@{BOT_ID}> {FIRST}")
        await fake.wait_for(lambda: any("Script" in t for t in channel_texts(fake)))
        await fake.mention(f"<@{BOT_ID}> {SHORT}")
        path = f"/channels/{CHANNEL_ID}/messages"
        await fake.wait_for(
            lambda: any((c.json or {}).get("components") for c in fake.find("POST", path))
        )
        question = next(c for c in fake.find("POST", path) if (c.json or {}).get("components"))
        buttons = question.json["components"][0]["components"]
        ids = [b["custom_id"] for b in buttons]
        assert ids == [f"answer:{USER_ID}:yes", f"answer:{USER_ID}:no"]
        someone = await fake.press(f"answer:{USER_ID + 1}:yes", question.json["content"])
        await fake.wait_for(lambda: bool(fake.find("POST", f"/interactions/{someone['id']}/")))
        refused = fake.find("POST", f"/interactions/{someone['id']}/")[0]
        assert refused.json["data"]["flags"] == 64  # privately: not their question
        pressed = await fake.press(ids[0], question.json["content"])
        await fake.wait_for(lambda: any("replacing" in t for t in channel_texts(fake)))
        callback = fake.find("POST", f"/interactions/{pressed['id']}/")[0]
        assert callback.json["type"] == 7 and callback.json["data"]["components"] == []
        await asyncio.sleep(0.2)
        assert sum("replacing" in t for t in channel_texts(fake)) == 1


async def test_discord_undo_command(tmp_path: Path, discord_fake: FakeDiscord) -> None:
    async with running_bot(tmp_path, discord_fake) as bot:
        interaction = await discord_fake.slash("undo")
        token = interaction["token"]
        await discord_fake.wait_for(lambda: "There is nothing to undo." in bot.texts(token))
