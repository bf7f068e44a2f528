"""The result page a result link opens in a browser: a player (the MP4 streamed with Range
requests), a download button, length and size, the script, and the timeline picture."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from aiohttp import web

from core.errors import ErrorCode
from core.web.pages import page_texts, render
from core.words.errors import message_for
from core.words.numbers import human_duration, human_size
from core.words.text import is_zh
from core.words.timeline_picture import draw_timeline
from core.work.model import Job
from core.work.output import RenderOutput

GetJob = Callable[[str], Awaitable[Job | None]]


def script_text(job: Job) -> str:
    """The words the render read: the pinned script's cues, else the draft's excerpt."""
    cues = (job.inputs.get("payload") or {}).get("script")
    if isinstance(cues, list) and cues:
        return "\n".join(str(cue[0]) for cue in cues if isinstance(cue, list) and cue)
    for track in (job.inputs.get("draft") or {}).get("t") or []:
        for segment in track.get("sg") or []:
            meta = segment.get("m") or {}
            if meta.get("role") == "voiceover" and meta.get("text"):
                return str(meta["text"])
    return ""


class ResultPageMaker:
    """Result pages and timeline pictures (kept under `folder`, drawn once per job)."""

    def __init__(self, get_job: GetJob, folder: Path) -> None:
        self.get_job, self.folder = get_job, folder

    async def page(
        self, request: web.Request, job_id: str, where: Path | str
    ) -> web.StreamResponse:
        """The page for a valid link (its own query makes the player's and button's links; a
        result in an object store streams from its presigned URL)."""
        job = await self.get_job(job_id)
        output = RenderOutput.from_record(job.output if job else None)
        language = job.language if job else "en"
        query = urlencode({"e": request.query["e"], "s": request.query["s"]})
        size = output.size_bytes
        if not size and isinstance(where, Path):
            size = await asyncio.to_thread(_size, where)
        return render(
            "result.html",
            media_origin=_origin(where),
            t=page_texts(language),
            lang="zh" if is_zh(language) else "en",
            video=f"/r/{job_id}?{query}&play=1",
            download=f"/r/{job_id}?{query}&download=1",
            timeline=f"/r/{job_id}/timeline.png?{query}",
            length=human_duration(output.duration_s),
            size=human_size(size),
            script=script_text(job) if job else "",
        )

    async def timeline(self, job_id: str) -> Path | None:
        """The job's timeline picture, drawn from its pinned draft the first time."""
        out = self.folder / f"{job_id}.png"
        if await asyncio.to_thread(out.is_file):
            return out
        job = await self.get_job(job_id)
        if job is None:
            return None
        draft = job.inputs.get("draft")
        return await asyncio.to_thread(draw_timeline, draft, out, job.language)

    async def expire(self, age_s: float, now: float) -> int:
        """Remove timeline pictures older than `age_s` (their results are gone); how many."""
        return await asyncio.to_thread(_remove_older, self.folder, now - age_s)

    def refusal(self, status: int, verdict: ErrorCode) -> web.Response:
        """The refused link in words (English and Chinese: the page can't know whose it is)."""
        lines = [message_for(verdict, "en"), message_for(verdict, "zh")]
        title = page_texts("en")["link_title"]
        return render("message.html", status=status, t={}, lang="en", title=title, lines=lines)


def _remove_older(folder: Path, before: float) -> int:
    removed = 0
    for picture in sorted(folder.glob("*.png")) if folder.is_dir() else []:
        with contextlib.suppress(OSError):
            if picture.stat().st_mtime < before:
                picture.unlink()
                removed += 1
    return removed


def _size(path: Path) -> int:
    return path.stat().st_size


def _origin(where: Path | str) -> str:
    """The scheme://host[:port] of a presigned URL; "" for a local file."""
    if isinstance(where, Path):
        return ""
    parts = urlsplit(where)
    return f"{parts.scheme}://{parts.netloc}"
