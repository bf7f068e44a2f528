"""The local backend's renders: a store row each, the engine in a thread, progress in memory.

Cancel is a flag checked in the engine's progress callback; a render's frozen credits are settled
when it succeeds and released when it fails or is cancelled.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.backends.base import RenderState, RenderStatus
from core.backends.local.credits import Ledger
from core.backends.local.project import Project, estimate_narration_s, narration_seconds
from core.backends.local.render_files import forget_stale, remove_unkept
from core.config import Settings
from core.disk import disk_full_of, need_space, render_needs
from core.engine.model import RenderRequest, RenderResult
from core.engine.render import render
from core.engine.speech_cache import speech_cache
from core.errors import ErrorCode, VoiceoverError, from_record, to_record
from core.failpoints import stage_point
from core.media.store import MediaStore
from core.progressbar import overall_percent
from core.store import Store, dumps, loads
from core.words.notes import Note
from core.words.sync import holds_of

log = logging.getLogger(__name__)


class RenderCancelled(Exception):
    """Raised inside the render thread's progress callback when the user cancelled."""


@dataclass
class Running:
    """A render in this process: its progress, its stop flag, its task."""

    owner: str
    ref: str = ""  # whose credits: the job's id (or the render's own)
    stage: str = "probe"
    percent: float = 0.0
    stop: threading.Event = field(default_factory=threading.Event)
    task: asyncio.Task[None] | None = None

    def progress(self, stage: str, percent: float) -> None:
        """The engine's progress callback (render thread): record it, or stop if cancelled."""
        if self.stop.is_set():
            raise RenderCancelled()
        stage_point(stage)  # the crash tests stop a render here (or hold it while they look)
        self.stage, self.percent = stage, overall_percent(stage, percent)


