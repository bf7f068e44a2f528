"""Small test media made with the real ffmpeg (the one imageio-ffmpeg ships)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import imageio_ffmpeg

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()


def ffmpeg(*args: str) -> None:
    """Run ffmpeg quietly; raise with its stderr on failure."""
    cmd = [FFMPEG, "-hide_banner", "-loglevel", "error", "-nostdin", "-y", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise RuntimeError(f"ffmpeg failed: {proc.stderr[-2000:]}")


def make_video(
    path: Path,
    *,
    seconds: float = 3.0,
    size: str = "320x240",
    fps: int = 25,
    vcodec: str = "libx264",
    audio: bool = True,
    extra: tuple[str, ...] = (),
) -> Path:
    """A test-pattern clip (with a 440 Hz tone unless audio=False) in the container of `path`."""
    args = ["-f", "lavfi", "-i", f"testsrc2=size={size}:rate={fps}:duration={seconds}"]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}"]
    args += ["-c:v", vcodec]
    if vcodec == "libx264":
        args += ["-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    if audio:
        args += ["-c:a", "libopus" if path.suffix == ".webm" else "aac", "-shortest"]
    ffmpeg(*args, *extra, str(path))
    return path


def make_image(path: Path, *, size: str = "640x360") -> Path:
    """A still test-pattern image (format from the suffix)."""
    ffmpeg("-f", "lavfi", "-i", f"testsrc2=size={size}:rate=1", "-frames:v", "1", str(path))
    return path


def make_audio(path: Path, *, seconds: float = 3.0, freq: int = 220) -> Path:
    """A tone (format from the suffix: mp3, wav, m4a, aac)."""
    codec = {".mp3": "libmp3lame", ".wav": "pcm_s16le", ".m4a": "aac", ".aac": "aac"}[path.suffix]
    ffmpeg(
        *("-f", "lavfi"),
        *("-i", f"sine=frequency={freq}:sample_rate=44100:duration={seconds}"),
        *("-c:a", codec),
        str(path),
    )
    return path


def make_full_range_video(path: Path, vcodec: str, *, flag_only: bool = False) -> Path:
    """A 2 s clip in full range: left half white (Y 255), right half black (Y 0).

    `vcodec` is "mjpeg" (yuvj420p, as cameras write AVI) or "libx264"; with `flag_only` the
    H.264 stream is plain yuv420p flagged color_range=pc instead of yuvj420p.
    """
    picture = "color=c=black:s=320x240:r=25:d=2,drawbox=x=0:y=0:w=160:h=240:color=white:t=fill"
    stored = "yuv420p" if flag_only else "yuvj420p"
    picture += f",format=yuv420p,scale=out_range=pc,format={stored}"
    args = ["-f", "lavfi", "-i", picture, "-c:v", vcodec]
    args += ["-q:v", "2"] if vcodec == "mjpeg" else ["-preset", "ultrafast", "-color_range", "pc"]
    ffmpeg(*args, str(path))
    return path
