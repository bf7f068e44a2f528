"""Telegram counts an update as taken once the next getUpdates call asks past it, which PTB
makes at once, before the message is handled. The updates each poll returns are kept in the
service's inbox (core/chat/inbox.py) before that can happen, forgotten when their handling has
ended, and handed in again at the next start: a kill -9 between the two loses no message."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable
from typing import Any, cast

from telegram import Bot, Update
from telegram.ext import Application

from core.chat.inbox import Inbox

log = logging.getLogger(__name__)

PLATFORM = "telegram"


class JournaledBot:
    """The bot as PTB's Updater sees it when polling: what get_updates returns is in the inbox
    before the Updater can confirm it (with the next call's offset); the rest is the bot's."""

    def __init__(self, bot: Bot, inbox: Inbox) -> None:
        self._bot = bot
        self._inbox = inbox

    async def get_updates(self, *args: Any, **kwargs: Any) -> tuple[Update, ...]:
        """Bot.get_updates, each update kept first (if that fails, PTB drops the batch
        unconfirmed and Telegram sends it again)."""
        updates = await self._bot.get_updates(*args, **kwargs)
        if updates:
            await self._inbox.keep(PLATFORM, [(u.update_id, u.to_json()) for u in updates])
        return updates

    def __getattr__(self, name: str) -> Any:
        return getattr(self._bot, name)


def journal_polling(application: Application, inbox: Inbox) -> None:
    """Make the application's Updater keep what it polls in `inbox`."""
    updater = application.updater
    assert updater is not None
    updater.bot = cast(Bot, JournaledBot(application.bot, inbox))


async def hand_in_again(application: Application, inbox: Inbox) -> int:
    """Put the updates taken before a stop or a kill and not handled back in the queue (before
    polling starts, so they come first); returns how many."""
    bodies = await inbox.waiting(PLATFORM)
    for body in bodies:
        update = Update.de_json(json.loads(body), application.bot)
        await application.update_queue.put(update)
    if bodies:
        log.info("%d messages taken before the last stop are handled now", len(bodies))
    return len(bodies)


def track(application: Application, update: object, handling: Awaitable[None] | None) -> None:
    """Until `handling` ends (None: nothing to wait for), the update stays in the inbox; the
    stop of the bot waits for every tracked one (bot_data["pending"])."""
    inbox: Inbox = application.bot_data["inbox"]
    update_id = update.update_id if isinstance(update, Update) else None
    pending: set[asyncio.Future[None]] = application.bot_data.setdefault("pending", set())
    done = asyncio.ensure_future(_then_forget(handling, inbox, update_id))
    pending.add(done)
    done.add_done_callback(pending.discard)


async def _then_forget(
    handling: Awaitable[None] | None, inbox: Inbox, update_id: int | None
) -> None:
    try:
        if handling is not None:
            await handling
    finally:
        if update_id is not None:
            await forget(inbox, update_id)


async def forget(inbox: Inbox, update_id: int) -> None:
    """The update was handled: out of the inbox (a failure only means one more try later)."""
    try:
        await inbox.handled(PLATFORM, update_id)
    except Exception:  # noqa: BLE001 - handed in again at the next start, then seen
        log.warning("could not forget handled update %s", update_id, exc_info=True)
