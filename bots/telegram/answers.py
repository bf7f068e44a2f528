"""Presses of a question's inline buttons (callback queries) as the user's answer message."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bots.telegram.chat import ANSWER_PREFIX
from core.ports import ChatFactory, Incoming

if TYPE_CHECKING:
    from core.chat.service import Service


def answer_incoming(update: Update) -> Incoming | None:
    """The pressed button's answer as a message from its presser (None: not one of ours)."""
    query = update.callback_query
    data = query.data if query else None
    if query is None or not data or not data.startswith(ANSWER_PREFIX):
        return None
    message = query.message
    chat_id = message.chat.id if message is not None else query.from_user.id
    language = query.from_user.language_code or ""
    context = {"language": language}
    if message is not None:
        context["reply_to"] = str(message.message_id)
    return Incoming(
        platform="telegram",
        user_id=str(query.from_user.id),
        chat_id=str(chat_id),
        message_id=f"cb:{query.id}",  # a redelivered press has the same id
        text=data.removeprefix(ANSWER_PREFIX),
        language=language,
        reply_context=context,
    )


async def handle_answer(
    update: Update, context: ContextTypes.DEFAULT_TYPE, service: Service
) -> None:
    """Acknowledge the press, take the buttons off the question, and hand the answer on."""
    query = update.callback_query
    incoming = answer_incoming(update)
    if query is None:
        return
    with contextlib.suppress(TelegramError):
        await query.answer()
    if incoming is None:
        return
    with contextlib.suppress(TelegramError):  # a second press finds no buttons: fine
        await query.edit_message_reply_markup(reply_markup=None)
    factory: ChatFactory = context.bot_data["factory"]
    await service.handle(incoming, factory(incoming.chat_id, incoming.reply_context))
