"""Per-user workspaces: where attachments land, under names we choose."""

from __future__ import annotations

import hashlib
import re
import secrets
from pathlib import Path

from core.errors import ErrorCode, VoiceoverError, too_large
from core.ports import Attachment

SAFE_SUFFIX = re.compile(r"^\.[a-z0-9]{1,5}$")


def owner_digest(owner: str) -> str:
    """An owner as a name for folders and keys (a hash: user ids never become paths)."""
    return hashlib.sha256(owner.encode()).hexdigest()[:24]


def owner_dir(root: Path, owner: str) -> Path:
    """The owner's folder under root."""
    path = root / owner_digest(owner)
    path.mkdir(parents=True, exist_ok=True)
    return path


def safe_name(name: str) -> str:
    """A random file name of ours keeping only a plain lowercase suffix from the user's name."""
    suffix = Path(name).suffix.lower()
    return secrets.token_hex(8) + (suffix if SAFE_SUFFIX.match(suffix) else "")


def display_name(name: str) -> str:
    """The user's file name, trimmed and stripped of paths and control characters, for chat."""
    base = re.split(r"[\\/]", name)[-1]
    base = "".join(ch for ch in base if ch.isprintable())[:80]
    return base or "file"


async def fetch_attachment(attachment: Attachment, folder: Path, max_bytes: int) -> Path:
    """Write an attachment's bytes into folder (size-capped); returns the path."""
    name = display_name(attachment.name)
    if attachment.size is not None and attachment.size > max_bytes:
        raise too_large(name, attachment.size, max_bytes)
    if attachment.fetch is None:
        raise VoiceoverError(ErrorCode.DOWNLOAD_FAILED, name=name, reason="no file attached")
    path = folder / safe_name(attachment.name)
    try:
        await attachment.fetch(path, max_bytes)
    except VoiceoverError:
        path.unlink(missing_ok=True)
        raise
    except Exception as exc:
        path.unlink(missing_ok=True)
        raise VoiceoverError(
            ErrorCode.DOWNLOAD_FAILED, name=name, reason=type(exc).__name__
        ) from exc
    except BaseException:  # a /cancel while it was arriving: nothing stays
        path.unlink(missing_ok=True)
        raise
    if path.stat().st_size > max_bytes:
        size = path.stat().st_size
        path.unlink(missing_ok=True)
        raise too_large(name, size, max_bytes)
    return path


def discard_ours(path: Path, root: Path) -> None:
    """Delete a file we keep under `root` (DATA_DIR); a file from elsewhere is never touched."""
    if path.resolve().is_relative_to(root.resolve()):
        path.unlink(missing_ok=True)
