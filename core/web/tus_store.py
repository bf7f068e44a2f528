"""Resumable uploads on disk: tickets (who a personal upload link is for) and tus uploads.

Under one folder (DATA_DIR/tus, outside the media store's staging, which is cleared at start:
an upload must survive a restart): `tickets/<id>.json`, and per upload `files/<id>.json` (its
length, name and expiry) next to `files/<id>.bin` (the bytes so far). The offset is the size
of the .bin file, so it is right after a crash mid-chunk too.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
from collections.abc import AsyncIterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from core.clock import Clock
from core.failpoints import pause_point

ID = re.compile(r"^[0-9a-f]{32}$")


class UploadTooLong(Exception):
    """A PATCH carried more bytes than the upload's declared length."""


@dataclass(frozen=True)
class Ticket:
    """A personal upload link: whose chat a finished upload goes to, and the kept caption."""

    id: str
    owner: str
    platform: str
    user_id: str
    chat_id: str
    language: str
    created: float
    caption: str = ""
    reply_context: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Upload:
    """One tus upload under a ticket."""

    id: str
    ticket: str
    length: int
    name: str
    created: float
    expires: float


class TusStore:
    """Tickets and uploads as files under `root`; the clock decides what has expired."""

    def __init__(self, root: Path, clock: Clock, ttl_s: float) -> None:
        self.root, self.clock, self.ttl_s = root, clock, ttl_s

    def _ticket_path(self, ticket_id: str) -> Path:
        return self.root / "tickets" / f"{ticket_id}.json"

    def _meta_path(self, upload_id: str) -> Path:
        return self.root / "files" / f"{upload_id}.json"

    def data_path(self, upload: Upload) -> Path:
        """Where the upload's bytes are."""
        return self.root / "files" / f"{upload.id}.bin"

    async def issue(self, **fields: Any) -> Ticket:
        """A new ticket with a random id (fields: Ticket's, but id and created)."""
        ticket = Ticket(id=secrets.token_hex(16), created=self.clock.now(), **fields)
        await asyncio.to_thread(_write_json, self._ticket_path(ticket.id), asdict(ticket))
        return ticket

    async def ticket(self, ticket_id: str) -> Ticket | None:
        """The ticket, or None (an unknown or malformed id)."""
        if not ID.match(ticket_id):
            return None
        data = await asyncio.to_thread(_read_json, self._ticket_path(ticket_id))
        return Ticket(**data) if data else None

    async def create(self, ticket: Ticket, length: int, name: str) -> Upload:
        """A new, empty upload of `length` bytes."""
        now = self.clock.now()
        upload = Upload(secrets.token_hex(16), ticket.id, length, name, now, now + self.ttl_s)
        await asyncio.to_thread(self._create, upload)
        return upload

    def _create(self, upload: Upload) -> None:
        path = self.data_path(upload)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
        _write_json(self._meta_path(upload.id), asdict(upload))

    async def get(self, upload_id: str) -> Upload | None:
        """The upload, or None (unknown, malformed or removed)."""
        if not ID.match(upload_id):
            return None
        data = await asyncio.to_thread(_read_json, self._meta_path(upload_id))
        return Upload(**data) if data else None

    def expired(self, upload: Upload) -> bool:
        """True once the upload's time is up."""
        return upload.expires < self.clock.now()

    async def offset(self, upload: Upload) -> int:
        """How many bytes have arrived."""
        path = self.data_path(upload)
        try:
            return (await asyncio.to_thread(path.stat)).st_size
        except FileNotFoundError:
            return 0

    async def append(self, upload: Upload, chunks: AsyncIterable[bytes]) -> int:
        """Write chunks at the end (off the loop); UploadTooLong past the length. The new
        offset; what arrived before a dropped connection stays."""
        handle = await asyncio.to_thread(self.data_path(upload).open, "ab")
        try:
            offset = await asyncio.to_thread(handle.tell)
            async for chunk in chunks:
                if offset + len(chunk) > upload.length:
                    raise UploadTooLong
                await asyncio.to_thread(handle.write, chunk)
                offset += len(chunk)
                if offset * 2 >= upload.length:
                    await asyncio.to_thread(handle.flush)
                    pause_point("upload_half")  # the restart tests kill us half way
            return offset
        finally:
            await asyncio.to_thread(handle.close)

    async def delete(self, upload: Upload) -> None:
        """Remove the upload's bytes and record."""
        await asyncio.to_thread(self._remove, upload.id)

    def _remove(self, upload_id: str) -> None:
        (self.root / "files" / f"{upload_id}.bin").unlink(missing_ok=True)
        self._meta_path(upload_id).unlink(missing_ok=True)

    async def open_uploads(self, ticket_id: str) -> int:
        """How many unfinished uploads a ticket has."""
        uploads = [u for u in await asyncio.to_thread(self._all) if u.ticket == ticket_id]
        return len([u for u in uploads if await self.offset(u) < u.length])

    async def complete(self) -> list[Upload]:
        """Uploads whose bytes have all arrived (not handed on yet: after a restart)."""
        uploads = await asyncio.to_thread(self._all)
        return [u for u in uploads if await self.offset(u) == u.length]

    async def expire(self) -> int:
        """Remove expired incomplete uploads and old tickets; returns how many uploads."""
        now, removed = self.clock.now(), 0
        for upload in await asyncio.to_thread(self._all):
            if upload.expires < now and await self.offset(upload) < upload.length:
                await self.delete(upload)
                removed += 1
        await asyncio.to_thread(self._expire_tickets, now - 2 * self.ttl_s)
        return removed

    def _all(self) -> list[Upload]:
        folder = self.root / "files"
        found = sorted(folder.glob("*.json")) if folder.is_dir() else []
        return [Upload(**data) for data in map(_read_json, found) if data]

    def _expire_tickets(self, before: float) -> None:
        folder = self.root / "tickets"
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            data = _read_json(path)
            if data is None or float(data.get("created", 0)) < before:
                path.unlink(missing_ok=True)


def _write_json(path: Path, data: object) -> None:
    """Write JSON to a hidden name, then rename (never half a record)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(f".{path.name}.{os.getpid()}.part")
    part.write_text(json.dumps(data), encoding="utf-8")
    os.replace(part, path)


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
