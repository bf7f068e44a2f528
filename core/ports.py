"""The port between the core and a chat platform: what comes in, and what a chat can do."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

Fetch = Callable[[Path, int], Awaitable[None]]
"""Write an attachment's bytes to the path, refusing more than the given number of bytes."""


@dataclass(frozen=True)
class Attachment:
    """A file a user sent: its bytes come from `fetch`, or it is a link at `url`."""

    name: str
    size: int | None = None
    fetch: Fetch | None = None
    url: str | None = None
    role: str | None = None  # a hint from the adapter: "video", "script", "music", "narration"


@dataclass(frozen=True)
class Incoming:
    """One message from a user, platform-neutral."""

    platform: str  # "telegram", "discord", "console"
    user_id: str
    chat_id: str
    message_id: str  # unique per platform: a redelivered message has the same id
    text: str = ""
    command: str | None = None  # "voiceover", "credits", … without the slash
    args: Mapping[str, str] = field(default_factory=dict)  # structured slash-command options
    attachments: tuple[Attachment, ...] = ()
    language: str = ""  # the platform's locale ("zh-hans"); "" when none: the text decides
    # Kept with jobs so the platform can answer after a restart (see ChatFactory).
    reply_context: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class MessageRef:
    """A message the bot sent, so it can be edited."""

    chat_id: str
    message_id: str


@dataclass(frozen=True)
class VideoReply:
    """A rendered video to upload into the chat."""

    path: Path
    caption: str
    duration_s: float
    width: int
    height: int
    size_bytes: int
    thumbnail: Path | None = None


@dataclass(frozen=True)
class VoiceNote:
    """A short Ogg/Opus clip to send as a voice message (a voice's sample)."""

    path: Path
    caption: str
    duration_s: float


class Chat(Protocol):
    """What the core can do in one chat. Adapters implement this; tests record it."""

    @property
    def upload_limit(self) -> int:
        """The largest file (bytes) this chat accepts from the bot."""
        ...

    async def say(self, text: str) -> MessageRef:
        """Send a text message."""
        ...

    async def edit(self, ref: MessageRef, text: str) -> None:
        """Replace the text of a message the bot sent."""
        ...

    async def send_video(self, video: VideoReply) -> None:
        """Upload a playable video."""
        ...

    async def send_link(self, url: str, caption: str) -> None:
        """Send a download link with a caption."""
        ...

    async def send_voice(self, note: VoiceNote) -> None:
        """Send an Ogg/Opus clip as a voice message (an audio file where there is none)."""
        ...

    async def send_image(self, path: Path, caption: str) -> None:
        """Send a picture (PNG) with a caption (Telegram: a photo; Discord: a file; the console
        prints its path)."""
        ...

    async def send_file(self, path: Path, caption: str) -> None:
        """Send a file as a document (a transcript's SRT) with a caption (the console prints
        its path)."""
        ...

    async def offer_link(self, text: str, url: str, label: str) -> None:
        """A personal link: the text with the URL, and a button labelled `label` opening it
        (Telegram: an inline URL button; Discord: privately, with a link button)."""
        ...

    async def ask(self, text: str, answers: Sequence[tuple[str, str]]) -> None:
        """A question with a button per answer (label, reply): pressing one sends `reply` back
        as the user's message (Telegram inline buttons, Discord buttons; the console lists the
        replies to type)."""
        ...

    async def working(self) -> None:
        """Show the platform's 'working' signal once (lasts a few seconds)."""
        ...

    async def refuse(self, text: str) -> None:
        """Answer bad input: privately where the platform can (Discord), else as `say`."""
        ...


ChatFactory = Callable[[str, Mapping[str, str]], Chat]
"""Rebuild a Chat for (chat_id, reply_context) — used to deliver results after a restart."""
