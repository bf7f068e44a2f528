"""`voiceover chat`: every flow in a terminal. A file path or URL line is an attachment."""

from __future__ import annotations

import asyncio
import itertools
import sys
import time
from collections.abc import AsyncIterator, Iterable, Sequence
from pathlib import Path
from typing import TextIO

from core.errors import too_large
from core.ports import Attachment, Fetch, Incoming, MessageRef, VideoReply, VoiceNote
from core.service import Service

PLATFORM = "console"
CHUNK = 1 << 20


class ConsoleChat:
    """A Chat that prints. Its upload limit is 0, so results arrive as download links."""

    upload_limit = 0

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out or sys.stdout
        self._ids = itertools.count(1)

    def _print(self, text: str) -> None:
        lines = text.split("\n")
        rest = "".join(f"\n     {line.lstrip()}" for line in lines[1:])
        self.out.write(f"bot> {lines[0]}{rest}\n")
        self.out.flush()

    async def say(self, text: str) -> MessageRef:
        """Print a message."""
        self._print(text)
        return MessageRef("console", str(next(self._ids)))

    async def edit(self, ref: MessageRef, text: str) -> None:
        """Print the new text of a message (a terminal can't edit what scrolled by)."""
        self._print(text)

    async def refuse(self, text: str) -> None:
        """Print a refusal (a terminal has no private replies)."""
        self._print(text)

    async def send_video(self, video: VideoReply) -> None:
        """Print where the video is."""
        self._print(f"{video.caption}\n{video.path}")

    async def send_voice(self, note: VoiceNote) -> None:
        """Print the caption and the clip's path (play it with any audio player)."""
        self._print(f"{note.caption}\n{note.path}")

    async def send_link(self, url: str, caption: str) -> None:
        """Print the link."""
        self._print(f"{caption}\n{url}")

    async def send_image(self, path: Path, caption: str) -> None:
        """Print where the picture is."""
        self._print(f"{caption}\n     {path}")

    async def send_file(self, path: Path, caption: str) -> None:
        """Print where the file is."""
        self._print(f"{caption}\n     {path}")

    async def offer_link(self, text: str, url: str, label: str) -> None:
        """Print the link (a terminal has no buttons)."""
        self._print(f"{text}\n     {url}")

    async def ask(self, text: str, answers: Sequence[tuple[str, str]]) -> None:
        """Print the question and the replies to type (a terminal has no buttons)."""
        replies = " / ".join(f"'{reply}'" for _, reply in answers)
        self._print(f"{text}\n     ({replies})")

    async def working(self) -> None:
        """Nothing to show in a terminal."""


def _copy_capped(source: Path, dest: Path, max_bytes: int) -> None:
    copied = 0
    with source.open("rb") as reader, dest.open("wb") as writer:
        while chunk := reader.read(CHUNK):
            copied += len(chunk)
            if copied > max_bytes:
                raise too_large(source.name, copied, max_bytes, at_least=True)
            writer.write(chunk)


def file_fetcher(source: Path) -> Fetch:
    """A Fetch that copies a local file (size-capped) without blocking the loop."""

    async def fetch(dest: Path, max_bytes: int) -> None:
        """Copy the file to dest."""
        await asyncio.to_thread(_copy_capped, source, dest, max_bytes)

    return fetch


def local_file(text: str) -> Path | None:
    """The existing file `text` names, or None (for any text: too long, NUL, unknown ~user)."""
    if not text:
        return None
    try:
        path = Path(text).expanduser()
        return path if path.is_file() else None
    except (OSError, ValueError, RuntimeError):  # e.g. "File name too long" past 255 bytes
        return None


def parse_line(line: str, message_id: str, user_id: str = "you") -> Incoming:
    """A typed line as an Incoming: a leading file path or http(s) URL is an attachment."""
    text = line.strip()
    first, _, rest = text.partition(" ")
    attachments: tuple[Attachment, ...] = ()
    if first.startswith(("http://", "https://")):
        name = first.rstrip("/").rsplit("/", 1)[-1].split("?")[0] or "download"
        attachments, text = (Attachment(name=name, url=first),), rest.strip()
    else:
        whole = local_file(text)
        path = whole or local_file(first)
        if path is not None:
            rest = "" if path == whole else rest
            size = path.stat().st_size
            attachment = Attachment(name=path.name, size=size, fetch=file_fetcher(path))
            attachments, text = (attachment,), rest.strip()
    return Incoming(
        platform=PLATFORM,
        user_id=user_id,
        chat_id="console",
        message_id=message_id,
        text=text,
        attachments=attachments,
        language="",  # a terminal has no locale: the user's own messages decide
    )


async def stdin_lines(prompt: bool) -> AsyncIterator[str]:
    """Lines from stdin, read in a thread so the loop stays free."""
    while True:
        if prompt:
            sys.stdout.write("you> ")
            sys.stdout.flush()
        line = await asyncio.to_thread(sys.stdin.readline)
        if not line:
            return
        yield line


async def _iterate(lines: Iterable[str] | AsyncIterator[str]) -> AsyncIterator[str]:
    if isinstance(lines, AsyncIterator):
        async for line in lines:
            yield line
    else:
        for line in lines:
            yield line


async def run_console(
    service: Service,
    lines: Iterable[str] | AsyncIterator[str],
    out: TextIO | None = None,
    user_id: str = "you",
) -> None:
    """Handle lines in order; return only after every job's result is printed."""
    chat = ConsoleChat(out)
    service.register_platform(PLATFORM, lambda chat_id, context: chat)
    run = f"{time.time_ns():x}"
    number = 0
    async for line in _iterate(lines):
        if not line.strip():
            continue
        number += 1
        await service.handle(parse_line(line, f"{run}-{number}", user_id), chat)
    await service.wait_idle()
