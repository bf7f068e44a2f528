"""Uploads to NemoVideo: checks before sending, and a multipart body streamed from disk.

The body is generated chunk by chunk (file reads in a worker thread) with an exact
Content-Length, so a 500 MB video is never held in memory. Script files (txt, docx, srt, vtt)
are not media: their text is kept for the next message instead.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from core.backends.base import UploadResult
from core.config import Settings
from core.engine.model import Limits
from core.engine.scripts import read_script_file
from core.errors import ErrorCode, VoiceoverError
from core.words.numbers import human_size

MAX_CLOUD_BYTES = 500_000_000
CHUNK_BYTES = 1 << 20
# extension → (kind, MIME type): the notes' accepted list.
CLOUD_TYPES: dict[str, tuple[str, str]] = {
    "mp4": ("video", "video/mp4"),
    "mov": ("video", "video/quicktime"),
    "avi": ("video", "video/x-msvideo"),
    "webm": ("video", "video/webm"),
    "mkv": ("video", "video/x-matroska"),
    "jpg": ("image", "image/jpeg"),
    "jpeg": ("image", "image/jpeg"),
    "png": ("image", "image/png"),
    "gif": ("image", "image/gif"),
    "webp": ("image", "image/webp"),
    "mp3": ("audio", "audio/mpeg"),
    "wav": ("audio", "audio/wav"),
    "m4a": ("audio", "audio/mp4"),
    "aac": ("audio", "audio/aac"),
}
SCRIPT_TYPES = frozenset({"txt", "docx", "srt", "vtt"})
KIND_ICONS = {"video": "🎬", "image": "🖼️", "audio": "🎵", "script": "📝"}
UPLOAD_TIMEOUT = httpx.Timeout(300.0, connect=10.0)


@dataclass
class UploadPlan:
    """What to send: a streamed body or JSON, and what to tell the user afterwards."""

    result: UploadResult
    body: Callable[[], AsyncIterator[bytes]] | None = None
    request: dict[str, Any] = field(default_factory=dict)
    timeouts: httpx.Timeout = field(default_factory=lambda: UPLOAD_TIMEOUT)
    script_text: str | None = None
    error_fields: dict[str, Any] = field(default_factory=dict)


def extension(name: str) -> str:
    """The lower-case extension of a file name or URL path, without the dot."""
    return Path(urlsplit(name).path if "://" in name else name).suffix.lower().lstrip(".")


def safe_filename(name: str) -> str:
    """A file name safe inside a multipart header (no quotes, controls or paths)."""
    base = Path(name.replace("\\", "/")).name or "upload"
    return re.sub(r"[^A-Za-z0-9._ -]", "_", base)[:120] or "upload"


def multipart_body(
    path: Path, filename: str, mime: str, size: int
) -> tuple[Callable[[], AsyncIterator[bytes]], dict[str, str]]:
    """A factory of streamed multipart bodies (field `files`) and the headers they need."""
    boundary = uuid.uuid4().hex
    head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="files"; filename="{filename}"\r\n'
        f"Content-Type: {mime}\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    async def body() -> AsyncIterator[bytes]:
        yield head
        handle = await asyncio.to_thread(path.open, "rb")
        try:
            while chunk := await asyncio.to_thread(handle.read, CHUNK_BYTES):
                yield chunk
        finally:
            await asyncio.to_thread(handle.close)
        yield tail

    headers = {
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "Content-Length": str(len(head) + size + len(tail)),
    }
    return body, headers


def _unsupported(name: str, ext: str) -> VoiceoverError:
    reason = f"the cloud editor doesn't take .{ext} files" if ext else "it has no file extension"
    return VoiceoverError(ErrorCode.UNSUPPORTED_FILE, name=name, reason=reason)


async def _script_plan(path: Path, name: str, settings: Settings) -> UploadPlan:
    script = await asyncio.to_thread(read_script_file, path, Limits.from_settings(settings), name)
    summary = f"📝 Got {name}: {script.word_count} words. It goes with your next instruction."
    return UploadPlan(UploadResult("script", name, summary), script_text=script.labelled_text)


async def prepare_upload(source: Path | str, name: str, settings: Settings) -> UploadPlan:
    """Check type and size before anything is sent; plan the request."""
    link = source if isinstance(source, str) else ""
    if link.lower().startswith(("http://", "https://")):
        kind = CLOUD_TYPES.get(extension(link) or extension(name), ("video", ""))[0]
        result = UploadResult(
            kind, name, f"{KIND_ICONS[kind]} Sent the link for {name} to the cloud."
        )
        return UploadPlan(result, request={"json": {"urls": [link], "source_type": "url"}})
    path = Path(source)
    ext = extension(name) or extension(path.name)
    if ext in SCRIPT_TYPES:
        return await _script_plan(path, name, settings)
    if ext not in CLOUD_TYPES:
        raise _unsupported(name, ext)
    size = (await asyncio.to_thread(path.stat)).st_size
    limit = min(MAX_CLOUD_BYTES, settings.max_upload_bytes)
    if size > limit:
        raise VoiceoverError(
            ErrorCode.FILE_TOO_LARGE, name=name, size=human_size(size), limit=human_size(limit)
        )
    kind, mime = CLOUD_TYPES[ext]
    body, headers = multipart_body(path, safe_filename(name), mime, size)
    summary = f"{KIND_ICONS[kind]} Uploaded {name} ({human_size(size)}) to your cloud project."
    return UploadPlan(
        UploadResult(kind, name, summary),
        body=body,
        request={"headers": headers},
        error_fields={"size": human_size(size), "limit": human_size(limit)},
    )
