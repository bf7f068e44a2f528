"""Telegram updates → core.ports.Incoming: text, commands, attachments, group addressing."""

from __future__ import annotations

import asyncio
import logging
import re
import shutil
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from telegram import Bot, Message, MessageEntity
from telegram.error import BadRequest, TelegramError

from core.errors import ErrorCode, VoiceoverError, too_large
from core.files import safe_name
from core.ports import Attachment, Fetch, Incoming
from core.words.numbers import human_size

log = logging.getLogger(__name__)

ARG_KEYS = frozenset(
    {"script", "voice", "speed", "captions", "aspect", "music_volume", "language", "gender"}
)
OPTION = re.compile(r"(\w+)=(\S+)(?:\s+|$)")
SCRIPT_SUFFIXES = frozenset({".txt", ".docx", ".srt", ".vtt"})
GROUP_CHATS = frozenset({"group", "supergroup"})


@dataclass(frozen=True)
class FileRef:
    """A file in a message: Telegram's id, a name, size, MIME type and a role hint."""

    file_id: str
    name: str
    size: int | None
    mime: str | None
    role: str | None


@dataclass(frozen=True)
class Addressed:
    """What a message says to the bot: a command (if any), its options, and the text."""

    command: str | None
    args: Mapping[str, str]
    text: str


def document_role(name: str, mime: str | None) -> str | None:
    """A role for a document only when its type is obvious; otherwise the core decides."""
    if mime and mime.startswith("video/"):
        return "video"
    if PurePosixPath(name).suffix.lower() in SCRIPT_SUFFIXES or mime == "text/plain":
        return "script"
    return None


# Message attribute → (fallback name, fixed MIME type, role); animation before document.
FILE_KINDS: tuple[tuple[str, str, str | None, str | None], ...] = (
    ("animation", "animation.mp4", None, "video"),
    ("video", "video.mp4", None, "video"),
    ("video_note", "video_note.mp4", "video/mp4", "video"),
    ("document", "document", None, None),  # role from name and type: document_role
    ("audio", "music.mp3", None, "music"),
    ("voice", "narration.ogg", None, "narration"),
)


def message_files(message: Message) -> list[FileRef]:
    """The message's file, by type (the first kind present in FILE_KINDS, then a photo)."""
    for attr, fallback, fixed_mime, role in FILE_KINDS:
        media = getattr(message, attr)
        if media:
            name = safe_name(getattr(media, "file_name", None), fallback)
            mime = fixed_mime or getattr(media, "mime_type", None)
            role = document_role(name, mime) if attr == "document" else role
            return [FileRef(media.file_id, name, media.file_size, mime, role)]
    if message.photo:
        p = max(message.photo, key=lambda size: size.width * size.height)
        return [FileRef(p.file_id, "photo.jpg", p.file_size, "image/jpeg", None)]
    return []


def split_options(rest: str) -> tuple[dict[str, str], str]:
    """Leading `key=value` words with known keys become options; the rest stays text."""
    options: dict[str, str] = {}
    while (match := OPTION.match(rest)) and match.group(1).lower() in ARG_KEYS:
        options[match.group(1).lower()] = match.group(2)
        rest = rest[match.end() :]
    return options, rest.strip()


def addressed(message: Message, bot_id: int, bot_username: str) -> Addressed | None:
    """The command and text meant for the bot, or None when a group message isn't for it."""
    text = message.text or message.caption or ""
    entities = message.entities or message.caption_entities or ()
    command: str | None = None
    first = entities[0] if entities else None
    if first is not None and first.type == MessageEntity.BOT_COMMAND and first.offset == 0:
        name, _, target = text[1 : first.length].partition("@")
        if target and target.lower() != bot_username.lower():
            return None  # a command for another bot
        command, text = name.lower(), text[first.length :]
    parsed = message.parse_entities() if message.text else message.parse_caption_entities()
    mentioned = False
    for entity, part in parsed.items():
        if entity.type == MessageEntity.MENTION and part[1:].lower() == bot_username.lower():
            mentioned, text = True, text.replace(part, " ")
        elif entity.type == MessageEntity.TEXT_MENTION and entity.user:
            mentioned = mentioned or entity.user.id == bot_id
    reply = message.reply_to_message
    replying = bool(reply and reply.from_user and reply.from_user.id == bot_id)
    if message.chat.type in GROUP_CHATS and not (command or mentioned or replying):
        return None
    text = re.sub(r"[ \t]{2,}", " ", text).strip()
    args, rest = split_options(text) if command else ({}, text)
    if args and rest and "script" not in args:
        args["script"] = rest  # the core reads options instead of the text: keep the script
    return Addressed(command, args, rest)


