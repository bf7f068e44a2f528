"""Where each job answers: the chat it came from while this process lives, else a new one
built by its platform's factory (after a restart)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from core.ports import Chat, ChatFactory, MessageRef, VideoReply, VoiceNote
from core.work.model import Job


class NullChat:
    """A chat for jobs whose platform is not connected yet: everything goes nowhere."""

    upload_limit = 0

    async def say(self, text: str) -> MessageRef:
        """Drop."""
        return MessageRef("", "")

    async def edit(self, ref: MessageRef, text: str) -> None:
        """Drop."""

    async def send_video(self, video: VideoReply) -> None:
        """Drop."""

    async def send_link(self, url: str, caption: str) -> None:
        """Drop."""

    async def send_voice(self, note: VoiceNote) -> None:
        """Drop."""

    async def send_image(self, path: Path, caption: str) -> None:
        """Drop."""

    async def offer_link(self, text: str, url: str, label: str) -> None:
        """Drop."""

    async def ask(self, text: str, answers: Sequence[tuple[str, str]]) -> None:
        """Drop."""

    async def working(self) -> None:
        """Drop."""

    async def refuse(self, text: str) -> None:
        """Drop."""


class ChatDirectory:
    """Platforms' chat factories and the live chat of each job."""

    def __init__(self, factories: Mapping[str, ChatFactory] | None = None) -> None:
        self._factories: dict[str, ChatFactory] = dict(factories or {})  # more as bots start
        self._live: dict[str, Chat] = {}

    def register(self, platform: str, factory: ChatFactory) -> None:
        """How to reach a chat of this platform again (after a restart)."""
        self._factories[platform] = factory

    def remember(self, job_id: str, chat: Chat) -> None:
        """The chat a job answers in, while this process lives."""
        self._live[job_id] = chat

    def forget(self, job_id: str) -> None:
        """The job is told: its chat is no longer needed."""
        self._live.pop(job_id, None)

    def for_chat(self, platform: str, chat_id: str, context: Mapping[str, str]) -> Chat | None:
        """A chat of a platform (a finished browser upload answers there), or None while the
        platform is not connected."""
        factory = self._factories.get(platform)
        return factory(chat_id, context) if factory is not None else None

    def for_job(self, job: Job) -> Chat | None:
        """The job's chat, or None while its platform is not connected."""
        chat = self._live.get(job.id)
        factory = self._factories.get(job.platform)
        if chat is None and factory is not None:
            chat = self._live[job.id] = factory(job.chat_id, job.reply_context)
        return chat

    def progress_chat(self, job: Job) -> Chat:
        """Where a running job shows progress: its chat, or nowhere yet."""
        return self.for_job(job) or NullChat()
