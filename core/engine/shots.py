"""Shot changes of a video, found once per upload by ffmpeg's `scdet` on small frames.

Cuts fall mid-GOP too, so where a cut may be every frame is decoded: two threads, no loop
filter, the decoder's fast tricks (`-flags2 +fast`), scaled at once to 64x36 RGB (grey misses
a cut between two colours of one brightness, red to green). A cheap first look
(`core.engine.shot_scan`: keyframes and packet sizes) says where that is; the rest of the video
is never decoded frame by frame. `scdet` scores each frame against the one before, relative to
the previous difference, so slow fades and camera motion stay low. A flash (a few bright
frames, then the same picture) makes a candidate whose picture comes back within FLASH_S: it is
dropped, judged on 16x9 RGB thumbnails written in the same pass. Cuts closer than MIN_SHOT_S to
the one before (or to the end) are dropped too.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.engine.ffmpeg import input_args, run_ffmpeg
from core.engine.leftovers import work_dir
from core.engine.model import MediaInfo, MediaKind
from core.engine.shot_scan import Window, plan_windows, scan, two_pass
from core.engine.video import graph_safe

SCDET_THRESHOLD = 10.0  # scdet's score (percent): cuts in the tests score 44-98, fades < 1
MIN_SHOT_S = 0.5
FLASH_S = 0.3  # a picture back within this long after a candidate cut: a flash, not a cut
SAME_PICTURE = 6.0  # mean absolute difference (0-255) of two thumbnails of one picture
THUMB_W, THUMB_H = 16, 9
DECODE = ["-threads", "2", "-skip_loop_filter", "all", "-flags2", "+fast"]
_FRAME = re.compile(r"^frame:(\d+)\s+pts:\S+\s+pts_time:(\S+)")


@dataclass(frozen=True)
class Candidate:
    """A frame scdet flagged: its index (in its window) and time."""

    frame: int
    time_s: float


def spans(cuts: tuple[float, ...], duration_s: float) -> list[tuple[float, float]]:
    """The shots as (start, end) from the cut times and the video's length."""
    edges = [0.0, *cuts, duration_s]
    return [(round(a, 3), round(b, 3)) for a, b in zip(edges, edges[1:], strict=False)]


def detect_shots(info: MediaInfo, timeout_s: float = 600.0) -> tuple[float, ...]:
    """The times (s) where a new shot starts in the probed video, not counting 0."""
    if info.kind is not MediaKind.VIDEO:
        return ()
    deadline = time.monotonic() + timeout_s
    with work_dir() as tmp:
        work = Path(tmp)
        windows = (
            plan_windows(info, scan(info, work, timeout_s), FLASH_S) if two_pass(info) else None
        )
        if windows is None:
            windows = [Window(None, -1.0, info.duration_s + 1.0, info.duration_s)]
        found: list[float] = []
        for n, window in enumerate(windows):
            left = max(1.0, deadline - time.monotonic())
            found += _exact(info, window, work / f"w{n}", left)
    return min_shot(found, info.duration_s)


def _exact(info: MediaInfo, window: Window, stem: Path, timeout_s: float) -> list[float]:
    """The cuts in one window, every frame of it decoded (flashes dropped)."""
    meta, thumbs = stem.with_suffix(".txt"), stem.with_suffix(".raw")
    seek = window.seek_s or 0.0
    shift = f"setpts=PTS+{seek!r}/TB," if window.seek_s is not None else ""
    graph = (
        f"[0:v:0]{shift}scale=64:36:flags=area,format=rgb24,split[a][b];"
        f"[a]scdet=threshold={SCDET_THRESHOLD:g},"
        f"metadata=mode=print:key=lavfi.scd.time:file={graph_safe(meta)},nullsink;"
        f"[b]scale={THUMB_W}:{THUMB_H}:flags=area[t]"
    )
    # from the keyframe at or before the seek, that keyframe included (no accurate seek)
    bounds = ["-noaccurate_seek", "-ss", f"{seek:.6f}"] if window.seek_s is not None else []
    if window.stop_s < info.duration_s:
        bounds += ["-to", f"{window.stop_s:.6f}"]
    args = [*DECODE, *bounds, *input_args(info), "-filter_complex", graph, "-map", "[t]"]
    args += ["-fps_mode", "passthrough", "-an", "-sn", "-f", "rawvideo", f"file:{thumbs}"]
    run_ffmpeg(args, timeout_s=timeout_s, duration_s=window.stop_s - seek)
    candidates = parse_candidates(meta.read_text("utf-8") if meta.exists() else "")
    frames = np.fromfile(thumbs, dtype=np.uint8)
    size = THUMB_W * THUMB_H * 3
    pictures = frames[: len(frames) // size * size].reshape(-1, size).astype(np.int16)
    half = 0.5 / (info.fps or 30.0)
    inside = [c for c in candidates if window.after_s + half < c.time_s <= window.until_s + half]
    return not_flashes(inside, pictures, info.fps or 30.0)


def parse_candidates(text: str) -> list[Candidate]:
    """The frames `metadata=mode=print` wrote (only those scdet flagged)."""
    found = []
    for line in text.splitlines():
        match = _FRAME.match(line)
        if match:
            found.append(Candidate(int(match[1]), float(match[2])))
    return found


def not_flashes(candidates: list[Candidate], pictures: np.ndarray, fps: float) -> list[float]:
    """The times of scdet's candidates that are not a flash (nor inside one)."""
    kept: list[float] = []
    window = max(1, int(round(FLASH_S * fps)))
    flash_until = -1  # the frames of a flash end its own candidates too
    for c in candidates:
        if c.frame <= flash_until or c.frame <= 0:
            continue
        if _is_flash(pictures, c.frame, window):
            flash_until = c.frame + window
            continue
        kept.append(c.time_s)
    return kept


def min_shot(times: list[float], duration_s: float) -> tuple[float, ...]:
    """The cuts, in order, none closer than MIN_SHOT_S to the one before or to the end."""
    cuts: list[float] = []
    for at in sorted(times):
        last = cuts[-1] if cuts else 0.0
        if at - last < MIN_SHOT_S or duration_s - at < MIN_SHOT_S:
            continue
        cuts.append(math.floor(at * 1000 + 1e-6) / 1000)  # never after the frame
    return tuple(cuts)


def _is_flash(pictures: np.ndarray, frame: int, window: int) -> bool:
    """Whether the picture before `frame` comes back within `window` frames after it."""
    if frame >= len(pictures):
        return False
    before = pictures[frame - 1]
    after = pictures[frame + 1 : frame + 1 + window]
    return any(float(np.abs(p - before).mean()) < SAME_PICTURE for p in after)
