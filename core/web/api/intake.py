"""POST /api/v1/jobs bodies in: multipart (files streamed to the media store's staging folder,
never held in memory, capped while they arrive) or a small urlencoded form."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Collection
from pathlib import Path
from typing import BinaryIO

from aiohttp import BodyPartReader, web

from core.errors import ErrorCode, VoiceoverError, too_large
from core.files import safe_name, stored_name
from core.web.api.models import FILE_FIELDS, JobFields
from core.web.api.submit import StagedFile

CHUNK = 1 << 20
FIELD_LIMIT = 256 * 1024  # one text field (the script as text is at most 200,000 characters)
FORM_OVERHEAD = 4_000_000  # a body may be this much more than its largest file allows
MAX_PARTS = 32
Form = tuple[Collection[str], Collection[str]]  # a form's text field names, file field names


def declared_too_large(request: web.BaseRequest, max_bytes: int) -> VoiceoverError | None:
    """FILE_TOO_LARGE when Content-Length says the body is over the limit (nothing read)."""
    length = request.content_length
    if length is not None and length > max_bytes + FORM_OVERHEAD:
        return too_large("upload", length, max_bytes)
    return None


async def expect_continue(request: web.Request, max_bytes: int) -> VoiceoverError | None:
    """'Expect: 100-continue': the refusal of an oversized body before it is sent, else None
    (the client is told to go on)."""
    err = declared_too_large(request, max_bytes)
    if err is not None:
        return err
    if request.version >= (1, 1) and request.headers.get("Expect", "").lower() == ("100-continue"):
        await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    return None


def _invalid(reason: str) -> VoiceoverError:
    return VoiceoverError(ErrorCode.REQUEST_INVALID, reason=reason)


async def read_form(
    request: web.Request,
    staging: Path,
    max_bytes: int,
    names: Form = (JobFields.model_fields, FILE_FIELDS),
) -> tuple[dict[str, str], dict[str, StagedFile]]:
    """The body's text fields and its files (staged); a refusal leaves no file behind. `names`:
    the form's text fields and file fields (a job's unless given)."""
    if request.content_type == "application/x-www-form-urlencoded":
        form = await request.post()
        return {k: str(v) for k, v in form.items() if isinstance(v, str)}, {}
    if request.content_type != "multipart/form-data":
        raise _invalid("send multipart/form-data (or a urlencoded form without files)")
    fields: dict[str, str] = {}
    files: dict[str, StagedFile] = {}
    try:
        await _read_parts(request, staging, max_bytes, names, (fields, files))
    except BaseException:
        for staged in files.values():
            staged.path.unlink(missing_ok=True)
        raise
    return fields, files


async def _read_parts(
    request: web.Request,
    staging: Path,
    max_bytes: int,
    names: Form,
    found: tuple[dict[str, str], dict[str, StagedFile]],
) -> None:
    (text_names, file_names), (fields, files) = names, found
    try:
        reader = await request.multipart()
    except (ValueError, AssertionError) as exc:
        raise _invalid("the multipart body can't be read") from exc
    total = 0
    for _ in range(MAX_PARTS + 1):
        try:
            part = await reader.next()
        except ValueError as exc:
            raise _invalid("the multipart body can't be read") from exc
        if part is None:
            return
        if not isinstance(part, BodyPartReader) or not part.name:
            raise _invalid("every part needs a name")
        name = part.name
        if name in fields or name in files:
            raise _invalid(f"{name} is sent twice")
        if name in file_names and part.filename is not None:
            staged = await _stage(part, staging, max_bytes - total)
            files[name] = staged
            total += staged.size
        elif name in text_names or name in file_names:
            fields[name] = await _text(part)
        else:
            raise _invalid(f"{name[:40]} is not a field of this request")
    raise _invalid(f"at most {MAX_PARTS} parts")


async def _text(part: BodyPartReader) -> str:
    data = bytearray()
    while chunk := await part.read_chunk(64 * 1024):
        data += chunk
        if len(data) > FIELD_LIMIT:
            raise _invalid(f"{part.name} is longer than {FIELD_LIMIT} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _invalid(f"{part.name} is not UTF-8 text") from exc


async def _stage(part: BodyPartReader, staging: Path, max_bytes: int) -> StagedFile:
    """Stream one file part to the staging folder, refusing it as soon as it passes the cap."""
    name = safe_name(part.filename or str(part.name))
    path = staging / stored_name(name)
    size = 0
    handle: BinaryIO = await asyncio.to_thread(path.open, "wb")
    try:
        while chunk := await part.read_chunk(CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise too_large(name, size, max_bytes, at_least=True)
            await asyncio.to_thread(handle.write, chunk)
    except BaseException:
        await asyncio.to_thread(handle.close)
        with contextlib.suppress(OSError):
            path.unlink()
        raise
    await asyncio.to_thread(handle.close)
    return StagedFile(path, name, size)
