"""Attachments in: their bytes written to a folder of ours, under a name we choose, capped."""

from __future__ import annotations

from pathlib import Path

from core.disk import disk_full_of, upload_check
from core.errors import ErrorCode, VoiceoverError, too_large
from core.files import safe_name, stored_name
from core.ports import Attachment


async def fetch_attachment(
    attachment: Attachment, folder: Path, max_bytes: int, reserve: int = 0
) -> Path:
    """Write an attachment's bytes into folder (size-capped, and leaving `reserve` bytes free on
    its disk: DISK_FULL); returns the path."""
    name = safe_name(attachment.name)
    if attachment.size is not None and attachment.size > max_bytes:
        raise too_large(name, attachment.size, max_bytes)
    upload_check(folder, attachment.size, reserve)
    if attachment.fetch is None:
        raise VoiceoverError(ErrorCode.DOWNLOAD_FAILED, name=name, reason="no file attached")
    path = folder / stored_name(attachment.name)
    try:
        await attachment.fetch(path, max_bytes)
    except VoiceoverError:
        path.unlink(missing_ok=True)
        raise
    except Exception as exc:
        path.unlink(missing_ok=True)
        full = disk_full_of(exc, "upload")
        if full is not None:
            raise full from None
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
