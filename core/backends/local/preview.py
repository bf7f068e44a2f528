"""A project's quick preview (core/engine/preview.py) on the media store's files; no credits."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from core.backends.local.project import Project
from core.config import Settings
from core.engine.model import RenderRequest, RenderResult
from core.engine.preview import render_preview
from core.errors import ErrorCode, VoiceoverError
from core.media.store import MediaStore


async def preview_project(
    project: Project, media: MediaStore, settings: Settings, out: Path
) -> RenderResult:
    """Render the project's first seconds to `out` (the engine in a thread)."""
    if project.script_obj is None and project.narration is None:
        raise VoiceoverError(ErrorCode.NOTHING_TO_RENDER)
    async with contextlib.AsyncExitStack() as files:
        paths = {
            role: await files.enter_async_context(media.local_path(entry["key"]))
            if "key" in entry
            else Path(entry["path"])
            for role, entry in project.files().items()
        }
        request = RenderRequest(
            out=out,
            media=paths.get("media"),
            script=project.script_obj,
            narration=paths.get("narration"),
            music=paths.get("music"),
            options=project.options,
        )
        out.parent.mkdir(parents=True, exist_ok=True)
        return await asyncio.to_thread(render_preview, request, settings)
