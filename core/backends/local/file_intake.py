"""A file added to a local project: stored by key (a local file copied, a URL fetched), then
read as a script or probed as media and kept in its role (the one it replaces deleted)."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any, Protocol

from core.backends.base import StoredFile, UploadResult
from core.backends.local.fetch import download_url
from core.backends.local.project import Project, media_summary, script_summary, script_to_json
from core.backends.local.shot_finder import ShotFinder
from core.config import Settings
from core.disk import disk_full_of, upload_check
from core.engine.model import Limits, MediaKind
from core.engine.probe import probe_media
from core.engine.scripts import read_script_file, sniff_script
from core.files import owner_digest, safe_name, stored_name
from core.media.store import MediaStore, new_key
from core.uninterrupted import uninterrupted


class LocalBackend(Protocol):
    """What adding a file uses of the local backend (core/backends/local/backend.py)."""

    settings: Settings
    limits: Limits
    media: MediaStore
    shots: ShotFinder

    async def save(self, project: Project, **columns: Any) -> None:
        """Write columns of the project's row."""
        ...

    async def remember(self, project: Project, what: str) -> None:
        """Keep the draft as it is before a change, for undo."""
        ...

    async def _keep_shots(self, session_id: str, key: str, cuts: list[float]) -> None:
        """The cuts found in the video at `key`, kept with it if it is still the project's."""
        ...


NARRATION_HINTS = ("narrat", "voiceover", "voice-over", "vo_", "旁白", "配音")


async def store_source(
    backend: LocalBackend, owner: str, source: StoredFile | Path | str, name: str
) -> tuple[str, str]:
    """The source as a key of the media store (a local file is copied, a URL fetched)."""
    if isinstance(source, StoredFile):
        return source.key, name
    staged = backend.media.staging() / stored_name(name)
    reserve = backend.settings.disk_reserve_bytes
    try:
        if isinstance(source, str):
            limit = backend.settings.max_upload_bytes
            private = backend.settings.allow_private_urls
            fetched = await download_url(
                source, staged, max_bytes=limit, reserve=reserve, allow_private=private
            )
            name = safe_name(fetched)
        else:
            size = (await asyncio.to_thread(source.stat)).st_size
            upload_check(staged.parent, size, reserve)
            await asyncio.to_thread(shutil.copyfile, source, staged)
        key = new_key(f"uploads/{owner_digest(owner)}", name)
        await backend.media.put_file(key, staged)
    except OSError as exc:
        full = disk_full_of(exc, "upload")
        if full is None:
            raise
        raise full from None
    finally:
        staged.unlink(missing_ok=True)
    return key, name


async def add_file(
    backend: LocalBackend, project: Project, key: str, name: str, role: str | None
) -> UploadResult:
    async with backend.media.local_path(key) as path:
        if await asyncio.to_thread(sniff_script, path) is not None:
            script = await asyncio.to_thread(read_script_file, path, backend.limits, name)
            await backend.remember(project, name)
            await backend.save(project, script=script_to_json(script))
            await backend.media.delete(key)  # its words are kept with the project
            summary = script_summary(name, script, project.language)
            return UploadResult("script", name, summary)
        info = await asyncio.to_thread(probe_media, path, backend.limits, name)
    entry = {
        "key": key,
        "name": name,
        "kind": str(info.kind),
        "duration_s": info.duration_s,
        "width": info.width,
        "height": info.height,
        "has_audio": info.has_audio,
    }
    if info.kind is not MediaKind.AUDIO:
        await replace_file(backend, project, "media", entry)
        backend.shots.start(key, info, lambda k, cuts: backend._keep_shots(project.id, k, cuts))
        summary = media_summary(entry, language=project.language)
        return UploadResult(str(info.kind), name, summary)
    if role not in ("narration", "music"):
        named = any(h in name.lower() for h in NARRATION_HINTS)
        role = "narration" if named else "music"
    await replace_file(backend, project, role, entry)
    return UploadResult("audio", name, media_summary(entry, role, project.language))


async def replace_file(
    backend: LocalBackend, project: Project, role: str, entry: dict[str, Any]
) -> None:
    """Keep `entry` as the project's file for `role`; the one it replaces is deleted now."""
    old = project.files().get(role)
    await uninterrupted(backend.save(project, **{role: entry}))
    if old and old.get("key") and old["key"] != entry["key"]:
        await backend.media.delete(old["key"])  # a queued job still has its own pinned copy