class LocalRenders:
    """Renders of one local backend: started, polled, cancelled; outputs under `folder`."""

    def __init__(
        self, store: Store, ledger: Ledger, settings: Settings, folder: Path, media: MediaStore
    ) -> None:
        self.store = store
        self.ledger = ledger
        self.settings = settings
        self.folder = folder
        self.media = media
        self.running: dict[str, Running] = {}
        self.finishing: set[str] = set()  # completed renders being settled and recorded
        self.stopping: set[asyncio.Task[None]] = set()  # cancelled renders' tasks, still ending

    async def drop_stale(self) -> None:
        """Renders left unfinished by a previous process failed: release and forget them."""
        stale = await self.store.fetchall(
            "SELECT id, owner, ref, out FROM renders WHERE state IN (?,?)",
            (RenderState.PENDING, RenderState.PROCESSING),
        )
        for row in stale:
            if row["id"] not in self.running:  # unknown now: the job layer renders again
                if row["ref"] in (None, row["id"]):  # not a job's credits: those wait for it
                    await self.ledger.release(row["owner"], row["id"])
                await forget_stale(self.store, row["id"], Path(row["out"]))

    async def sweep_unkept(self, keep: set[str]) -> int:
        """Delete finished job renders' files no job in `keep` refers to (render_files.py)."""
        return await remove_unkept(self.store, self.folder, keep, self.running, self.finishing)

    async def start(self, project: Project, price: int, ref: str | None) -> str:
        """Freeze `price` (once per `ref`) and render the project in a thread; its render id."""
        render_id = secrets.token_hex(16)
        out = self.folder / f"{render_id}.mp4"
        out.parent.mkdir(parents=True, exist_ok=True)
        ref = ref or render_id
        row = (render_id, project.id, project.owner, RenderState.PROCESSING, str(out))
        async with self.store.transaction() as db:  # the hold and its render: one commit
            await self.ledger.freeze_in(db, project.owner, ref, price)
            await db.execute(
                "INSERT INTO renders(id, project_id, owner, state, out, created, ref)"
                " VALUES (?,?,?,?,?,?,?)",
                (*row, time.time(), ref),
            )
        running = Running(project.owner, ref=ref)
        self.running[render_id] = running
        running.task = asyncio.create_task(self._run(render_id, project, out, running))
        return render_id

    async def _run(self, render_id: str, project: Project, out: Path, run: Running) -> None:
        try:
            result = await self._render(project, out, run)
        except RenderCancelled:
            return
        except VoiceoverError as err:
            if not run.stop.is_set():  # a cancel recorded its end already
                await self._fail(render_id, run, disk_full_of(err, "render") or err)
            return
        except Exception as exc:
            if run.stop.is_set():
                return
            full = disk_full_of(exc, "render")  # one log line, no traceback
            if full is None:
                log.exception("render %s crashed", render_id)
            crashed = full or VoiceoverError(ErrorCode.RENDER_FAILED, reason=type(exc).__name__)
            await self._fail(render_id, run, crashed)
            return
        finally:
            self.running.pop(render_id, None)
        if run.stop.is_set():
            return
        self.finishing.add(render_id)  # past the last stop: a cancel now finds it finished
        try:
            await self._complete(render_id, project, run, out, result)
        finally:
            self.finishing.discard(render_id)

    async def _complete(
        self, render_id: str, project: Project, run: Running, out: Path, result: RenderResult
    ) -> None:
        spoken = narration_seconds(result)
        await self.ledger.settle(run.owner, run.ref, spoken)
        size = result.size_bytes or await asyncio.to_thread(os.path.getsize, out)
        synced = sync_record(result)
        summary = {
            "narration_s": spoken,
            "duration_s": result.duration_s,
            "width": result.width,
            "height": result.height,
            "size_bytes": size,
            "warning": result.warning.to_record() if result.warning else None,
            "voices": list(dict.fromkeys(s.voice for s in result.segments if s.voice)),
            "sync": synced,
        }
        await self._finish(render_id, RenderState.COMPLETED, result=summary)
        await self._remember_holds(project, synced)

    async def _remember_holds(self, project: Project, sync: dict[str, Any] | None) -> None:
        """The holds of the latest render kept with the project's video (for its timeline), if
        the project still has the video the render used (never over a newer upload)."""
        row = await self.store.fetchone("SELECT media FROM projects WHERE id=?", (project.id,))
        if row is None or row["media"] is None or project.media is None:
            return
        media = loads(row["media"])
        same = ("name", "duration_s", "shots")
        if not isinstance(media, dict) or any(media.get(k) != project.media.get(k) for k in same):
            return
        holds = (sync or {}).get("holds") or []
        await self.store.execute(  # only if the row did not change meanwhile
            "UPDATE projects SET media=? WHERE id=? AND media=?",
            (dumps({**media, "holds": holds}), project.id, row["media"]),
        )

    async def _render(self, project: Project, out: Path, run: Running) -> RenderResult:
        """The engine on the project's files, each a local file of its media key meanwhile."""
        try:
            return await self._render_files(project, out, run)
        except FileNotFoundError:  # the store lost an input (a disk cleaned by hand, say)
            raise VoiceoverError(ErrorCode.RENDER_FAILED, reason="an input file is gone") from None

    async def _render_files(self, project: Project, out: Path, run: Running) -> RenderResult:
        await self._check_space(project, out)
        async with contextlib.AsyncExitStack() as files:
            request = await render_request(project, self.media, out, files)
            return await asyncio.to_thread(render, request, self.settings, run.progress)

    async def _check_space(self, project: Project, out: Path) -> None:
        """DISK_FULL before any work when the output, the render's temporary files (and the
        inputs, when the store downloads them) would leave less than the reserve free."""
        sizes = [
            await self.media.size(entry["key"]) or 0
            for entry in project.files().values()
            if "key" in entry
        ]
        lengths = [float(e.get("duration_s") or 0) for e in project.files().values()]
        seconds = max([estimate_narration_s(project), *lengths])
        fetched = self.media.staging() if self.media.fetches_to_read else None
        cache = speech_cache(self.settings)  # counted, and emptied first when short
        kept = cache.folder if cache is not None else None
        needs = render_needs(out.parent, sum(sizes), seconds, fetched, kept)
        reclaim = (cache.folder, cache.free_up) if cache is not None else None
        reserve = self.settings.disk_reserve_bytes
        await asyncio.to_thread(need_space, needs, reserve, "render", reclaim)

    async def _fail(self, render_id: str, run: Running, err: VoiceoverError) -> None:
        await self._finish(render_id, RenderState.FAILED, error=to_record(err))
        await self.ledger.release(run.owner, run.ref)

    async def _finish(self, render_id: str, state: RenderState, **values: Any) -> None:
        columns = {"state": str(state), "percent": 100.0 if state == "completed" else 0.0}
        columns.update({k: dumps(v) for k, v in values.items()})
        await self.store.update("renders", render_id, columns)

    async def status(self, render_id: str) -> RenderStatus:
        """Progress while running (from memory), then the stored outcome."""
        running = self.running.get(render_id)
        if running is not None:
            return RenderStatus(RenderState.PROCESSING, running.percent, running.stage)
        row = await self.store.fetchone("SELECT * FROM renders WHERE id=?", (render_id,))
        if row is None:
            raise VoiceoverError(ErrorCode.SESSION_NOT_FOUND)
        state = RenderState(row["state"])
        if state is RenderState.FAILED:
            error = from_record(loads(row["error"]), ErrorCode.RENDER_FAILED)
            return RenderStatus(state, error=error)
        if state is RenderState.COMPLETED:
            result = loads(row["result"], {})
            result["warning"] = Note.from_record(result.get("warning"))
            result["voices"] = tuple(result.get("voices") or ())
            return RenderStatus(state, 100.0, "done", path=Path(row["out"]), **result)
        return RenderStatus(state, row["percent"], row["stage"])

    async def cancel(self, render_id: str) -> None:
        """Stop a render (at its next progress step) and release its frozen credits."""
        if render_id in self.finishing:
            return  # it finished first: it is charged and will be delivered
        running = self.running.pop(render_id, None)
        row = await self.store.fetchone(
            "SELECT owner, state, ref FROM renders WHERE id=?", (render_id,)
        )
        if running is not None:
            running.stop.set()
            if running.task is not None and not running.task.done():
                self.stopping.add(running.task)  # stop_all waits for it (the store stays open)
                running.task.add_done_callback(self.stopping.discard)
        if row is not None and row["state"] in ("pending", "processing"):
            cancelled = to_record(VoiceoverError(ErrorCode.NOTHING_TO_CANCEL))
            await self._finish(render_id, RenderState.FAILED, error=cancelled)
            await self.ledger.release(row["owner"], row["ref"] or render_id)

    async def stop_all(self) -> None:
        """Stop every render in flight and wait for their tasks."""
        for running in list(self.running.values()):
            running.stop.set()
            if running.task is not None:
                running.task.cancel()
                with contextlib.suppress(BaseException):
                    await running.task
        self.running.clear()
        await asyncio.gather(*self.stopping, return_exceptions=True)


async def render_request(
    project: Project, media: MediaStore, out: Path, files: contextlib.AsyncExitStack
) -> RenderRequest:
    """The engine's request for the project, each input a local file of its media key for as
    long as `files` is open."""
    paths = {
        role: await files.enter_async_context(media.local_path(entry["key"]))
        if "key" in entry
        else Path(entry["path"])  # recorded before the media store
        for role, entry in project.files().items()
    }
    return RenderRequest(
        out=out,
        media=paths.get("media"),
        script=project.script_obj,
        narration=paths.get("narration"),
        music=paths.get("music"),
        options=project.options,
        lexicon=project.lexicon,
        shots=media_shots(project.media),
    )


def sync_record(result: RenderResult) -> dict[str, Any] | None:
    """What a render laid on the shots says it did (None when it did not)."""
    if result.sync != "shots" or not result.shots:
        return None
    holds = holds_of(result.segments)
    return {"paragraphs": result.paragraphs, "shots": len(result.shots), "holds": holds}


def media_shots(entry: dict[str, Any] | None) -> tuple[float, ...] | None:
    """The cut times kept with a media entry, None when not (yet) known."""
    cuts = entry.get("shots") if entry else None
    return tuple(float(c) for c in cuts) if isinstance(cuts, list) else None
