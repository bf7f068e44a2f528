"""The core's Chat port as Bot API calls: messages, progress edits, videos, links, actions."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    ReplyParameters,
)
from telegram.constants import ChatAction, MessageLimit
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError, TimedOut

from core.engine.ffmpeg import run_ffmpeg
from core.errors import VoiceoverError
from core.ports import MessageRef, VideoReply, VoiceNote
from core.words.replies import reply

log = logging.getLogger(__name__)

CAPTION_LIMIT = 1024
TEXT_LIMIT = int(MessageLimit.MAX_TEXT_LENGTH)  # 4096
THUMBNAIL_TIMEOUT_S = 30.0
ANSWER_PREFIX = "answer:"  # callback data of a question's buttons: "answer:yes"
UPLOAD_TIMEOUT_S = 600.0


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Pieces of at most `limit` characters, cut at a line break or space when possible."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit + 1)
        if cut <= 0:
            cut = rest.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
        pieces.append(rest[:cut])
        rest = rest[cut:].lstrip("\n ")
    if rest or not pieces:
        pieces.append(rest or "…")
    return pieces


def make_thumbnail(video: Path, out: Path, at_s: float) -> Path | None:
    """A JPEG of one frame, at most 320 px a side (Telegram's rule); None if ffmpeg fails."""
    args = [
        "-ss",
        f"{at_s:.3f}",
        "-i",
        f"file:{video.resolve()}",
        "-map",
        "0:v:0",
        "-frames:v",
        "1",
        "-an",
        "-sn",
        "-dn",
        "-map_metadata",
        "-1",
        "-vf",
        "scale=320:320:force_original_aspect_ratio=decrease",
        "-q:v",
        "5",
        f"file:{out.resolve()}",
    ]
    try:
        run_ffmpeg(args, timeout_s=THUMBNAIL_TIMEOUT_S)
    except VoiceoverError as exc:
        log.warning("no thumbnail for %s: %s", video.name, exc)
        return None
    return out


class TelegramChat:
    """One Telegram chat, as the core sees it (implements core.ports.Chat)."""

    def __init__(
        self,
        bot: Bot,
        chat_id: int,
        upload_limit: int,
        reply_context: Mapping[str, str] | None = None,
        ready: asyncio.Event | None = None,
        local_mode: bool = False,
    ) -> None:
        self._bot = bot
        self._chat_id = chat_id
        self._upload_limit = upload_limit
        context = reply_context or {}
        self._reply_to = int(context["reply_to"]) if context.get("reply_to") else None
        self._thread_id = int(context["thread_id"]) if context.get("thread_id") else None
        self._user_id = int(context["user_id"]) if context.get("user_id") else None
        self._language = context.get("language", "en")
        self._ready = ready
        self._local_mode = local_mode
        self._shown: dict[MessageRef, str] = {}

    @property
    def upload_limit(self) -> int:
        """The largest file (bytes) the bot may upload here."""
        return self._upload_limit

    async def _wait_ready(self) -> None:
        if self._ready is not None:
            await self._ready.wait()

    def _reply(self) -> ReplyParameters | None:
        if self._reply_to is None:
            return None
        return ReplyParameters(self._reply_to, allow_sending_without_reply=True)

    async def say(self, text: str) -> MessageRef:
        """Send text (split over several messages past 4096 characters); returns the last."""
        await self._wait_ready()
        ref: MessageRef | None = None
        for piece in split_text(text):
            sent = await self._bot.send_message(
                self._chat_id,
                piece,
                reply_parameters=self._reply(),
                message_thread_id=self._thread_id,
                link_preview_options=None,
            )
            ref = MessageRef(str(self._chat_id), str(sent.message_id))
            self._shown[ref] = piece
        assert ref is not None  # split_text returns at least one piece
        return ref

    async def edit(self, ref: MessageRef, text: str) -> None:
        """Replace a message's text; identical text is never re-sent (flood control)."""
        await self._wait_ready()
        text = split_text(text)[0]
        if self._shown.get(ref) == text:
            return
        try:
            await self._bot.edit_message_text(
                text, chat_id=ref.chat_id, message_id=int(ref.message_id)
            )
        except BadRequest as exc:
            if "not modified" not in exc.message.lower():
                raise
        except RetryAfter as exc:  # the rate limiter already waited and retried
            log.warning("progress edit dropped after flood control: %s", exc.message)
            return
        self._shown[ref] = text

    async def send_video(self, video: VideoReply) -> None:
        """Upload a streamable MP4 with its duration, size and a thumbnail."""
        await self._wait_ready()
        caption = video.caption if len(video.caption) <= CAPTION_LIMIT else None
        with tempfile.TemporaryDirectory(prefix="tg-thumb-") as workdir:
            thumbnail = video.thumbnail or await asyncio.to_thread(
                make_thumbnail,
                video.path,
                Path(workdir) / "thumb.jpg",
                min(1.0, video.duration_s / 2),
            )
            thumb_data = await asyncio.to_thread(thumbnail.read_bytes) if thumbnail else None
        try:
            await self._bot.send_video(
                self._chat_id,
                await self._file_input(video.path),
                duration=max(1, round(video.duration_s)),
                width=video.width or None,
                height=video.height or None,
                supports_streaming=True,
                thumbnail=InputFile(thumb_data, filename="thumb.jpg") if thumb_data else None,
                caption=caption,
                reply_parameters=self._reply(),
                message_thread_id=self._thread_id,
                write_timeout=UPLOAD_TIMEOUT_S,
                read_timeout=UPLOAD_TIMEOUT_S,
            )
        except TimedOut:
            # The upload may well have arrived (PTB #4188): never resend blindly.
            log.warning("sendVideo timed out; not resending %s", video.path.name)
        if caption is None and video.caption:
            await self.say(video.caption)

    async def send_voice(self, note: VoiceNote) -> None:
        """Send an Ogg/Opus clip as a voice message, captioned."""
        await self._wait_ready()
        caption = note.caption if len(note.caption) <= CAPTION_LIMIT else None
        await self._bot.send_voice(
            self._chat_id,
            await self._file_input(note.path),
            duration=max(1, round(note.duration_s)),
            caption=caption,
            reply_parameters=self._reply(),
            message_thread_id=self._thread_id,
        )
        if caption is None and note.caption:
            await self.say(note.caption)

    async def _file_input(self, path: Path) -> InputFile | Path:
        """Local mode: the path (the Bot API server reads it); else the bytes, read in a thread."""
        if self._local_mode:
            return await asyncio.to_thread(path.resolve)
        return InputFile(await asyncio.to_thread(path.read_bytes), filename=path.name)

    async def send_link(self, url: str, caption: str) -> None:
        """Send a download link with its caption."""
        await self.say(f"{caption}\n{url}" if caption else url)

    async def send_image(self, path: Path, caption: str) -> None:
        """Send a photo (its bytes read in a thread) with its caption."""
        await self._wait_ready()
        data = await asyncio.to_thread(path.read_bytes)
        await self._bot.send_photo(
            self._chat_id,
            InputFile(data, filename=path.name),
            caption=caption[:CAPTION_LIMIT] or None,
            reply_parameters=self._reply(),
            message_thread_id=self._thread_id,
        )

    async def send_file(self, path: Path, caption: str) -> None:
        """Send a document (its bytes read in a thread) with its caption."""
        await self._wait_ready()
        await self._bot.send_document(
            self._chat_id,
            InputFile(await asyncio.to_thread(path.read_bytes), filename=path.name),
            caption=caption[:CAPTION_LIMIT] or None,
            reply_parameters=self._reply(),
            message_thread_id=self._thread_id,
        )

    async def offer_link(self, text: str, url: str, label: str) -> None:
        """The text with the link, and an inline URL button opening it (a host Telegram won't
        take in a button, like a bare IP, gets the text alone). In a group it goes to the user
        privately when they have started the bot (anyone holding it could upload), with a note
        in the group; else into the group."""
        await self._wait_ready()
        body = f"{split_text(text, TEXT_LIMIT - len(url) - 1)[0]}\n{url}"
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(label, url=url)]])
        if self._user_id is not None and await self._offer_privately(body, markup):
            await self.say(reply("link_sent_privately", self._language))
            return
        try:
            await self._bot.send_message(
                self._chat_id,
                body,
                reply_parameters=self._reply(),
                message_thread_id=self._thread_id,
                reply_markup=markup,
            )
        except BadRequest as exc:
            log.warning("no button for the link (%s); sending the text alone", exc.message)
            await self.say(body)

    async def _offer_privately(self, body: str, markup: InlineKeyboardMarkup) -> bool:
        """Send to the user's private chat; False when Telegram won't (never started)."""
        assert self._user_id is not None
        for keyboard in (markup, None):
            try:
                await self._bot.send_message(self._user_id, body, reply_markup=keyboard)
                return True
            except Forbidden:
                return False
            except BadRequest as exc:
                if keyboard is None or "chat not found" in exc.message.lower():
                    return False
        return False

    async def ask(self, text: str, answers: Sequence[tuple[str, str]]) -> None:
        """The question with an inline button per answer; a press comes back as a callback
        query carrying the answer (bots/telegram/answers.py)."""
        await self._wait_ready()
        buttons = [
            InlineKeyboardButton(label, callback_data=f"{ANSWER_PREFIX}{reply}")
            for label, reply in answers
        ]
        await self._bot.send_message(
            self._chat_id,
            split_text(text)[0],
            reply_parameters=self._reply(),
            message_thread_id=self._thread_id,
            reply_markup=InlineKeyboardMarkup([buttons]),
        )

    async def working(self) -> None:
        """Show 'sending video…' (lasts about 5 s on Telegram's side)."""
        await self._wait_ready()
        with contextlib.suppress(TelegramError):
            await self._bot.send_chat_action(
                self._chat_id, ChatAction.UPLOAD_VIDEO, message_thread_id=self._thread_id
            )

    async def refuse(self, text: str) -> None:
        """Bad input: Telegram has no private replies in a chat, so say it (as a reply)."""
        await self.say(text)
