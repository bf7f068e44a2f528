"""The NemoVideo cloud backend: sessions, uploads, streamed messages, state, credits, export.

Follows ../shared/notes/nemovideo-api.md. HTTP, token, retries: client.py; the streamed turn
(SSE, recovery, silent edits): turn.py; exports: render.py; error codes: errors.py; what is
kept on disk: sessions.py. Each is handed the client and the backend functions it calls.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import httpx

from core.backends.base import (
    BackendEvent,
    Credits,
    Draft,
    Pinned,
    RenderHandle,
    RenderState,
    RenderStatus,
    StoredFile,
    UploadResult,
)
from core.backends.nemo.client import NemoApiError, NemoClient
from core.backends.nemo.errors import NemoErrors, as_int
from core.backends.nemo.render import NemoRenders
from core.backends.nemo.sessions import SessionBook, SessionInfo
from core.backends.nemo.timings import NemoTimings
from core.backends.nemo.turn import Turn
from core.backends.nemo.upload import prepare_upload
from core.clock import Clock, MonotonicClock
from core.config import Settings
from core.engine.model import RenderResult, VoiceInfo
from core.errors import ErrorCode, VoiceoverError
from core.media.local import LocalMediaStore
from core.media.store import MediaStore
from core.uninterrupted import uninterrupted

log = logging.getLogger(__name__)
T = TypeVar("T")

APP = "nemo_agent"
CLAIM_TTL_S = 6 * 24 * 3600  # claim tokens last 7 days; refresh a day early


class NemoBackend:
    """Backend protocol over the NemoVideo API."""

    name = "nemo"
    speaks_lexicon = False
    can_preview = False  # the cloud renders only whole exports
    can_grant = False  # its credits are the cloud account's

    def __init__(
        self,
        settings: Settings,
        *,
        http: httpx.AsyncClient | None = None,
        timings: NemoTimings | None = None,
        media: MediaStore | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock or MonotonicClock()  # a turn's deadlines and waits
        self.media = media or LocalMediaStore(settings.data_dir)
        self.timings = timings or NemoTimings()
        self.web = settings.nemo_web_url.rstrip("/")
        self._own_http = http is None
        self.http = http or httpx.AsyncClient(timeout=httpx.Timeout(60.0, connect=10.0))
        self.client = NemoClient(
            settings, self.http, rate_limit_wait_s=self.timings.rate_limit_wait_s
        )
        self.book = SessionBook(settings.data_dir)
        self.user_error = NemoErrors(self.client, self.book, self.web).translate
        self._session_lock = asyncio.Lock()
        self.renders = NemoRenders(
            self.client,
            self.book,
            read_draft=self.state,
            translate_error=self.user_error,
            max_polls=self.timings.max_render_polls,
            downloads=settings.data_dir / "nemo_renders",
            keep_s=settings.result_retention_hours * 3600,
        )
        self.poll_interval_s = settings.nemo_poll_interval_s  # read by the core's render job
        self._claims: dict[str, tuple[str, float]] = {}
        self.pending_scripts: dict[str, str] = {}  # session → script text for the next message

    # Sessions -------------------------------------------------------------------------------
    async def open_session(self, owner: str, language: str) -> str:
        """A new project session for the owner (the chat core keeps which one is current)."""
        async with self._session_lock:
            return (await self._create_session(owner, language)).session_id

    async def _create_session(
        self, owner: str, language: str, replaces: str | None = None
    ) -> SessionInfo:
        body = {"task_name": "project", "language": language or "en"}
        try:
            data = await self.client.call("POST", f"/api/tasks/me/with-session/{APP}", json=body)
        except NemoApiError as exc:
            raise await self.user_error(exc) from None
        data = data if isinstance(data, dict) else {}
        session_id = str(data.get("session_id") or "")
        if not session_id:
            raise VoiceoverError(ErrorCode.BACKEND_UNAVAILABLE)
        bind = data.get("bind_id") or data.get("user_id") or ""
        info = SessionInfo(session_id, str(data.get("task_id") or ""), owner, language, str(bind))
        await self.book.add(info, replaces=replaces)
        log.info("NemoVideo: new session for %s", owner)
        return info

    async def replace_session(self, session_id: str) -> str:
        """After a 1002: a new session for the same owner, used in place of the old id."""
        async with self._session_lock:
            live = self.book.resolve(session_id)
            if live != session_id:
                return live  # someone already replaced it
            old = self.book.info(session_id)
            info = await self._create_session(old.owner, old.language, replaces=session_id)
            return info.session_id

    async def with_session(
        self, session_id: str, call: Callable[[str], Awaitable[T]], **ctx: Any
    ) -> T:
        """Run `call(live_session_id)`; on 1002 make a new session and retry once."""
        sid = self.book.resolve(session_id)
        try:
            return await call(sid)
        except NemoApiError as exc:
            if exc.code != ErrorCode.SESSION_NOT_FOUND:
                raise await self.user_error(exc, **ctx) from None
        sid = await self.replace_session(sid)
        try:
            return await call(sid)
        except NemoApiError as exc:
            raise await self.user_error(exc, **ctx) from None

    async def project_link(self, session_id: str) -> str | None:
        """A link that opens the project in the web app (claim token), or None."""
        info = self.book.info(session_id)
        cached = self._claims.get(info.session_id)
        if cached and cached[1] > time.monotonic():
            return cached[0]
        body = {"task_id": info.task_id, "session_id": info.session_id}
        try:
            data = await self.client.call("POST", "/api/auth/claim-token", json=body)
        except NemoApiError:
            return None
        claim = data.get("claim_token") if isinstance(data, dict) else None
        if not isinstance(claim, str) or not claim:
            return None
        link = str(httpx.URL(f"{self.web}/workspace/claim", params={"ct": claim}))
        self._claims[info.session_id] = (link, time.monotonic() + CLAIM_TTL_S)
        return link

    # Upload, state, credits -----------------------------------------------------------------
    async def upload(
        self, session_id: str, source: StoredFile | Path | str, name: str, role: str | None = None
    ) -> UploadResult:
        """Add a file (streamed multipart; a stored one is deleted after) or an http(s) URL."""
        if not isinstance(source, StoredFile):
            return await self._upload(session_id, source, name)
        try:
            async with self.media.local_path(source.key) as path:
                return await self._upload(session_id, path, name)
        finally:  # the cloud has it now (or refused it)
            await uninterrupted(self.media.delete(source.key))

    async def _upload(self, session_id: str, source: Path | str, name: str) -> UploadResult:
        plan = await prepare_upload(source, name, self.settings)
        if plan.script_text is not None:
            sid = self.book.resolve(session_id)
            self.pending_scripts[sid] = plan.script_text
            return plan.result

        async def post(sid: str) -> Any:
            path = f"/api/upload-video/{APP}/me/{sid}"
            return await self.client.call(
                "POST", path, timeouts=plan.timeouts, body=plan.body, **plan.request
            )

        await self.with_session(
            session_id, post, name=name, session=session_id, **plan.error_fields
        )
        return plan.result

    async def read_state(self, sid: str) -> dict[str, Any]:
        """The raw state of one live session id (draft, video_infos, …); raises NemoApiError."""
        data = await self.client.call("GET", f"/api/state/{APP}/me/{sid}/latest")
        state = data.get("state") if isinstance(data, dict) else None
        return state if isinstance(state, dict) else {}

    async def state(self, session_id: str) -> Draft:
        """The session's current draft ({} when nothing is on the timeline yet)."""
        state = await self.with_session(session_id, self.read_state, session=session_id)
        draft = state.get("draft")
        return draft if isinstance(draft, dict) else {}

    async def credits(self, owner: str) -> Credits:
        """The balance of the token in use (all chat users share it)."""
        try:
            data = await self.client.call("GET", "/api/credits/balance/simple")
        except NemoApiError as exc:
            raise await self.user_error(exc) from None
        data = data if isinstance(data, dict) else {}
        available, frozen = as_int(data.get("available")), as_int(data.get("frozen"))
        total = as_int(data.get("total")) if data.get("total") is not None else available + frozen
        return Credits(available=available, frozen=frozen, total=total)

    # Messages -------------------------------------------------------------------------------
    def send(self, session_id: str, text: str) -> AsyncIterator[BackendEvent]:
        """Send one message and stream the reply (never re-sent; see turn.py)."""
        sid = self.book.resolve(session_id)
        script = self.pending_scripts.pop(sid, None)
        if script is not None:
            text = f"{text}\n\nMy script:\n{script}"
        turn = Turn(
            sid,
            text,
            client=self.client,
            timings=self.timings,
            read_state=self.read_state,
            translate_error=self.user_error,
            replace_session=self.replace_session,
            read_credits=lambda: self.credits(""),
            language=self.book.info(sid).language,
            clock=self.clock,
        )
        return turn.events()

    # Export ---------------------------------------------------------------------------------
    async def snapshot(self, session_id: str) -> Pinned:
        """The draft now: the cloud renders the draft it is sent, so the job keeps it."""
        return Pinned(await self.state(session_id))

    async def reserve(self, owner: str, ref: str, pinned: Pinned) -> None:
        """Nothing to hold: the cloud account pays for its own work (export is free)."""

    async def release(self, owner: str, ref: str, pinned: Pinned) -> None:
        """Nothing held here."""

    async def export(
        self, session_id: str, pinned: Pinned | None = None, ref: str | None = None
    ) -> RenderHandle:
        """Check the draft, then render it (a new id and one retry on failure)."""
        return await self.renders.export(session_id, pinned.draft if pinned else None)

    async def render_status(self, handle: RenderHandle) -> RenderStatus:
        """Poll an export: progress, then the download URL (or the fallback download)."""
        status = await self.renders.poll(handle)
        if status.state is not RenderState.COMPLETED:
            return status
        return replace(status, project_url=await self.project_link(handle.session_id))

    async def cancel(self, handle: RenderHandle) -> None:
        """The cloud has no cancel call: stop tracking the render so a new export may start."""
        self.renders.forget(handle)

    async def settle(self, owner: str, ref: str, narration_s: float) -> None:
        """Nothing to charge here: the cloud charges its renders itself."""

    async def sweep_pins(self, keep: set[object]) -> int:
        """Nothing is pinned here: a job carries the cloud's draft."""
        return 0

    async def sweep_renders(self, keep: set[str]) -> int:
        """Nothing is kept here: the cloud holds its renders."""
        return 0

    async def set_language(self, session_id: str, language: str) -> None:
        """The cloud answers in the language of each message."""

    def voices(self) -> list[VoiceInfo]:
        """The cloud's voices are not ours to list."""
        return []

    async def grant(self, owner: str, amount: int, ref: str) -> Credits:
        """Not here (can_grant is False): credits are the cloud account's."""
        raise VoiceoverError(ErrorCode.NOT_ALLOWED)

    async def preview(
        self, session_id: str, out: Path, lexicon: list[list[str]] | None = None
    ) -> RenderResult:
        """Not here (can_preview is False)."""
        raise VoiceoverError(ErrorCode.BAD_REQUEST, reason="no preview in the cloud")

    async def aclose(self) -> None:
        """Close the shared HTTP client (when we made it)."""
        if self._own_http:
            await self.http.aclose()
