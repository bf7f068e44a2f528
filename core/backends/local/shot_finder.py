"""Shots of uploaded videos, found in the background after the probe and kept in the project's
media entry (`shots`: the cut times), so a job pins them with the video."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path

from core.engine.model import MediaInfo, MediaKind
from core.engine.shot_cache import cached_shots
from core.engine.shots import detect_shots
from core.errors import VoiceoverError
from core.media.store import MediaStore

log = logging.getLogger(__name__)

Keep = Callable[[str, list[float]], Awaitable[None]]
"""Keep the cuts found for a media key (if it is still the project's video)."""


class ShotFinder:
    """One background detection per uploaded video; `wait` lets a job pin what was found."""

    def __init__(self, media: MediaStore, timeout_s: float, data_dir: Path | None = None) -> None:
        self.media = media
        self.timeout_s = timeout_s
        self.data_dir = data_dir  # where the shots of every video are kept (shot_cache)
        self.tasks: dict[str, asyncio.Task[None]] = {}

    def start(self, key: str, info: MediaInfo, keep: Keep) -> None:
        """Find the shots of the video at `key` (probed as `info`) and `keep` them."""
        if info.kind is MediaKind.VIDEO and key not in self.tasks:
            task = asyncio.create_task(self._find(key, info, keep))
            self.tasks[key] = task
            task.add_done_callback(lambda _: self.tasks.pop(key, None))

    async def _find(self, key: str, info: MediaInfo, keep: Keep) -> None:
        try:
            async with self.media.local_path(key) as path:
                probed = replace(info, path=path)
                cuts = await asyncio.to_thread(self._detect, probed)
        except (VoiceoverError, OSError):  # the render finds them itself, or says why not
            log.warning("shot detection failed for an upload", exc_info=True)
            return
        await keep(key, list(cuts))

    def _detect(self, info: MediaInfo) -> tuple[float, ...]:
        if self.data_dir is None:
            return detect_shots(info, self.timeout_s)
        return cached_shots(info, self.data_dir, detect_shots, self.timeout_s)

    async def wait(self, key: str | None) -> None:
        """Until the detection for `key` (if one is running) has ended."""
        task = self.tasks.get(key) if key else None
        if task is not None:
            with contextlib.suppress(Exception):
                await asyncio.shield(task)

    async def aclose(self) -> None:
        """Stop waiting for detections in flight (their ffmpeg dies with the process)."""
        for task in list(self.tasks.values()):
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
        self.tasks.clear()
