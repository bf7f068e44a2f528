"""The Discord bot: slash commands and mentions in, the core's Chat port out (thin adapter)."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import re
from collections.abc import Awaitable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

import aiohttp
import discord
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bots.discord.answers import take_press
from bots.discord.chat import (
    DEFAULT_UPLOAD_LIMIT,
    NO_MASS_MENTIONS,
    DiscordChat,
)
from bots.discord.commands import VoiceoverTree, add_commands, language_of
from bots.discord.downloads import RoledFiles, attachments_of, refusal_of
from bots.reconnect import keep_trying
from core.clock import Clock, SystemClock
from core.config import Settings
from core.engine.model import VoiceInfo
from core.errors import VoiceoverError
from core.ports import Attachment, Chat, Incoming

if TYPE_CHECKING:
    from core.service import Service

log = logging.getLogger(__name__)

PLATFORM = "discord"
DISCORD_GATEWAY = DiscordWebSocket.DEFAULT_GATEWAY
DOWNLOAD_TIMEOUT = aiohttp.ClientTimeout(total=30 * 60, sock_connect=30, sock_read=120)
MENTION = re.compile(r"<@!?\d+>")
"""Attachments with the core's role hint ("video", "script", "music"; None: let it decide)."""


def point_at(settings: Settings) -> None:
    """Aim discord.py's REST and gateway at the configured URLs (a proxy, or the test fake)."""
    Route.BASE = settings.discord_api_base_url.rstrip("/")
    gateway = settings.discord_gateway_url
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway) if gateway else DISCORD_GATEWAY


class VoiceoverClient(discord.Client):
    """A discord.py client that hands every command and mention to the core Service."""

    def __init__(
        self,
        settings: Settings,
        service: Service,
        *,
        clock: Clock | None = None,
        message_content: bool = True,
    ) -> None:
        intents = discord.Intents.default()
        intents.message_content = message_content
        super().__init__(intents=intents, allowed_mentions=NO_MASS_MENTIONS)
        self.settings = settings
        self.service = service
        self.clock: Clock = clock or SystemClock()
        self.connected = asyncio.Event()
        self.downloads: aiohttp.ClientSession | None = None
        self.tree = VoiceoverTree(self)
        add_commands(self.tree)

    async def setup_hook(self) -> None:
        """Logged in: offer this client for results (pending ones go out now), open the download
        session and sync commands (to the dev guild when configured)."""
        self.service.register_platform(PLATFORM, self.chat_factory)
        self.downloads = aiohttp.ClientSession(timeout=DOWNLOAD_TIMEOUT)
        guild_id = self.settings.discord_guild_id
        if guild_id is None:
            await self.tree.sync()
            return
        guild = discord.Object(id=guild_id)
        self.tree.copy_global_to(guild=guild)
        await self.tree.sync(guild=guild)

    async def on_ready(self) -> None:
        """The gateway is up: channel sends may go."""
        log.info("Discord bot connected as %s", self.user)
        self.connected.set()

    async def close(self) -> None:
        """Disconnect and release the download session."""
        # discord.py waits 2 s for guilds after READY; closing meanwhile would leave its 'ready'
        # dispatch to a loop it has already let go of (a "never awaited" warning). Drop it.
        pending_ready = getattr(self._connection, "_ready_task", None)
        if isinstance(pending_ready, asyncio.Task):
            pending_ready.cancel()
        await super().close()
        if self.downloads is not None:
            await self.downloads.close()

    def chat_factory(self, chat_id: str, context: Mapping[str, str]) -> Chat:
        """Rebuild a channel Chat for a job's results (after a restart: no token is kept)."""
        return DiscordChat.from_context(
            self, chat_id, context, clock=self.clock, ready=self.connected
        )

    def voices(self) -> list[VoiceInfo]:
        """The installed voices (for the commands' autocomplete)."""
        return self.service.voices()

    def attachments(self, files: RoledFiles) -> tuple[Attachment, ...]:
        """Discord attachments as the core's, fetched lazily with a size cap."""
        assert self.downloads is not None, "setup_hook has not run"
        return attachments_of(self.downloads, files)

    def refusal(self, files: RoledFiles) -> VoiceoverError | None:
        """A VoiceoverError for input refused before any work (a file over the limit)."""
        return refusal_of(files, self.settings.max_upload_bytes)

    async def submit(
        self,
        interaction: discord.Interaction[VoiceoverClient],
        command: str,
        args: Mapping[str, str] | None = None,
        files: RoledFiles = (),
    ) -> None:
        """Take the command's place in its user's order, defer at once, and let the core run it.

        The core queues the message before the deferral is awaited (messages take effect in
        the order sent); the chat waits for the deferral before it answers through the token.
        """
        files = list(files)
        language = language_of(interaction.locale)
        refused = self.refusal(files)
        if refused is not None:
            await interaction.response.send_message(refused.message(language), ephemeral=True)
            return
        chat = self.interaction_chat(interaction)
        incoming = Incoming(
            platform=PLATFORM,
            user_id=str(interaction.user.id),
            chat_id=str(interaction.channel_id or 0),
            message_id=str(interaction.id),
            command=command,
            args=dict(args or {}),
            attachments=self.attachments(files),
            language=language,
            reply_context=chat.reply_context,
        )
        handled = self.service.accept(incoming, chat)
        try:
            await interaction.response.defer(thinking=True)
        finally:
            chat.deferred.set()  # answered or not: the chat falls back to the channel if needed
        await self.hand_over(incoming, chat, handled)

    def interaction_chat(self, interaction: discord.Interaction[VoiceoverClient]) -> DiscordChat:
        """A Chat answering through this interaction's token while it lives."""
        return DiscordChat(
            self,
            interaction.channel_id or 0,
            clock=self.clock,
            ready=self.connected,
            user_id=str(interaction.user.id),
            upload_limit=interaction.filesize_limit,
            interaction=interaction,
            issued_at=self.clock.now(),
        )

    async def on_message(self, message: discord.Message) -> None:
        """Free text ("slower", "music at 20%") when the bot is mentioned or replied to."""
        if message.author.bot or self.user is None or not self.addressed(message):
            return
        files = [(None, att) for att in message.attachments]
        limit = message.guild.filesize_limit if message.guild else DEFAULT_UPLOAD_LIMIT
        chat = DiscordChat(
            self,
            message.channel.id,
            clock=self.clock,
            ready=self.connected,
            user_id=str(message.author.id),
            upload_limit=limit,
        )
        refused = self.refusal(files)
        if refused is not None:
            await chat.say(refused.message())
            return
        incoming = Incoming(
            platform=PLATFORM,
            user_id=str(message.author.id),
            chat_id=str(message.channel.id),
            message_id=str(message.id),
            text=MENTION.sub("", message.content).strip(),
            attachments=self.attachments(files),
            reply_context=chat.reply_context,
        )
        await self.hand_over(incoming, chat)

    async def on_interaction(self, interaction: discord.Interaction[VoiceoverClient]) -> None:
        """A press of a question's button: its asker's answer, as their message."""
        incoming = await take_press(interaction)
        if incoming is not None:
            chat = DiscordChat(
                self,
                interaction.channel_id or 0,
                clock=self.clock,
                ready=self.connected,
                user_id=incoming.user_id,
                upload_limit=interaction.filesize_limit,
            )
            await self.hand_over(replace(incoming, reply_context=chat.reply_context), chat)

    async def hand_over(
        self, incoming: Incoming, chat: DiscordChat, handled: Awaitable[None] | None = None
    ) -> None:
        """Give a message to the core (or await it, `handled`, already given); a refusal it
        raises is answered privately when possible."""
        try:
            await (handled if handled is not None else self.service.handle(incoming, chat))
        except VoiceoverError as error:
            await chat.refuse(error.message(incoming.language))

    def addressed(self, message: discord.Message) -> bool:
        """True when the message mentions the bot or replies to one of its messages."""
        assert self.user is not None
        if any(user.id == self.user.id for user in message.mentions):
            return True
        replied = message.reference.resolved if message.reference else None
        return isinstance(replied, discord.Message) and replied.author.id == self.user.id


