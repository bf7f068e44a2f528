"""The edit page's reads and saves of a local project, one draft with the chat's: a save names
the version it was made on and is refused when the draft has changed since (the chat edited
it); a save is checked by the chat's rules and remembered for undo like a chat edit."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import Any, Protocol

from core.backends.local.history import History, Step
from core.backends.local.page_draft import page_view, read_page, speakers_for, version_of
from core.backends.local.project import Project, options_to_json, script_to_json
from core.engine.model import Limits, RenderOptions, Script, VoiceInfo
from core.engine.voice_plan import VoicePlan
from core.errors import ErrorCode, VoiceoverError
from core.store import Store
from core.words.edit_text import edit_text


class LocalProjects(Protocol):
    """What the page uses of the local backend."""

    store: Store
    history: History
    limits: Limits

    def voices(self) -> list[VoiceInfo]:
        """The installed voices."""
        ...

    def plan(self, script: Script, options: RenderOptions) -> VoicePlan:
        """Which voice reads each cue."""
        ...

    async def save(self, project: Project, **columns: Any) -> None:
        """Write columns of the project's row."""
        ...


@dataclass
class SaveOutcome:
    """A save's answer: saved (the new view), stale (the draft changed), or refused."""

    status: str  # "saved", "stale", "invalid"
    view: dict[str, Any] = field(default_factory=dict)
    message: str = ""
    line_errors: dict[int, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    option_errors: dict[str, str] = field(default_factory=dict)


class PageDrafts:
    """Loads and saves the page's view of a project of the local backend."""

    def __init__(self, backend: LocalProjects) -> None:
        self.backend = backend

    async def project(self, project_id: str) -> Project | None:
        """The project, or None when it is gone."""
        row = await self.backend.store.fetchone("SELECT * FROM projects WHERE id=?", (project_id,))
        return Project.from_row(row) if row is not None else None

    async def view(self, project: Project) -> dict[str, Any]:
        """The page's view: lines, options, version, the voice of each line."""
        plan = await asyncio.to_thread(self._plan, project)
        return page_view(project, plan)

    def _plan(self, project: Project) -> VoicePlan | None:
        if project.script_obj is None:
            return None
        with contextlib.suppress(VoiceoverError):  # refused at render time, in words
            return self.backend.plan(project.script_obj, project.options)
        return None

    async def save(self, project_id: str, data: dict[str, Any], lang: str) -> SaveOutcome:
        """Check and save a page's edit made on `data["version"]` (run in the owner's lane)."""
        project = await self.project(project_id)
        if project is None:
            raise VoiceoverError(ErrorCode.NO_PROJECT)
        if str(data.get("version") or "") != version_of(project):
            return SaveOutcome("stale", await self.view(project), edit_text("stale", lang))
        plan = await asyncio.to_thread(self._plan, project)
        voices = await asyncio.to_thread(self.backend.voices)
        main = plan.main.id if plan else ""
        edit = read_page(data, project, voices, self.backend.limits, lang, main)
        if edit.script is None:
            message = edit_text("invalid", lang)
            wrong = edit.line_errors, edit.errors, edit.option_errors
            return SaveOutcome("invalid", {}, message, *wrong)
        options = speakers_for(edit.script, edit.options)
        try:  # a line's voice that cannot read it is refused now, as a chat edit's would be
            await asyncio.to_thread(self.backend.plan, edit.script, options)
        except VoiceoverError as err:
            return SaveOutcome("invalid", {}, edit_text("invalid", lang), {}, [err.message(lang)])
        before = script_to_json(project.script_obj) if project.script_obj else None
        after = script_to_json(edit.script)
        if before != after or options != project.options:
            step = Step(options_to_json(project.options), before, edit_text("history", lang))
            await self.backend.history.push(project.id, step)
            await self.backend.save(project, options=options_to_json(options), script=after)
        saved = await self.project(project_id)
        assert saved is not None
        return SaveOutcome("saved", await self.view(saved), edit_text("saved", lang))
