"""Discord attachments as the core's: fetched lazily, streamed to disk with a size cap, and
refused before any work when over the limit."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from pathlib import Path
from typing import IO

import aiohttp
import discord

from core.errors import ErrorCode, VoiceoverError, too_large
from core.ports import Attachment, Fetch

CHUNK_BYTES = 1 << 20
RoledFiles = Iterable[tuple[str | None, discord.Attachment]]


def attachments_of(session: aiohttp.ClientSession, files: RoledFiles) -> tuple[Attachment, ...]:
    """Discord attachments as the core's, fetched lazily (through `session`) with a size cap."""
    return tuple(
        Attachment(
            name=att.filename,
            size=att.size,
            fetch=attachment_fetch(session, att.url, att.filename, att.size),
            role=role,
        )
        for role, att in files
    )


def refusal_of(files: RoledFiles, limit: int) -> VoiceoverError | None:
    """A VoiceoverError for input refused before any work (a file over `limit` bytes)."""
    for _, att in files:
        if att.size > limit:
            return too_large(att.filename, att.size, limit)
    return None


def attachment_fetch(
    session: aiohttp.ClientSession, url: str, name: str, size: int | None
) -> Fetch:
    """A Fetch that streams an attachment to disk, refusing more than max_bytes."""

    async def fetch(dest: Path, max_bytes: int) -> None:
        if size is not None and size > max_bytes:
            raise too_large(name, size, max_bytes)
        async with session.get(url) as response:
            if response.status != 200:
                reason = f"Discord answered HTTP {response.status}"
                raise VoiceoverError(ErrorCode.DOWNLOAD_FAILED, name=name, reason=reason)
            handle = await asyncio.to_thread(dest.open, "wb")
            try:
                await _stream(response, handle, name, max_bytes)
            finally:
                await asyncio.to_thread(handle.close)

    return fetch


async def _stream(
    response: aiohttp.ClientResponse, handle: IO[bytes], name: str, max_bytes: int
) -> None:
    """Copy the body to handle in chunks (writes off the loop), counting bytes as they come."""
    total = 0
    async for chunk in response.content.iter_chunked(CHUNK_BYTES):
        total += len(chunk)
        if total > max_bytes:
            raise too_large(name, total, max_bytes)
        await asyncio.to_thread(handle.write, chunk)