UNREACHABLE = (
    OSError,
    aiohttp.ClientError,
    asyncio.TimeoutError,
    discord.DiscordServerError,
    discord.GatewayNotFound,
)
"""Failures that mean Discord can't be reached (yet): retried with a backoff."""


async def run(
    settings: Settings, service: Service, stop: asyncio.Event, *, clock: Clock | None = None
) -> None:
    """Run the bot until `stop` is set; while Discord is unreachable, retry with a backoff
    (waits on `clock`); without the message content intent, mentions only."""
    token = settings.discord_bot_token
    if token is None:
        raise ValueError("DISCORD_BOT_TOKEN is not set")
    point_at(settings)
    message_content = True
    while not stop.is_set():
        attempt = functools.partial(
            run_once, settings, service, stop, token.get_secret_value(), clock, message_content
        )
        try:
            await keep_trying("Discord", attempt, stop, retry_on=UNREACHABLE, clock=clock)
            return
        except discord.PrivilegedIntentsRequired:
            if not message_content:
                raise
            log.warning(
                "The Message Content intent is not enabled in the Developer Portal: "
                "free-text replies work only when the bot is mentioned."
            )
            message_content = False


async def run_once(
    settings: Settings,
    service: Service,
    stop: asyncio.Event,
    token: str,
    clock: Clock | None,
    message_content: bool,
) -> None:
    """One fresh client (a closed one can't start again) until `stop` or a failure; it offers
    itself for results once logged in, so none wait on a client that never connected."""
    client = VoiceoverClient(settings, service, clock=clock, message_content=message_content)
    await run_client(client, token, stop)


async def run_client(client: VoiceoverClient, token: str, stop: asyncio.Event) -> None:
    """Start the client, and close it when `stop` is set or it fails (re-raising the failure)."""
    started = asyncio.create_task(client.start(token))
    stopping = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({started, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
        await client.close()
        if not started.done():
            started.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await started
