"""What the edit page's requests do: read and save the one draft (saves in the owner's lane,
in order with their chat messages), speak a line, make the preview, and send a render into the
lane as if "export" had been typed in the chat the link was asked in."""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from core.backends.base import Backend
from core.backends.local.page_edits import PageDrafts, SaveOutcome
from core.chat.lanes import Lanes
from core.chat.sessions import Sessions
from core.config import Settings
from core.delivery.links import LinkSigner
from core.engine.lexicon import operator_lexicon
from core.engine.line_audio import speak_line
from core.engine.model import VoiceInfo
from core.engine.speech_cache import with_cache
from core.engine.tts import listen_synthesizer
from core.engine.validate import SPEED_RANGE, check_range, check_word_lengths
from core.errors import ErrorCode, VoiceoverError, from_record
from core.files import owner_digest
from core.media.store import MediaStore
from core.ports import Chat, Incoming
from core.web.edit_chat import TeeChat
from core.web.edit_links import EditTicket, EditTickets
from core.web.edit_shots import shot_picture
from core.words.edit_text import edit_text
from core.words.replies import stage_label
from core.work.chats import ChatDirectory
from core.work.model import ENDED, Job, JobStatus

Accept = Callable[[Incoming, Chat], Awaitable[None]]
GetJob = Callable[[str], Awaitable[Job | None]]
CLIP = re.compile(r"^[0-9a-f]{32}$")
MAX_LINE_CHARS = 2000


class Gone(Exception):
    """The link's project is no longer its owner's current one."""


@dataclass
class EditParts:
    """What the page's actions work with (the service's own parts)."""

    settings: Settings
    signer: LinkSigner
    sessions: Sessions
    backend: Backend
    media: MediaStore
    lanes: Lanes
    accept: Accept
    chats: ChatDirectory
    get_job: GetJob


