"""A generated silent clip for the demo and the benchmarks (no user input involved)."""

from __future__ import annotations

from pathlib import Path

from core.engine.ffmpeg import run_ffmpeg
from core.engine.leftovers import partial_path


def make_demo_clip(
    path: Path, *, seconds: float = 20.0, size: str = "1280x720", fps: int = 30
) -> Path:
    """Write (once) an H.264 yuv420p MP4 test pattern with no audio; return its path."""
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = partial_path(path)
    source = f"testsrc2=size={size}:rate={fps}:duration={seconds}"
    encode = ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-g", str(fps * 2)]
    run_ffmpeg(
        ["-f", "lavfi", "-i", source, *encode, "-f", "mp4", f"file:{partial}"],
        timeout_s=600,
        duration_s=seconds,
    )
    partial.replace(path)
    return path
