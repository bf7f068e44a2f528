"""The Chat port for Discord: an interaction while its token lives, the channel after that."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

import discord

from core.clock import Clock
from core.ports import MessageRef, VideoReply, VoiceNote

log = logging.getLogger(__name__)

TOKEN_LIFETIME_S = 15 * 60  # an interaction token allows followups for 15 minutes
TOKEN_MARGIN_S = 60  # stop using it a minute early: an upload may take that long
DEFAULT_UPLOAD_LIMIT = 10 * 1024 * 1024  # Discord's limit for unboosted guilds and DMs
MESSAGE_LIMIT = 2000  # characters in one Discord message
READY_WAIT_S = 120.0  # how long a channel send waits for the gateway after a restart
ORIGINAL = "@original"  # MessageRef id of the interaction's deferred response
FOLLOWUP = "followup:"  # MessageRef id prefix of followup messages (edited through the token)
ANSWER_PREFIX = "answer:"  # a question's buttons: "answer:<user id>:<reply>"
RESULT_NAME = "voiceover.mp4"  # what users see (not our job id)
NO_MASS_MENTIONS = discord.AllowedMentions(everyone=False, roles=False, users=True)


def clip(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """Text cut to fit one Discord message."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


class DiscordChat:
    """One Discord conversation: an interaction (until its token expires) or a channel."""

    def __init__(
        self,
        client: discord.Client,
        channel_id: int,
        *,
        clock: Clock,
        ready: asyncio.Event,
        user_id: str = "",
        upload_limit: int = DEFAULT_UPLOAD_LIMIT,
        interaction: discord.Interaction | None = None,
        issued_at: float = 0.0,
    ) -> None:
        self._client = client
        self._channel_id = channel_id
        self._clock = clock
        self._ready = ready
        self._user_id = user_id
        self._upload_limit = upload_limit
        self._interaction = interaction
        self._issued_at = issued_at
        self._original_used = False
        self.deferred = asyncio.Event()  # the interaction's response exists (see submit)
        if interaction is None or interaction.response.is_done():
            self.deferred.set()
        self._moved: dict[str, str] = {}  # interaction message ref → channel message id

    @classmethod
    def from_context(
        cls,
        client: discord.Client,
        chat_id: str,
        context: Mapping[str, str],
        *,
        clock: Clock,
        ready: asyncio.Event,
    ) -> DiscordChat:
        """A channel chat rebuilt from a job's reply_context (after a restart)."""
        limit = context.get("upload_limit", "")
        return cls(
            client,
            int(chat_id),
            clock=clock,
            ready=ready,
            user_id=context.get("user_id", ""),
            upload_limit=int(limit) if limit.isdigit() else DEFAULT_UPLOAD_LIMIT,
        )

    @property
    def reply_context(self) -> dict[str, str]:
        """What a job keeps to reach this chat again (never the interaction token)."""
        return {
            "channel_id": str(self._channel_id),
            "user_id": self._user_id,
            "upload_limit": str(self._upload_limit),
            "issued_at": f"{self._issued_at:.3f}",
        }

    @property
    def upload_limit(self) -> int:
        """The largest file Discord accepts here (the interaction's filesize_limit)."""
        return self._upload_limit

    def token_alive(self) -> bool:
        """True while followups through the interaction token are still safe."""
        if self._interaction is None:
            return False
        return self._clock.now() - self._issued_at < TOKEN_LIFETIME_S - TOKEN_MARGIN_S

    async def say(self, text: str) -> MessageRef:
        """Send text: first into the deferred response, then as followups, else to the channel."""
        if self.token_alive():
            return await self._say_through_token(clip(text))
        message = await self._channel_send(text)
        return MessageRef(str(self._channel_id), str(message.id))

    async def edit(self, ref: MessageRef, text: str) -> None:
        """Edit a message; one sent through an expired token is replaced by a channel message."""
        target = self._moved.get(ref.message_id, ref.message_id)
        if target == ORIGINAL or target.startswith(FOLLOWUP):
            if self.token_alive():
                await self._edit_through_token(target, clip(text))
                return
            message = await self._channel_send(text)
            self._moved[ref.message_id] = str(message.id)
            return
        await self._ready_or_timeout()
        channel = self._client.get_partial_messageable(self._channel_id)
        partial = channel.get_partial_message(int(target))
        await partial.edit(content=clip(self._addressed(text)), allowed_mentions=NO_MASS_MENTIONS)

    async def send_video(self, video: VideoReply) -> None:
        """Upload the video: into the response or a followup, or to the channel when late."""
        await self._send_file(video.caption, discord.File(video.path, filename=RESULT_NAME))

    async def send_voice(self, note: VoiceNote) -> None:
        """The clip as an .ogg attachment (discord.py cannot send a voice message; clients
        play an Ogg/Opus attachment inline)."""
        await self._send_file(note.caption, discord.File(note.path, filename=note.path.name))

    async def _send_file(self, caption: str, upload: discord.File) -> None:
        """A file with its caption: into the response or a followup, or to the channel."""
        if self.token_alive():
            assert self._interaction is not None
            await self.deferred.wait()
            if not self._original_used:
                self._original_used = True
                await self._interaction.edit_original_response(
                    content=clip(caption), attachments=[upload]
                )
                return
            await self._interaction.followup.send(
                clip(caption), file=upload, allowed_mentions=NO_MASS_MENTIONS
            )
            return
        await self._channel_send(caption, upload)

    async def send_link(self, url: str, caption: str) -> None:
        """Send a download link (too big to upload here)."""
        await self.say(f"{clip(caption, MESSAGE_LIMIT - len(url) - 1)}\n{url}")

    async def send_image(self, path: Path, caption: str) -> None:
        """Post the picture as a file: as a followup while the interaction lives, else in the
        channel."""
        picture = discord.File(path, filename=path.name)
        if self.token_alive():
            assert self._interaction is not None
            await self.deferred.wait()
            await self._interaction.followup.send(
                clip(caption), file=picture, allowed_mentions=NO_MASS_MENTIONS
            )
            return
        await self._channel_send(caption, picture)

    async def offer_link(self, text: str, url: str, label: str) -> None:
        """A personal link, privately with a link button: through the interaction while it
        lives (its public 'thinking' response dropped), else as a direct message (a link that
        lets anyone upload into the user's chat is never posted in a channel)."""
        view = discord.ui.View()
        view.add_item(discord.ui.Button(label=label, url=url))
        body = f"{clip(text, MESSAGE_LIMIT - len(url) - 1)}\n{url}"
        if not self.token_alive() or self._original_used:  # never in the channel: a DM
            await self._ready_or_timeout()
            direct = await self._client.create_dm(discord.Object(int(self._user_id)))
            await direct.send(body, view=view)
            return
        await self._privately(body, view)

    async def ask(self, text: str, answers: Sequence[tuple[str, str]]) -> None:
        """The question with a button per answer, for this user alone to press (custom id
        "answer:<user>:<reply>", taken by VoiceoverClient.on_interaction)."""
        view = discord.ui.View(timeout=None)
        for label, reply in answers:
            custom_id = f"{ANSWER_PREFIX}{self._user_id}:{reply}"
            view.add_item(discord.ui.Button(label=label, custom_id=custom_id))
        if self.token_alive():
            assert self._interaction is not None
            await self.deferred.wait()
            if not self._original_used:
                self._original_used = True
                await self._interaction.edit_original_response(content=clip(text), view=view)
                return
            await self._interaction.followup.send(clip(text), view=view)
            return
        await self._ready_or_timeout()
        channel = self._client.get_partial_messageable(self._channel_id)
        await channel.send(
            clip(self._addressed(text)), view=view, allowed_mentions=NO_MASS_MENTIONS
        )

    async def working(self) -> None:
        """The deferred response already shows 'thinking'; in a channel, show typing once."""
        if self.token_alive():
            return
        await self._ready_or_timeout()
        await self._client.get_partial_messageable(self._channel_id).typing()

    async def refuse(self, text: str) -> None:
        """Answer bad input privately: drop the public 'thinking' response, reply ephemerally."""
        if not self.token_alive() or self._original_used:
            await self.say(text)
            return
        await self._privately(clip(text))

    async def _privately(self, text: str, view: discord.ui.View | None = None) -> None:
        """An ephemeral follow-up in place of the public 'thinking' response (dropped)."""
        assert self._interaction is not None
        await self.deferred.wait()
        self._original_used = True
        with contextlib.suppress(discord.HTTPException):
            await self._interaction.delete_original_response()
        if view is None:
            await self._interaction.followup.send(text, ephemeral=True)
        else:
            await self._interaction.followup.send(text, ephemeral=True, view=view)

    async def _say_through_token(self, text: str) -> MessageRef:
        assert self._interaction is not None
        await self.deferred.wait()
        chat_id = str(self._channel_id)
        if not self._original_used:
            self._original_used = True
            await self._interaction.edit_original_response(content=text)
            return MessageRef(chat_id, ORIGINAL)
        message = await self._interaction.followup.send(
            text, wait=True, allowed_mentions=NO_MASS_MENTIONS
        )
        return MessageRef(chat_id, f"{FOLLOWUP}{message.id}")

    async def _edit_through_token(self, target: str, text: str) -> None:
        assert self._interaction is not None
        await self.deferred.wait()
        if target == ORIGINAL:
            await self._interaction.edit_original_response(content=text)
        else:
            message_id = int(target.removeprefix(FOLLOWUP))
            await self._interaction.followup.edit_message(message_id, content=text)

    async def _channel_send(
        self, text: str, upload: discord.File | None = None
    ) -> discord.Message:
        await self._ready_or_timeout()
        channel = self._client.get_partial_messageable(self._channel_id)
        addressed = self._addressed(text)
        if upload is None:
            return await channel.send(clip(addressed), allowed_mentions=NO_MASS_MENTIONS)
        return await channel.send(clip(addressed), file=upload, allowed_mentions=NO_MASS_MENTIONS)

    def _addressed(self, text: str) -> str:
        """Channel messages mention the user, who may no longer be looking."""
        return f"<@{self._user_id}> {text}" if self._user_id else text

    async def _ready_or_timeout(self) -> None:
        """After a restart, a result may be ready before the gateway is: wait a little."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._ready.wait(), READY_WAIT_S)
