"""Pinned inputs of the local backend's jobs: copies in the media store (hard links on local
disk) that outlive the user's own files.

A job pins the project's files when it is queued, so the user may replace or delete them at
once (a new video, a new project) while the job still renders exactly what was asked; the job
refers to them by key, so any process that holds the media store can render it.
"""

from __future__ import annotations

import re
import secrets
from pathlib import PurePosixPath

from core.backends.base import Pinned
from core.backends.local.project import Project, build_draft
from core.errors import ErrorCode, VoiceoverError
from core.files import safe_name
from core.media.store import MediaStore

KEY_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")
PIN_KEY = "pin"
PINS = "pins"


async def pin_project(project: Project, media: MediaStore) -> Pinned:
    """The project's draft and payload, its files copied under pins/<pin>/ in the store."""
    pin = secrets.token_hex(12)
    payload = project.to_payload()
    try:
        for role, entry in project.files().items():
            if "key" not in entry:  # a file recorded before the media store: left as it is
                continue
            target = f"{PINS}/{pin}/{role}/{pinned_name(entry, role)}"
            await media.copy(entry["key"], target)
            payload[role] = {**entry, "key": target}
    except BaseException as exc:
        await media.delete_prefix(f"{PINS}/{pin}")
        if isinstance(exc, FileNotFoundError):  # aged out (RESULT_RETENTION_HOURS): send again
            raise VoiceoverError(ErrorCode.SESSION_NOT_FOUND) from None
        raise
    payload[PIN_KEY] = pin
    return Pinned(build_draft(project), payload)


def pinned_name(entry: dict[str, object], role: str) -> str:
    """The user's file name as a key part (errors about the file then name it as they did)."""
    suffix = PurePosixPath(str(entry["key"])).suffix
    stem = PurePosixPath(safe_name(str(entry.get("name") or ""), "")).stem
    stem = KEY_UNSAFE.sub("_", stem).strip("._-")[:100]
    return f"{stem or role}{suffix}"


async def unpin(pinned: Pinned, media: MediaStore) -> None:
    """Delete a job's pinned copies (the user's own files are not touched)."""
    pin = pinned.payload.get(PIN_KEY)
    if isinstance(pin, str) and pin.isalnum():
        await media.delete_prefix(f"{PINS}/{pin}")


async def sweep_pins(media: MediaStore, keep: set[object]) -> int:
    """Delete every pin no waiting or running job refers to; returns how many."""
    stale = [pin for pin in await media.children(PINS) if pin not in keep]
    for pin in stale:
        await media.delete_prefix(f"{PINS}/{pin}")
    return len(stale)
