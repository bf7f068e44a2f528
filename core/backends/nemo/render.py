"""NemoVideo exports: the draft check, submit (a new id and one retry), polling, one export per
session at a time, one resubmission of a render that failed, and the fallback download."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from core.backends.base import Draft, RenderHandle, RenderState, RenderStatus
from core.backends.nemo.client import ErrorTranslator, NemoApiError, NemoClient
from core.backends.nemo.sessions import SessionBook
from core.errors import ErrorCode, VoiceoverError
from core.words.timeline import draft_ready

log = logging.getLogger(__name__)

RENDER_PATH = "/api/render/proxy/lambda"
RENDER_OUTPUT = {"format": "mp4", "quality": "high"}
RENDER_STATES: dict[str, RenderState] = {
    "pending": RenderState.PENDING,
    "queued": RenderState.PENDING,
    "processing": RenderState.PROCESSING,
    "rendering": RenderState.PROCESSING,
    "running": RenderState.PROCESSING,
    "completed": RenderState.COMPLETED,
    "succeeded": RenderState.COMPLETED,
    "done": RenderState.COMPLETED,
    "failed": RenderState.FAILED,
    "error": RenderState.FAILED,
}
# Submit errors the error table names: reported at once (any other gets one retry).
NAMED_SUBMIT_ERRORS = frozenset({400, 402, 429, 1001, 1002, 2001})
EXPORT_LOCK_S = 20 * 60  # a session's export slot frees itself if nobody polls to the end
DOWNLOAD_TIMEOUT = httpx.Timeout(120.0, connect=10.0)
MAX_DOWNLOAD_BYTES = 2_000_000_000


def _number(info: dict[str, Any], key: str) -> float:
    value = info.get(key)
    return float(value) if isinstance(value, int | float) else 0.0


def _percent(info: dict[str, Any]) -> float:
    value = _number(info, "progress") or _number(info, "percent")
    return max(0.0, min(100.0, value * 100 if 0 < value < 1 else value))


def _prune(folder: Path, keep_s: float) -> None:
    """Create the download folder; delete downloads older than the retention time."""
    folder.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - keep_s
    for old in folder.iterdir():
        if old.is_file() and old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)


class NemoRenders:
    """Exports of one backend: in-flight slots per session and retried render ids.

    `read_draft` reads a session's draft (replacing an expired session), `downloads` is where
    renders without a public URL are fetched to and kept for `keep_s`.
    """

    def __init__(
        self,
        client: NemoClient,
        book: SessionBook,
        *,
        read_draft: Callable[[str], Awaitable[Draft]],
        translate_error: ErrorTranslator,
        max_polls: int,
        downloads: Path,
        keep_s: float,
    ) -> None:
        self.client = client
        self.book = book
        self.read_draft = read_draft
        self.translate_error = translate_error
        self.max_polls = max_polls
        self.downloads = downloads
        self.keep_s = keep_s
        self.in_flight: dict[str, float] = {}  # session → when its export started
        self.retried: dict[str, str] = {}  # first render id → the resubmission's id
        self.polls: dict[str, int] = {}
        self.drafts: dict[str, Draft] = {}  # render id → the draft it renders (for a retry)
        self._last_stamp = 0

    def _busy(self, sid: str) -> bool:
        started = self.in_flight.get(sid)
        return started is not None and time.monotonic() - started < EXPORT_LOCK_S

    def _free(self, *session_ids: str) -> None:
        for sid in session_ids:
            self.in_flight.pop(sid, None)
            self.in_flight.pop(self.book.resolve(sid), None)

    def forget(self, handle: RenderHandle) -> None:
        """Stop tracking a render the user cancelled (it may still finish in the cloud)."""
        self._free(handle.session_id)
        self.polls.pop(handle.id, None)
        self.polls.pop(self.retried.pop(handle.id, handle.id), None)
        self.drafts.pop(handle.id, None)

    async def export(self, session_id: str, pinned: Draft | None = None) -> RenderHandle:
        """Check the draft (`pinned`, else the session's now), then submit it; one at a time."""
        sid = self.book.resolve(session_id)
        if self._busy(sid):
            raise VoiceoverError(ErrorCode.JOB_RUNNING)
        self.in_flight[sid] = time.monotonic()
        try:
            draft = pinned if pinned is not None else await self.read_draft(sid)
            live = self.book.resolve(sid)
            if not draft_ready(draft):
                raise VoiceoverError(ErrorCode.NOTHING_TO_RENDER)
            render_id = await self.submit(live, draft)
        except BaseException:
            self._free(sid)
            raise
        self.drafts[render_id] = draft
        self.in_flight[live] = self.in_flight.pop(sid, time.monotonic())
        return RenderHandle(id=render_id, session_id=live)

    def _new_id(self) -> str:
        self._last_stamp = max(int(time.time() * 1000), self._last_stamp + 1)
        return f"render_{self._last_stamp}"

    async def submit(self, sid: str, draft: Draft) -> str:
        """POST the render; on a failure that the error table doesn't name, a new id, once."""
        try:
            return await self._post(sid, draft)
        except NemoApiError as exc:
            if exc.code in NAMED_SUBMIT_ERRORS:
                raise await self.translate_error(exc, session=sid) from None
            log.info("NemoVideo render submit failed (%s); new id, one retry", exc.code)
        try:
            return await self._post(sid, draft)
        except NemoApiError as exc:
            raise await self.translate_error(exc, session=sid) from None

    async def _post(self, sid: str, draft: Draft) -> str:
        """Submit the draft under a new render id; returns the id."""
        render_id = self._new_id()
        body = {"id": render_id, "sessionId": sid, "draft": draft, "output": RENDER_OUTPUT}
        await self.client.call("POST", RENDER_PATH, json=body)
        return render_id

    async def _resubmit(self, handle: RenderHandle, reason: str) -> RenderStatus | None:
        """A render that failed is submitted again once, with a new id."""
        if handle.id in self.retried:
            return None
        log.info("NemoVideo render %s failed (%s); resubmitting once", handle.id, reason)
        try:
            draft = self.drafts.get(handle.id) or await self.read_draft(handle.session_id)
            live = self.book.resolve(handle.session_id)
            self.retried[handle.id] = await self.submit(live, draft)
        except VoiceoverError:
            return None
        self.polls[handle.id] = 0
        return RenderStatus(RenderState.PENDING, stage="render (second try)")

    async def poll(self, handle: RenderHandle) -> RenderStatus:
        """One GET of the render's status (following a resubmission's new id)."""
        render_id = self.retried.get(handle.id, handle.id)
        try:
            data = await self.client.call("GET", f"{RENDER_PATH}/{render_id}")
        except NemoApiError as exc:
            raise await self.translate_error(exc) from None
        info = data if isinstance(data, dict) else {}
        state = RENDER_STATES.get(str(info.get("status", "")).lower(), RenderState.PROCESSING)
        if state == RenderState.COMPLETED:
            self._free(handle.session_id)
            return await self._completed(render_id, info)
        if state == RenderState.FAILED:
            reason = str(info.get("error") or "the cloud render failed")[:120]
            again = await self._resubmit(handle, reason)
            if again is not None:
                return again
            self._free(handle.session_id)
            error = VoiceoverError(ErrorCode.RENDER_FAILED, reason=reason)
            return RenderStatus(RenderState.FAILED, error=error)
        self.polls[handle.id] = self.polls.get(handle.id, 0) + 1
        if self.polls[handle.id] > self.max_polls:
            self._free(handle.session_id)
            return RenderStatus(RenderState.FAILED, error=VoiceoverError(ErrorCode.TIMEOUT))
        return RenderStatus(state, percent=_percent(info), stage="render")

    async def _completed(self, render_id: str, info: dict[str, Any]) -> RenderStatus:
        found = info.get("output")
        output: dict[str, Any] = found if isinstance(found, dict) else {}
        url = output.get("url")
        path: Path | None = None
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            url, path = None, await self._download(render_id)  # needs our token: fetch it here
        return RenderStatus(
            RenderState.COMPLETED,
            percent=100.0,
            stage="render",
            path=path,
            url=url,
            duration_s=_number(output, "duration"),
            width=int(_number(output, "width")),
            height=int(_number(output, "height")),
            size_bytes=int(_number(output, "size")),
        )

    async def _download(self, render_id: str) -> Path:
        """GET /api/render/proxy/<id>/download into data_dir (streamed, capped, atomic)."""
        folder = self.downloads
        await asyncio.to_thread(_prune, folder, self.keep_s)
        final = folder / f"{render_id}.mp4"
        temp = folder / f".{render_id}.part"
        client = self.client
        headers = await client.auth_headers()
        url = client.url(f"/api/render/proxy/{render_id}/download")
        try:
            async with client.http.stream(
                "GET", url, headers=headers, timeout=DOWNLOAD_TIMEOUT
            ) as r:
                r.raise_for_status()
                with await asyncio.to_thread(temp.open, "wb") as sink:
                    written = 0
                    async for chunk in r.aiter_bytes(1 << 20):
                        written += len(chunk)
                        if written > MAX_DOWNLOAD_BYTES:
                            raise VoiceoverError(ErrorCode.RENDER_FAILED, reason="file too large")
                        await asyncio.to_thread(sink.write, chunk)
            await asyncio.to_thread(temp.replace, final)
        except httpx.HTTPError:
            raise VoiceoverError(ErrorCode.RENDER_FAILED, reason="the download failed") from None
        finally:
            await asyncio.to_thread(temp.unlink, True)  # gone already after the rename
        return final
