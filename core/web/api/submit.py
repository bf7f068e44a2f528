"""An API job made the chats' way: the request becomes a message of its owner (in their lane),
handled by the same flows (upload, instructions, pin, hold credits, queue) with an ApiChat and
a project of its own; its job keeps the id the API chose."""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, replace
from pathlib import Path

from core.backends.local.instruction_rules import RULES
from core.chat.flows import Flows
from core.chat.lanes import Lanes
from core.chat.routing import Routed
from core.chat.sessions import Sessions
from core.chat.turn import FlowDeps, Turn
from core.errors import ErrorCode, VoiceoverError
from core.ports import Attachment, Fetch, Incoming
from core.web.api.chat import PLATFORM, ApiChat, RequestSessions
from core.web.api.models import FILE_FIELDS, JobFields
from core.words.option_text import args_to_text

JOB_KIND = "api_render"  # not superseded by the owner's chat renders (nor they by it)
OPTION_FIELDS = ("voice", "language", "gender", "speed", "captions", "aspect", "fit", "mix")
RULE_FIELDS = ("sync", "hold", "overrun")  # said with the instruction table's own example


def _phrase(field: str, value: str | None) -> str:
    """The instruction table's English example that sets `field` to `value` ('' for none, or
    for sync=auto, which every new API project has already)."""
    if value is None or (field, value) == ("sync", "auto"):
        return ""
    return next(r.say[0] for r in RULES if r.field == field and r.value == value and r.say[0])


@dataclass(frozen=True)
class StagedFile:
    """A file part of the request, already written to the media store's staging folder."""

    path: Path
    name: str
    size: int


@dataclass
class JobRequest:
    """What POST /api/v1/jobs asked for."""

    owner: str
    fields: JobFields
    files: dict[str, StagedFile]

    def check(self) -> None:
        """Refuse a request that names no picture or no script, or two of either."""
        media = ("media" in self.files) + (self.fields.media_url is not None)
        script = ("script" in self.files) + bool(self.fields.text and self.fields.text.strip())
        if media != 1:
            raise _invalid("send exactly one of media (a file) and media_url")
        if script != 1:
            raise _invalid("send exactly one of script (a file) and text")

    def instruction_text(self) -> str:
        """The options and the script as the message text the chats' parser reads."""
        args = {
            name: str(getattr(self.fields, name))
            for name in OPTION_FIELDS
            if getattr(self.fields, name) is not None
        }
        if self.fields.music_volume is not None:
            args["music_volume"] = str(round(self.fields.music_volume * 100))
        said = [_phrase(name, getattr(self.fields, name)) for name in RULE_FIELDS]
        if self.fields.text:
            args["script"] = self.fields.text
        head, _, script = args_to_text(args).partition("\n")
        head = ", ".join(p for p in (head if head != "voiceover" else "", *said) if p)
        return f"{head or 'voiceover'}\n{script}".strip() if script else head

    def attachments(self) -> tuple[Attachment, ...]:
        """The files (and the media link) as a message's attachments, picture first."""
        found = []
        if self.fields.media_url:
            name = self.fields.media_url.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
            found.append(Attachment(name=name or "download", url=self.fields.media_url))
        for part, role in FILE_FIELDS.items():
            staged = self.files.get(part)
            if staged is not None:
                fetch = _move_from(staged.path)
                found.append(Attachment(staged.name, staged.size, fetch=fetch, role=role))
        return tuple(found)


def _invalid(reason: str) -> VoiceoverError:
    return VoiceoverError(ErrorCode.REQUEST_INVALID, reason=reason)


def _move_from(staged: Path) -> Fetch:
    """A Fetch that moves a staged file into place (same folder: a rename, no copy)."""

    async def fetch(dest: Path, max_bytes: int) -> None:
        """Move the staged file to dest."""
        await asyncio.to_thread(os.replace, staged, dest)

    return fetch


async def account_language(sessions: Sessions, owner: str) -> str:
    """The account's reply language: chosen in a chat, else heard there, else English."""
    return await sessions.language(owner) or await sessions.heard_language(owner) or "en"


class JobSubmitter:
    """Runs API requests through the chats' flows (each in its owner's lane)."""

    def __init__(self, deps: FlowDeps, lanes: Lanes) -> None:
        self.deps = deps
        self.lanes = lanes

    async def language(self, owner: str) -> str:
        """The account's reply language: chosen in a chat, else heard there, else English."""
        return await account_language(self.deps.sessions, owner)

    async def run(
        self, request: JobRequest, job_id: str, language: str, created: float | None = None
    ) -> None:
        """Make job `job_id` from the request, in the owner's lane (core/web/api/accepted.py
        puts it there); VoiceoverError when it is refused."""
        text = request.instruction_text()
        incoming = Incoming(
            platform=PLATFORM,
            user_id=request.owner,
            chat_id=job_id,
            message_id=job_id,
            text=text,
            command="voiceover",
            attachments=request.attachments(),
            language=language,
        )
        chat = ApiChat()
        turn = Turn(incoming, chat, request.owner, language)
        turn.job_id, turn.job_kind, turn.supersede = job_id, JOB_KIND, False
        turn.job_created = created  # the job keeps the time its POST was accepted
        sessions = RequestSessions(self.deps.sessions)
        flows = Flows(replace(self.deps, sessions=sessions, uploads=None))
        try:
            created = await flows.run(turn, Routed("voiceover", rest=text))
        finally:
            for staged in request.files.values():
                staged.path.unlink(missing_ok=True)  # taken in, or refused: nothing stays
        if not created:
            raise _invalid(chat.last or "nothing to render")
