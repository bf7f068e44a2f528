"""The local backend hearing a project's video: its transcript as an SRT, and the language check
run when a message first asks for something that needs the speech (re-voice, captions from
speech), so speech the model can't understand is refused before any credits are frozen."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from core.backends.local.project import Project
from core.config import Settings
from core.engine.model import RenderOptions, RenderRequest
from core.engine.transcribe import check_language, probe_speech_media, transcribe_file
from core.errors import ErrorCode, VoiceoverError
from core.media.store import MediaStore


def needs_speech(project: Project, options: RenderOptions) -> bool:
    """Whether rendering the project with these options hears the video's speech."""
    request = RenderRequest(
        out=Path("unused"),
        media=Path("video") if project.media else None,
        script=project.script_obj,
        narration=Path("own") if project.narration else None,
        options=options,
    )
    return request.hears_speech


async def check_speech(
    project: Project, after: RenderOptions, media: MediaStore, settings: Settings
) -> dict[str, Any] | None:
    """Refuse the change now when it newly needs speech the model cannot understand; the
    video's entry with `speech` (whether any was heard) when it was checked, else None. Only
    a re-voice needs speech: captions wait for a script when the video has none."""
    if not needs_speech(project, after) or "speech" in (project.media or {}):
        return None
    if not project.media or "key" not in project.media:
        raise VoiceoverError(ErrorCode.NO_PROJECT)
    async with media.local_path(project.media["key"]) as path:
        info = await asyncio.to_thread(probe_speech_media, path, settings)
        try:
            await asyncio.to_thread(check_language, info, settings, after.language)
        except VoiceoverError as err:
            if err.code is not ErrorCode.NO_SPEECH or after.revoice:
                raise
            return {**project.media, "speech": False}
    return {**project.media, "speech": True}


async def transcribe_project(
    project: Project, media: MediaStore, settings: Settings, folder: Path
) -> dict[str, Any]:
    """The project's video transcribed into folder/NAME.srt; a summary for the chat."""
    if not project.media or "key" not in project.media:
        raise VoiceoverError(ErrorCode.NOTHING_TO_RENDER)
    name = str(project.media["name"])
    out = folder / f"{Path(name).stem or 'transcript'}.srt"
    async with media.local_path(project.media["key"]) as path:
        transcript = await asyncio.to_thread(
            transcribe_file, path, settings, out, project.options.language
        )
    return {
        "path": out,
        "name": name,
        "duration_s": transcript.duration_s,
        "lines": out.read_text(encoding="utf-8").count(" --> "),
        "language": transcript.language,
    }
