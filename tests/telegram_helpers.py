"""Running the real Telegram bot against the fake Bot API, and video messages to send it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from bots.telegram.bot import run
from core.config import Settings
from core.service import Service
from tests.fake_telegram import FakeTelegram, message_update, video_media

SCRIPT = "Welcome to the tour. This clip shows the test pattern."


@asynccontextmanager
async def bot_task(
    settings: Settings, service: Service, **options: Any
) -> AsyncIterator[Callable[[], Awaitable[None]]]:
    """The bot's run() as a task; yields `stop_bot`, which ends it and waits for it (called
    again on the way out, where it does nothing if the test already stopped the bot)."""
    stop = asyncio.Event()
    task = asyncio.create_task(run(settings, service, stop, **options))
    stopped = False

    async def stop_bot() -> None:
        nonlocal stopped
        if not stopped:
            stopped = True
            stop.set()
            await task

    try:
        yield stop_bot
    finally:
        await stop_bot()


@asynccontextmanager
async def bot_running(
    settings: Settings, fake: FakeTelegram, service: Service | None = None
) -> AsyncIterator[Service]:
    """The bot polling the fake, with a started Service (stopped afterwards)."""
    service = service or Service(settings)
    polls = len(fake.called("getUpdates"))
    async with bot_task(settings, service) as stop_bot:
        await fake.wait_for("getUpdates", polls + 1, within_s=30)
        async with service:
            try:
                yield service
            finally:  # in the order core/app.py uses: the bots first, then the service
                await stop_bot()


def video_update(fake: FakeTelegram, clip: Path, caption: str | None, **where: Any) -> dict:
    """A video message (its file served by the fake) with a caption."""
    data = clip.read_bytes()
    file_id = fake.add_file(data, name="clip.mp4")
    return message_update(caption=caption, video=video_media(file_id, len(data)), **where)


def push_video(fake: FakeTelegram, clip: Path, caption: str | None, **where: Any) -> int:
    """Deliver a video message; returns its message_id."""
    update = fake.push(video_update(fake, clip, caption, **where))
    return int(update["message"]["message_id"])