class EditActions:
    """The page's actions for a checked ticket."""

    invalid = ErrorCode.LINK_INVALID
    replaced = ErrorCode.SESSION_NOT_FOUND

    def __init__(self, parts: EditParts, tickets: EditTickets) -> None:
        self.parts, self.tickets = parts, tickets
        self.drafts = PageDrafts(parts.backend)  # type: ignore[arg-type]
        # Spoken lines, previews and shot pictures are made again on demand: kept under
        # DATA_DIR/cache, which backups leave out (core.backups.backup.DERIVED_DIRS).
        self.folder = parts.settings.data_dir / "cache" / "edit"

    async def current(self, ticket: EditTicket) -> None:
        """Gone unless the ticket's project is still its owner's project."""
        session = await self.parts.sessions.current(ticket.owner)
        if session is None or session["session_id"] != ticket.project:
            raise Gone

    async def language(self, ticket: EditTicket) -> str:
        """The account's language: chosen (/language), else the one the link was asked in."""
        sessions = self.parts.sessions
        chosen = await sessions.language(ticket.owner) or ticket.language
        return chosen or await sessions.heard_language(ticket.owner) or "en"

    def voice_list(self) -> list[dict[str, str]]:
        """The installed voices for the page's choices."""
        return [
            {"id": v.id, "language": v.language, "gender": v.gender or ""}
            for v in self.parts.backend.voices()
        ]

    async def view(self, ticket: EditTicket) -> dict[str, Any]:
        """The draft as the page shows it."""
        project = await self.drafts.project(ticket.project)
        if project is None:
            raise Gone
        return await self.drafts.view(project)

    async def save(self, ticket: EditTicket, data: dict[str, Any]) -> SaveOutcome:
        """Save in the owner's lane (after the chat messages already waiting there)."""
        lang = await self.language(ticket)
        work = lambda: self.drafts.save(ticket.project, data, lang)  # noqa: E731
        task, _ = self.parts.lanes.submit(ticket.owner, work, stoppable=False)
        return await task

    async def listen(self, ticket: EditTicket, data: dict[str, Any]) -> str:
        """One line spoken with its voice, speed and the owner's fixes: the clip's name, or
        "error:" and why."""
        lang = await self.language(ticket)
        try:
            voice, text, speed = self._line(data)
            user = await self.parts.sessions.lexicon(ticket.owner)
            lexicon = operator_lexicon(self.parts.settings).merged(user)
            settings = self.parts.settings  # the renders' speech cache: what one said, both have
            synth = with_cache(listen_synthesizer(), settings)
            folder = self.folder / "listen"
            path = await asyncio.to_thread(speak_line, synth, text, voice, speed, lexicon, folder)
        except VoiceoverError as err:
            return "error:" + err.message(lang)
        return path.stem

    def _line(self, data: dict[str, Any]) -> tuple[VoiceInfo, str, float]:
        text = " ".join(str(data.get("text") or "").split())[:MAX_LINE_CHARS]
        if not text:
            raise VoiceoverError(ErrorCode.EMPTY_SCRIPT)
        check_word_lengths(text)
        voices = {v.id: v for v in self.parts.backend.voices()}
        wanted = str(data.get("voice") or self.parts.settings.default_voice)
        if wanted not in voices:
            raise VoiceoverError(ErrorCode.VOICE_NOT_INSTALLED, voice=wanted)
        try:
            speed = float(data.get("speed") or 1.0)
        except (TypeError, ValueError):
            speed = -1.0
        return voices[wanted], text, check_range("speed", speed, SPEED_RANGE)

    def clip_path(self, name: str) -> Path | None:
        """A spoken line's file, if there is one by that name."""
        path = self.folder / "listen" / f"{name}.wav"
        return path if CLIP.fullmatch(name) and path.is_file() else None

    def preview_path(self, ticket: EditTicket) -> Path:
        """Where the owner's page preview is kept."""
        return self.folder / "previews" / f"{owner_digest(ticket.owner)}.mp4"

    async def preview(self, ticket: EditTicket) -> str:
        """Make the preview of the saved draft ("" when made, else why not)."""
        out = self.preview_path(ticket)
        out.parent.mkdir(parents=True, exist_ok=True)
        fixes = (await self.parts.sessions.lexicon(ticket.owner)).to_pairs()
        try:
            await self.parts.backend.preview(ticket.project, out, fixes)
        except VoiceoverError as err:
            return err.message(await self.language(ticket))
        return ""

    async def video(self, ticket: EditTicket) -> web.StreamResponse:
        """The project's picture, streamed (Range requests work), or 404."""
        project = await self.drafts.project(ticket.project)
        media = (project.media if project else None) or {}
        key = media.get("key")
        if not key:
            return web.Response(status=404, text="no video")
        url = self.parts.media.presigned_url(key, str(media.get("name") or "video"))
        if url:
            raise web.HTTPFound(url)
        async with self.parts.media.local_path(key) as path:
            return web.FileResponse(path, headers={"Cache-Control": "private, no-store"})

    async def shot(self, ticket: EditTicket, n: str) -> Path | None:
        """A small picture of the video at the start of its shot n (made once)."""
        project = await self.drafts.project(ticket.project)
        media = (project.media or {}) if project else {}
        cuts = [0.0, *(float(c) for c in media.get("shots") or ())]
        if not n.isdigit() or int(n) >= len(cuts) or not media.get("key"):
            return None
        folder = self.folder / "shots"
        timeout = self.parts.settings.ffmpeg_timeout_s
        async with self.parts.media.local_path(str(media["key"])) as path:
            return await asyncio.to_thread(
                shot_picture, path, cuts[int(n)], folder, str(media["key"]), timeout
            )

    async def render(self, ticket: EditTicket) -> dict[str, Any]:
        """ "export" in the owner's lane, in the link's chat: the job it made (or resent), and
        what the chat was told."""
        lang = await self.language(ticket)
        chat = self.parts.chats.for_chat(ticket.platform, ticket.chat_id, ticket.reply_context)
        if chat is None:
            return {"error": edit_text("no_chat", lang)}
        incoming = Incoming(
            platform=ticket.platform,
            user_id=ticket.user_id,
            chat_id=ticket.chat_id,
            message_id=f"edit:{secrets.token_hex(8)}",
            text="export",
            language=ticket.language,
            reply_context=ticket.reply_context,
        )
        tee = TeeChat(chat)
        await self.parts.accept(incoming, tee)
        session = await self.parts.sessions.current(ticket.owner)
        job_id = str(session["last_job"] or "") if session else ""
        return {"job": job_id, "said": tee.lines, "refused": tee.refused}

    async def job(self, ticket: EditTicket, job_id: str) -> dict[str, Any]:
        """A render's progress; when done, its player's address."""
        lang = await self.language(ticket)
        job = await self.parts.get_job(job_id) if re.fullmatch(r"[0-9a-f]{32}", job_id) else None
        if job is None or job.owner != ticket.owner:
            return {"status": "none"}
        body: dict[str, Any] = {
            "status": str(job.status),
            "stage": stage_label(job.stage, lang) if job.stage else "",
            "percent": round(job.progress),
            "ended": job.status in ENDED,
        }
        if job.status is JobStatus.DONE and job.output:
            body["video"] = self.parts.signer.url(job.id, job.owner) + "&play=1"
            body["message"] = edit_text("done", lang)
        elif job.status in (JobStatus.FAILED, JobStatus.CANCELLED):
            error = from_record(job.error, ErrorCode.RENDER_FAILED)
            body["message"] = edit_text("failed", lang, reason=error.message(lang))
        return body