def oversized(files: list[FileRef], limit: int) -> FileRef | None:
    """The first file whose declared size exceeds what the bot may download."""
    return next((f for f in files if f.size is not None and f.size > limit), None)


def upload_instead(incoming: Incoming, ref: FileRef, limit: int) -> Incoming:
    """A message whose file is over the download limit asks for an upload link instead; its
    text (the caption) is kept for the file to come."""
    args = {
        "too_big": ref.name,
        "size": human_size(ref.size or 0),
        "limit": human_size(limit),
        "platform": "Telegram",
    }
    return replace(incoming, command="upload", args=args, attachments=())


def make_fetch(bot: Bot, ref: FileRef, limit: int) -> Fetch:
    """A fetch that checks the size with getFile before downloading, and again after."""

    async def fetch(dest: Path, max_bytes: int) -> None:
        cap = min(limit, max_bytes)
        if ref.size is not None and ref.size > cap:
            raise too_large(ref.name, ref.size, cap)
        try:
            tg_file = await bot.get_file(ref.file_id)
        except BadRequest as exc:
            if "too big" in exc.message.lower():
                raise too_large(ref.name, ref.size or cap + 1, cap) from exc
            raise VoiceoverError(
                ErrorCode.DOWNLOAD_FAILED, name=ref.name, reason=exc.message
            ) from exc
        if tg_file.file_size is not None and tg_file.file_size > cap:
            raise too_large(ref.name, tg_file.file_size, cap)
        part = dest.with_name(dest.name + ".part")
        try:
            await _download(
                tg_file.file_path or "", tg_file.download_to_drive, part, cap, ref.name
            )
            part.replace(dest)
        except TelegramError as exc:
            raise VoiceoverError(
                ErrorCode.DOWNLOAD_FAILED, name=ref.name, reason=exc.message
            ) from exc
        finally:
            part.unlink(missing_ok=True)

    return fetch


async def _download(
    file_path: str, download: Callable[..., Awaitable[Path]], part: Path, cap: int, name: str
) -> None:
    """Copy a local-mode file in a thread (size checked first), or fetch it over HTTP."""
    if Path(file_path).is_absolute():
        size = await asyncio.to_thread(lambda: Path(file_path).stat().st_size)
        if size > cap:
            raise too_large(name, size, cap)
        await asyncio.to_thread(shutil.copyfile, file_path, part)
    else:
        await download(custom_path=part)
    size = await asyncio.to_thread(lambda: part.stat().st_size)
    if size > cap:
        raise too_large(name, size, cap)


def to_incoming(message: Message, said: Addressed, bot: Bot, limit: int) -> Incoming:
    """The platform-neutral message; a redelivered update keeps the same message_id."""
    sender = message.from_user
    language = (sender.language_code if sender else None) or ""  # none: the text decides
    attachments = tuple(
        Attachment(name=f.name, size=f.size, role=f.role, fetch=make_fetch(bot, f, limit))
        for f in message_files(message)
    )
    context = {"reply_to": str(message.message_id), "language": language}
    if sender is not None and message.chat.type in GROUP_CHATS:
        context["user_id"] = str(sender.id)  # personal links go to them privately
    if message.message_thread_id is not None and message.is_topic_message:
        context["thread_id"] = str(message.message_thread_id)
    return Incoming(
        platform="telegram",
        user_id=str(sender.id if sender else message.chat.id),
        chat_id=str(message.chat.id),
        message_id=f"{message.chat.id}:{message.message_id}",
        text=said.text,
        command=said.command,
        args=said.args,
        attachments=attachments,
        language=language,
        reply_context=context,
    )
