"""The local backend: projects in SQLite, files in per-user workspaces, renders by the engine."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from core.backends.base import (
    BackendEvent,
    Credits,
    Draft,
    EventKind,
    Pinned,
    RenderHandle,
    RenderStatus,
    StoredFile,
    UploadResult,
)
from core.backends.local.abandoned import free_abandoned
from core.backends.local.conversation import converse
from core.backends.local.credits import Ledger, price_for
from core.backends.local.file_intake import add_file, store_source
from core.backends.local.hearing import needs_speech, transcribe_project
from core.backends.local.history import History, Step
from core.backends.local.pins import pin_project, sweep_pins, unpin
from core.backends.local.preview import preview_project
from core.backends.local.project import (
    Project,
    build_draft,
    estimate_narration_s,
    options_to_json,
    script_to_json,
)
from core.backends.local.renders import LocalRenders
from core.backends.local.shot_finder import ShotFinder
from core.config import Settings
from core.engine.lexicon import Lexicon
from core.engine.model import Limits, RenderOptions, RenderResult, Script, VoiceInfo
from core.engine.tts import preload_voice
from core.engine.voice_plan import VoicePlan, plan_voices
from core.engine.voices import choose_voice, installed_voices
from core.errors import ErrorCode, VoiceoverError
from core.files import safe_name
from core.media.local import LocalMediaStore
from core.media.store import MediaStore
from core.store import Store, dumps
from core.uninterrupted import uninterrupted
from core.words.notes import Note

log = logging.getLogger(__name__)


class LocalBackend:
    """Backend over the embedded engine: projects here, renders in LocalRenders."""

    name = "local"
    speaks_lexicon = True
    can_preview = True
    can_grant = True
    poll_interval_s = 0.25

    def __init__(
        self, settings: Settings, store: Store | None = None, media: MediaStore | None = None
    ) -> None:
        self.settings = settings
        self.limits = Limits.from_settings(settings)
        self.store = store or Store(settings.data_dir / "local.db")
        self.media = media or LocalMediaStore(settings.data_dir)
        self.ledger = Ledger(self.store, settings)
        self.history = History(self.store)
        self.root = settings.data_dir / "local"
        renders = self.root / "renders"
        self.renders = LocalRenders(self.store, self.ledger, settings, renders, self.media)
        self.shots = ShotFinder(self.media, settings.ffmpeg_timeout_s, settings.data_dir)
        self._ready = False
        self._warm_up: asyncio.Task[None] | None = None
        self._opening = asyncio.Lock()

    async def _open(self) -> None:
        """Open the store; renders left unfinished by a previous process failed: release them."""
        async with self._opening:  # concurrent first messages must not open it twice
            if not self._ready:
                await self._open_once()

    async def _open_once(self) -> None:
        await self.store.open()
        self._ready = True
        self._warm_up = asyncio.create_task(asyncio.to_thread(self._preload_default_voice))
        await self.renders.drop_stale()

    def _preload_default_voice(self) -> None:
        """Load the default voice in the background so the first render does not wait."""
        try:
            voice, _ = choose_voice(self.voices(), default_id=self.settings.default_voice)
            preload_voice(voice, self.settings.tts_threads, self.settings.data_dir)
        except Exception:
            log.warning("could not preload the default voice", exc_info=True)

    def voices(self) -> list[VoiceInfo]:
        """The installed Piper voices."""
        return list(installed_voices(self.settings.voices_dir))

    async def open_session(self, owner: str, language: str) -> str:
        """A new project for owner; the files of the owner's earlier ones are freed."""
        await self._open()
        project_id = secrets.token_hex(16)
        await self.store.execute(
            "INSERT INTO projects(id, owner, language, options, created) VALUES (?,?,?,?,?)",
            (project_id, owner, language, dumps(asdict(RenderOptions())), time.time()),
        )
        await uninterrupted(free_abandoned(self.store, self.media, owner, project_id))
        return project_id

    async def set_language(self, session_id: str, language: str) -> None:
        """The language the project's summaries and notes are written in (after /language)."""
        await self.save(await self._project(session_id), language=language)

    async def _project(self, session_id: str) -> Project:
        await self._open()
        row = await self.store.fetchone("SELECT * FROM projects WHERE id=?", (session_id,))
        if row is None:
            raise VoiceoverError(ErrorCode.SESSION_NOT_FOUND)
        return Project.from_row(row)

    async def save(self, project: Project, **columns: Any) -> None:
        """Write columns of the project's row (JSON unless a string or None)."""
        values = {
            k: dumps(v) if not isinstance(v, str) and v is not None else v
            for k, v in columns.items()
        }
        await self.store.update("projects", project.id, values)

    async def upload(
        self, session_id: str, source: StoredFile | Path | str, name: str, role: str | None = None
    ) -> UploadResult:
        """Add a file (stored, local, or fetched from a URL): a script is read, media probed."""
        project = await self._project(session_id)
        name = safe_name(name)
        key, name = await store_source(self, project.owner, source, name)
        try:
            return await add_file(self, project, key, name, role)
        except BaseException:
            await uninterrupted(self.media.delete(key))  # refused (or cancelled): not kept
            raise

    async def _keep_shots(self, session_id: str, key: str, cuts: list[float]) -> None:
        """The cuts found in the video at `key`, kept with it if it is still the project's."""
        project = await self._project(session_id)
        if project.media is not None and project.media.get("key") == key:
            await self.save(project, media={**project.media, "shots": cuts})

    async def send(self, session_id: str, text: str) -> AsyncIterator[BackendEvent]:
        """Read the message, say what it did (EDIT, HOLD or ASK: what follows), then DONE."""
        project = await self._project(session_id)
        for event in await converse(self, project, text):
            yield event
        yield BackendEvent(EventKind.DONE)

    async def voice_note(self, project: Project, after: RenderOptions) -> Note | None:
        """Refuse a voice or language no voice offers; a note when it is not quite the ask."""
        keys = ("voice", "language", "gender")
        if all(getattr(project.options, k) == getattr(after, k) for k in keys):
            return None
        voices = await asyncio.to_thread(self.voices)
        if project.script_obj is not None and not after.voice and not after.language:
            with contextlib.suppress(VoiceoverError):  # refused at reserve, with the script's
                plan = await asyncio.to_thread(
                    plan_voices, project.script_obj, voices, after, self.settings.default_voice
                )
                return plan.note
        _, note = choose_voice(
            voices,
            voice_id=after.voice,
            language=after.language,
            gender=after.gender,
            default_id=self.settings.default_voice,
        )
        return note

    async def remember(self, project: Project, what: str) -> None:
        """Keep the draft as it is before a change, for undo."""
        script = script_to_json(project.script_obj) if project.script_obj else None
        await self.history.push(project.id, Step(options_to_json(project.options), script, what))

    async def state(self, session_id: str) -> Draft:
        """The project as a NemoVideo draft timeline; "h": its latest changes, newest first."""
        project = await self._project(session_id)
        return {**build_draft(project), "h": await self.history.recent(project.id)}

    async def credits(self, owner: str) -> Credits:
        """The owner's balance from the ledger."""
        await self._open()
        return await self.ledger.balance(owner)

    async def grant(self, owner: str, amount: int, ref: str) -> Credits:
        """An admin's grant."""
        await self._open()
        return await self.ledger.grant(owner, amount, ref)

    async def snapshot(self, session_id: str) -> Pinned:
        """The project now, its files (and its video's shots, waited for) pinned for a job."""
        project = await self._project(session_id)
        if project.media is not None and "shots" not in project.media:
            await self.shots.wait(project.media.get("key"))
            project = await self._project(session_id)
        return await pin_project(project, self.media)

    async def reserve(self, owner: str, ref: str, pinned: Pinned) -> None:
        """Refuse a language no voice speaks, then freeze the job's price (before queueing)."""
        await self._open()
        project = Project.from_payload(pinned.payload)
        if project.script_obj is not None and project.narration is None:
            await asyncio.to_thread(self._voice_for, project)
        await self.ledger.freeze(owner, ref, self._price(project))

    def _voice_for(self, project: Project) -> VoiceInfo:
        """The voice the render will use (the same plan: the script's languages, speakers)."""
        assert project.script_obj is not None
        return self.plan(project.script_obj, project.options).main

    def plan(self, script: Script, options: RenderOptions) -> VoicePlan:
        """Which voice reads each segment (NO_VOICE_FOR_LANGUAGE, SPEAKER_VOICE, …)."""
        return plan_voices(script, self.voices(), options, self.settings.default_voice)

    async def release(self, owner: str, ref: str, pinned: Pinned) -> None:
        """A job ended: its credits go back unless it was settled; its pins are deleted."""
        await self._open()
        await self.ledger.release(owner, ref)
        await unpin(pinned, self.media)

    async def settle(self, owner: str, ref: str, narration_s: float) -> None:
        """Charge a job rendered elsewhere (a worker) for the narration it produced."""
        await self._open()
        await self.ledger.settle(owner, ref, narration_s)

    async def sweep_pins(self, keep: set[object]) -> int:
        """Delete pin folders no waiting or running job refers to (left by a killed process)."""
        return await sweep_pins(self.media, keep)

    async def sweep_renders(self, keep: set[str]) -> int:
        """Delete finished renders' files no job in `keep` (handles) will move in."""
        await self._open()
        return await self.renders.sweep_unkept(keep)

    def _price(self, project: Project) -> int:
        return price_for(estimate_narration_s(project), self.settings.credits_per_minute)

    async def export(
        self, session_id: str, pinned: Pinned | None = None, ref: str | None = None
    ) -> RenderHandle:
        """Freeze the price (once per `ref`) and start rendering `pinned` in a thread."""
        if pinned is None:
            project = await self._project(session_id)
        else:
            await self._open()
            project = Project.from_payload(pinned.payload)
            project.lexicon = Lexicon.from_pairs(pinned.lexicon)
        if not needs_speech(project, project.options):  # a re-voice needs no script
            project.check_ready()
        render_id = await self.renders.start(project, self._price(project), ref)
        return RenderHandle(render_id, session_id)

    async def preview(
        self, session_id: str, out: Path, lexicon: list[list[str]] | None = None
    ) -> RenderResult:
        """A quick proof of the project's first seconds (with the user's lexicon) in `out`."""
        project = await self._project(session_id)
        project.lexicon = Lexicon.from_pairs(lexicon)
        return await preview_project(project, self.media, self.settings, out)

    async def transcribe(self, session_id: str, folder: Path) -> dict[str, Any]:
        """The project's video transcribed into an SRT in `folder` (a summary); free."""
        project = await self._project(session_id)
        return await transcribe_project(project, self.media, self.settings, folder)

    async def render_status(self, handle: RenderHandle) -> RenderStatus:
        """Progress while running (from memory), then the stored outcome."""
        await self._open()
        return await self.renders.status(handle.id)

    async def cancel(self, handle: RenderHandle) -> None:
        """Stop a render (at its next progress step) and release its frozen credits."""
        await self._open()
        await self.renders.cancel(handle.id)

    async def aclose(self) -> None:
        """Stop renders in flight and close the store."""
        await self.renders.stop_all()
        await self.shots.aclose()
        if self._warm_up is not None:
            await self._warm_up  # a thread cannot be cancelled; it takes a few seconds at most
        await self.store.close()
        self._ready = False
