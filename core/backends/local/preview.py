"""A project's quick preview (core/engine/preview.py) on the media store's files; no credits."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from core.backends.local.project import Project
from core.backends.local.renders import render_request
from core.config import Settings
from core.disk import need_space, render_needs
from core.engine.model import RenderResult
from core.engine.preview import PREVIEW_S, render_preview
from core.media.store import MediaStore


async def preview_project(
    project: Project, media: MediaStore, settings: Settings, out: Path
) -> RenderResult:
    """Render the project's first seconds to `out` (the engine in a thread)."""
    project.check_ready()
    needs = render_needs(out.parent, 0, PREVIEW_S)  # DISK_FULL before any work when short
    await asyncio.to_thread(need_space, needs, settings.disk_reserve_bytes, "render")
    async with contextlib.AsyncExitStack() as files:
        request = await render_request(project, media, out, files)
        out.parent.mkdir(parents=True, exist_ok=True)
        return await asyncio.to_thread(render_preview, request, settings)
