"""A message being handled (its Turn), what the flows work with, and the acknowledgement of
slow work."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from core.backends.base import Backend
from core.chat.api_keys import ApiKeys
from core.chat.sessions import Sessions
from core.clock import Clock
from core.config import Settings
from core.delivery.links import LinkSigner
from core.engine.model import VoiceInfo
from core.jobs.control import JobControl
from core.jobs.heartbeat import HeartbeatTimings
from core.media.store import MediaStore
from core.ports import Chat, Incoming
from core.words.replies import reply
from core.work.chats import ChatDirectory

T = TypeVar("T")
ACK_AFTER_S = 0.8  # work slower than this is announced first ("📥 Receiving…")


@dataclass
class Turn:
    """One message being handled: what came in, the chat to answer, who, which language."""

    incoming: Incoming
    chat: Chat
    owner: str
    lang: str
    preempted: int = 0  # earlier messages a /cancel stopped before it ran
    # The job this turn may create: its id (chosen by the caller, e.g. the HTTP API, or new),
    # its kind, and whether it replaces the owner's queued jobs of that kind (a chat's does).
    job_id: str = ""
    job_created: float | None = None  # when its job was asked for (None: now)
    job_kind: str = "render"
    supersede: bool = True

    async def say(self, key: str, **fields: Any) -> None:
        """Say a reply from the table."""
        await self.chat.say(reply(key, self.lang, **fields))


class EditLinks(Protocol):
    """Links to a project's edit page (core/web/edit_links.py's EditTickets)."""

    async def issue(self, incoming: Incoming, owner: str, project: str, language: str) -> str:
        """A link only this owner can open, to this project's edit page."""
        ...


class UploadLinks(Protocol):
    """Upload links for files too big for the chat (core/web/uploads.py's UploadDesk)."""

    async def issue(self, incoming: Incoming, owner: str, caption: str, language: str) -> str:
        """A link only this owner can upload to; what arrives comes in as if sent here."""
        ...


@dataclass
class FlowDeps:
    """What the flows work with, passed in (nothing reaches back into the service)."""

    settings: Settings
    clock: Clock
    backend: Backend
    sessions: Sessions
    queue: JobControl
    chats: ChatDirectory
    signer: LinkSigner
    media: MediaStore
    uploads: UploadLinks | None = None  # upload links (None: "send the file here")
    api_keys: ApiKeys | None = None  # /apikey (None: no HTTP API here)
    timings: HeartbeatTimings = HeartbeatTimings()  # the settings' (core/wiring.py)
    edits: EditLinks | None = None  # edit-page links (None: no edit page here)


async def ack_if_slow(ctx: Turn, work: Awaitable[T], key: str, **fields: Any) -> T:
    """Await work; if it takes longer than a moment, tell the user it's under way first."""
    task = asyncio.ensure_future(work)
    try:
        done, _ = await asyncio.wait({task}, timeout=ACK_AFTER_S)
        if not done:
            with contextlib.suppress(Exception):
                await ctx.say(key, **fields)
        return await task
    finally:
        if not task.done():  # we were cancelled (a /cancel): the work stops with us
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


def installed_voices(backend: Backend) -> list[VoiceInfo]:
    """The backend's installed voices (none for a cloud backend)."""
    return list(backend.voices())
