"""The chat a page's render is sent through: the user's own chat, with what it was told kept
for the page too (a refusal, say, is shown in both)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from core.ports import Chat, MessageRef, VideoReply, VoiceNote

KEPT = 10


class TeeChat:
    """Forwards everything to `chat`; keeps the texts said (and whether one was a refusal)."""

    def __init__(self, chat: Chat) -> None:
        self.chat = chat
        self.lines: list[str] = []
        self.refused = False

    def _keep(self, text: str) -> None:
        self.lines = [*self.lines, text][-KEPT:]

    @property
    def upload_limit(self) -> int:
        """The chat's own limit."""
        return self.chat.upload_limit

    async def say(self, text: str) -> MessageRef:
        """Say it there, and keep it."""
        self._keep(text)
        return await self.chat.say(text)

    async def edit(self, ref: MessageRef, text: str) -> None:
        """Edit it there."""
        await self.chat.edit(ref, text)

    async def send_video(self, video: VideoReply) -> None:
        """Send it there."""
        await self.chat.send_video(video)

    async def send_link(self, url: str, caption: str) -> None:
        """Send it there."""
        self._keep(caption)
        await self.chat.send_link(url, caption)

    async def send_voice(self, note: VoiceNote) -> None:
        """Send it there."""
        await self.chat.send_voice(note)

    async def send_image(self, path: Path, caption: str) -> None:
        """Send it there."""
        await self.chat.send_image(path, caption)

    async def offer_link(self, text: str, url: str, label: str) -> None:
        """Offer it there."""
        await self.chat.offer_link(text, url, label)

    async def ask(self, text: str, answers: Sequence[tuple[str, str]]) -> None:
        """Ask there, and keep the question."""
        self._keep(text)
        await self.chat.ask(text, answers)

    async def working(self) -> None:
        """Show it there."""
        await self.chat.working()

    async def refuse(self, text: str) -> None:
        """Refuse there, and keep it."""
        self._keep(text)
        self.refused = True
        await self.chat.refuse(text)
