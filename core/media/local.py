"""The media store on local disk (the embedded default): keys are files under one folder."""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from collections.abc import AsyncIterable, AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from core.media.store import check_key, check_prefix, write_capped

STAGING = ".staging"  # files on their way in: same disk, so a put is a rename


class LocalMediaStore:
    """MediaStore over a folder; `local_path` is the stored file itself (no copy)."""

    fetches_to_read = False  # files are read where they are stored

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        """Where a key's file is."""
        return self.root / check_key(key)

    def staging(self) -> Path:
        """The folder files arrive in before they are stored."""
        folder = self.root / STAGING
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    async def clear_staging(self) -> int:
        """Remove what a killed process left on its way in (at start); returns how many."""
        folder = self.root / STAGING
        found = await asyncio.to_thread(lambda: list(folder.iterdir()) if folder.is_dir() else [])
        for path in found:
            await asyncio.to_thread(path.unlink, True)
        return len(found)

    async def check(self) -> None:
        """A folder of this machine: there whenever this process is."""

    def presigned_url(self, key: str, filename: str) -> str | None:
        """None: the service itself serves a local file."""
        return None

    async def put_file(self, key: str, source: Path) -> int:
        """Move `source` in (a rename on the same disk, else a copy); returns its size."""
        return await asyncio.to_thread(self._put, self.path(key), source)

    async def put_stream(self, key: str, chunks: AsyncIterable[bytes], max_bytes: int) -> int:
        """Write the chunks to a staged file (off the loop), then move it in; capped."""
        staged = self.staging() / f"{os.getpid()}-{time.monotonic_ns()}.part"
        try:
            await write_capped(staged, chunks, max_bytes, key)
            return await self.put_file(key, staged)
        finally:
            await asyncio.to_thread(staged.unlink, True)

    @staticmethod
    def _put(target: Path, source: Path) -> int:
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(source, target)
        except OSError:  # another disk: copy to a hidden name, then rename
            part = target.with_name(f".{target.name}.{os.getpid()}.part")
            shutil.copyfile(source, part)
            os.replace(part, target)
            source.unlink(missing_ok=True)
        return target.stat().st_size

    async def copy(self, source: str, target: str) -> None:
        """A hard link (a copy on another disk): the bytes live as long as either key."""
        await asyncio.to_thread(_link_or_copy, self.path(source), self.path(target))

    async def delete_prefix(self, prefix: str) -> None:
        """Remove the folder of `prefix`."""
        await asyncio.to_thread(shutil.rmtree, self.root / check_prefix(prefix), True)

    async def children(self, prefix: str) -> list[str]:
        """The entries of the folder of `prefix`."""
        folder = self.root / check_prefix(prefix)
        return await asyncio.to_thread(
            lambda: sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
        )

    @asynccontextmanager
    async def local_path(self, key: str) -> AsyncIterator[Path]:
        """The stored file (FileNotFoundError when the key holds nothing)."""
        path = self.path(key)
        if not await asyncio.to_thread(path.is_file):
            raise FileNotFoundError(key)
        yield path

    async def size(self, key: str) -> int | None:
        """The file's size, or None."""
        path = self.path(key)
        try:
            return (await asyncio.to_thread(path.stat)).st_size
        except FileNotFoundError:
            return None

    async def delete(self, key: str) -> None:
        """Remove the file."""
        await asyncio.to_thread(self.path(key).unlink, True)

    async def delete_older(self, prefix: str, age_s: float) -> int:
        """Remove the files under `prefix` last changed more than `age_s` ago."""
        folder = self.root / check_prefix(prefix)
        return await asyncio.to_thread(self._delete_older, folder, age_s)

    @staticmethod
    def _delete_older(folder: Path, age_s: float) -> int:
        cutoff, removed = time.time() - age_s, 0
        for path in folder.rglob("*") if folder.is_dir() else ():
            try:
                if path.is_file() and path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except OSError:
                continue
        return removed


def _link_or_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except FileExistsError:
        return
    except OSError:
        shutil.copyfile(source, target)
