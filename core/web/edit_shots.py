"""Thumbnails of a video at its cuts for the edit page's shot strip (ffmpeg, made once)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from core.engine.ffmpeg import run_ffmpeg
from core.engine.probe_worker import ALLOWED_DEMUXERS

THUMB_WIDTH = 160


def shot_picture(video: Path, at_s: float, folder: Path, key: str, timeout_s: float) -> Path:
    """A JPEG of `video` just after `at_s` (blocking: call it in a thread)."""
    name = hashlib.sha256(f"{key}\n{at_s:.3f}".encode()).hexdigest()[:32]
    out = folder / f"{name}.jpg"
    if out.is_file():
        return out
    folder.mkdir(parents=True, exist_ok=True)
    staged = folder / f".{name}.{os.getpid()}.jpg"
    run_ffmpeg(
        [
            *("-format_whitelist", ",".join(ALLOWED_DEMUXERS), "-ss", f"{at_s + 0.05:.3f}"),
            *("-i", f"file:{video.resolve()}"),
            *("-frames:v", "1", "-vf", f"scale={THUMB_WIDTH}:-2", "-q:v", "5", str(staged)),
        ],
        timeout_s=timeout_s,
    )
    os.replace(staged, out)
    return out
