"""The media store seam: uploads, renders and results live under keys, not workspace paths.

A key is a relative, slash-separated name of ours ("uploads/<owner>/<random>.mp4",
"results/<job id>.mp4"). LocalMediaStore (core/media/local.py) keeps them under DATA_DIR; an
object store (S3) can take its place behind this protocol, with `local_path` downloading to a
temporary file for ffmpeg and removing it afterwards.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import AsyncIterable
from contextlib import AbstractAsyncContextManager
from pathlib import Path, PurePosixPath
from typing import Protocol

from core.errors import too_large

KEY = re.compile(r"^[a-z0-9_-]+(?:/[A-Za-z0-9_-][A-Za-z0-9_.-]{0,120})+$")
PREFIX = re.compile(r"^[a-z0-9_-]+(?:/[A-Za-z0-9_-]{1,64})*$")
SUFFIX = re.compile(r"^\.[a-z0-9]{1,5}$")


class MediaStore(Protocol):
    """Put a file in, read it as a local path, know its size and age, delete it."""

    fetches_to_read: bool
    """True when local_path fetches a temporary copy to this machine's disk, beside staging()
    (a bucket): a render needs room for its inputs there; False when the stored file is read
    in place (a disk)."""

    def staging(self) -> Path:
        """A local folder for files on their way in (on the store's disk when it has one)."""
        ...

    async def clear_staging(self) -> int:
        """Remove what dead processes left on its way in (at start); returns how many."""
        ...

    async def check(self) -> None:
        """Raise when the store can't be reached now."""
        ...

    def presigned_url(self, key: str, filename: str) -> str | None:
        """A short-lived URL downloading the key straight from the store, where it has one."""
        ...

    async def put_file(self, key: str, source: Path) -> int:
        """Store a local file under `key` (moved in: `source` is gone); returns its size."""
        ...

    async def put_stream(self, key: str, chunks: AsyncIterable[bytes], max_bytes: int) -> int:
        """Store a stream under `key` without holding it in memory; FILE_TOO_LARGE (and nothing
        kept) past `max_bytes`. Returns the size."""
        ...

    def local_path(self, key: str) -> AbstractAsyncContextManager[Path]:
        """A local file with the key's bytes while the context lasts (for ffmpeg, uploads)."""
        ...

    async def copy(self, source: str, target: str) -> None:
        """Store the bytes of `source` under `target` too (cheap: a link or a server copy)."""
        ...

    async def size(self, key: str) -> int | None:
        """The stored size, or None when the key holds nothing."""
        ...

    async def delete(self, key: str) -> None:
        """Remove a key (nothing happens when it holds nothing)."""
        ...

    async def delete_prefix(self, prefix: str) -> None:
        """Remove every key under `prefix/`."""
        ...

    async def children(self, prefix: str) -> list[str]:
        """The names directly under `prefix/` (files or deeper prefixes)."""
        ...

    async def delete_older(self, prefix: str, age_s: float) -> int:
        """Remove the keys under `prefix` older than `age_s`; returns how many."""
        ...


def check_key(key: str) -> str:
    """The key itself when it is one of ours (no '..', no absolute path), else ValueError."""
    parts = PurePosixPath(key).parts
    if not KEY.match(key) or ".." in parts or any(p.startswith(".") for p in parts):
        raise ValueError(f"not a media key: {key!r}")
    return key


def check_prefix(prefix: str) -> str:
    """The prefix itself when it is one of ours (plain names, no dots), else ValueError."""
    if not PREFIX.match(prefix):
        raise ValueError(f"not a media prefix: {prefix!r}")
    return prefix


def new_key(prefix: str, name: str) -> str:
    """A fresh key under `prefix` keeping only a plain lowercase suffix of the user's name."""
    suffix = PurePosixPath(name).suffix.lower()
    return check_key(f"{prefix}/{secrets.token_hex(12)}{suffix if SUFFIX.match(suffix) else ''}")


async def write_capped(
    staged: Path, chunks: AsyncIterable[bytes], max_bytes: int, key: str
) -> None:
    """Write the chunks to `staged` (off the loop), refusing more than `max_bytes` (too_large,
    named after the key's file name)."""
    handle = await asyncio.to_thread(staged.open, "wb")
    try:
        written = 0
        async for chunk in chunks:
            written += len(chunk)
            if written > max_bytes:
                raise too_large(PurePosixPath(key).name, written, max_bytes, at_least=True)
            await asyncio.to_thread(handle.write, chunk)
    finally:
        await asyncio.to_thread(handle.close)
