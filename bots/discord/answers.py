"""Presses of a question's buttons (component interactions) as the asker's answer message."""

from __future__ import annotations

from collections.abc import Mapping

import discord

from bots.discord.chat import ANSWER_PREFIX
from bots.discord.commands import language_of
from core.ports import Incoming
from core.words.replies import reply

PLATFORM = "discord"


async def take_press(interaction: discord.Interaction) -> Incoming | None:
    """The pressed button's answer as its asker's message (the buttons come off); None for
    other interactions, and for someone else's question (told so privately)."""
    data: Mapping[str, object] = interaction.data or {}
    custom_id = str(data.get("custom_id", ""))
    if interaction.type is not discord.InteractionType.component:
        return None
    if not custom_id.startswith(ANSWER_PREFIX):
        return None
    owner, _, answer = custom_id.removeprefix(ANSWER_PREFIX).partition(":")
    language = language_of(interaction.locale)
    if owner != str(interaction.user.id):
        text = reply("not_your_question", language)
        await interaction.response.send_message(text, ephemeral=True)
        return None
    await interaction.response.edit_message(view=None)
    return Incoming(
        platform=PLATFORM,
        user_id=owner,
        chat_id=str(interaction.channel_id or 0),
        message_id=str(interaction.id),
        text=answer,
        language=language,
    )
