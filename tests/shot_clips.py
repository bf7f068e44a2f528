"""Generated clips with known cuts (mid-GOP: one long GOP, no x264 scene-cut keyframes)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

from tests.media import FFMPEG, ffmpeg

SIZE = "160x90"
FPS = 30
# No keyframe but the first: every cut falls mid-GOP.
LONG_GOP = ("-g", "600", "-x264-params", "scenecut=0", "-bf", "2")
# A keyframe every second (as phones and editors write), cuts still mid-GOP: the cheap first
# look (keyframes, packet sizes) decides where frames are decoded.
SHORT_GOP = ("-g", "30", "-x264-params", "scenecut=0", "-bf", "2")
# The tricky clip: a flash in shot 1, a slow fade as shot 2, a 1.5 s shot, a moving box.
TRICKY_CUTS = (2.0, 5.0, 6.5, 9.0)
TRICKY_LENGTH = 11.0
# Solid colours, one per shot (RGB), for measuring which shot is on screen.
COLOURS = ((220, 40, 40), (40, 200, 60), (40, 60, 220), (230, 220, 40), (200, 40, 200))


def _colour(rgb: tuple[int, int, int]) -> str:
    return "0x{:02x}{:02x}{:02x}".format(*rgb)


def make_tricky_clip(path: Path, gop: tuple[str, ...] = LONG_GOP) -> Path:
    """Shots: red with a 3-frame white flash at 1 s; a 3 s fade green→blue; yellow 1.5 s;
    brown with a box moving across; magenta. Cuts at TRICKY_CUTS."""
    src = f"s={SIZE}:r={FPS}"
    graph = (
        f"color=c=red:{src}:d=1[r1];color=c=white:{src}:d=0.1[w];"
        f"color=c=red:{src}:d=0.9[r2];"
        f"color=c=green:{src}:d=3[g];color=c=blue:{src}:d=3[b];"
        "[g][b]blend=all_expr='A*(1-T/3)+B*(T/3)'[fade];"
        f"color=c=yellow:{src}:d=1.5[y];"
        f"color=c=0x884422:{src}:d=2.5,drawbox=x='t*40':y=20:w=30:h=30:c=white:t=fill[m];"
        f"color=c=magenta:{src}:d=2[p];"
        "[r1][w][r2][fade][y][m][p]concat=n=7:v=1:a=0,format=yuv420p[v]"
    )
    ffmpeg(
        "-filter_complex",
        graph,
        "-map",
        "[v]",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        *gop,
        str(path),
    )
    return path


def make_colour_shots(
    path: Path,
    lengths: tuple[float, ...],
    *,
    audio: bool = False,
    gop: tuple[str, ...] = LONG_GOP,
    colours: tuple[int, ...] | None = None,
) -> Path:
    """Solid-colour shots of `lengths` seconds (COLOURS in order, or by the indices
    `colours`), cuts mid-GOP."""
    src = f"s={SIZE}:r={FPS}"
    which = colours or tuple(range(len(lengths)))
    parts = [
        f"color=c={_colour(COLOURS[which[i]])}:{src}:d={d}[s{i}]" for i, d in enumerate(lengths)
    ]
    joined = "".join(f"[s{i}]" for i in range(len(lengths)))
    graph = ";".join(parts) + f";{joined}concat=n={len(lengths)}:v=1:a=0,format=yuv420p[v]"
    args = []
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=frequency=300:duration={sum(lengths)}"]
        args += ["-map", "0:a", "-c:a", "aac"]
    args += ["-filter_complex", graph, "-map", "[v]"]
    ffmpeg(*args, "-c:v", "libx264", "-preset", "veryfast", *gop, str(path))
    return path


def frame_colours(path: Path, fps: float = 10.0) -> tuple[np.ndarray, float]:
    """The mean RGB of the output's frames sampled at `fps`, and the sampling step (s)."""
    proc = subprocess.run(
        [
            FFMPEG,
            "-nostdin",
            "-loglevel",
            "error",
            "-i",
            str(path),
            "-vf",
            f"fps={fps},scale=8:8:flags=area",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-",
        ],
        capture_output=True,
        check=True,
        timeout=120,
    )
    frames = np.frombuffer(proc.stdout, dtype=np.uint8).reshape(-1, 64, 3)
    return frames.mean(axis=1), 1.0 / fps


def shot_at(rgb: np.ndarray) -> int:
    """Which of COLOURS a mean frame colour is nearest."""
    return int(np.argmin([np.abs(rgb - np.array(c)).sum() for c in COLOURS]))
