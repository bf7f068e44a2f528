"""The final ffmpeg pass: picture (copied or encoded), mixed audio, captions, into one MP4."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from core.engine.ffmpeg import input_args
from core.engine.layout import Geometry
from core.engine.model import Fit, MediaInfo, MediaKind

SAFE_PATH = re.compile(r"^[A-Za-z0-9_./-]+$")
STILL_FPS = 10
# ultrafast keeps a 2-minute 1080p30 burn-in under a minute on 2 cores (superfast: +60 %).
X264 = ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "21"]
# The native AAC encoder's fast coder with M/S stereo is about twice as fast as its default.
AAC = ["-c:a", "aac", "-aac_coder", "fast", "-aac_ms", "1", "-b:a", "160k", "-ar", "48000"]
AAC += ["-ac", "2"]
# The output is always 8-bit 4:2:0 in limited ("tv") range, the range players assume for H.264:
# full-range sources (MJPEG's yuvj420p, H.264 flagged color_range=pc) are converted, not relabeled.
TV_RANGE_YUV420P = "scale=out_range=tv,format=yuv420p"
TV_RANGE_ARGS = ["-pix_fmt", "yuv420p", "-color_range", "tv"]
BACKGROUND = "gradients=s={w}x{h}:c0=0x27325e:c1=0x0d1020:x0=0:y0=0:x1={w}:y1={h}:d=0.1:r=10"


@dataclass(frozen=True)
class FinalPass:
    """Everything the last ffmpeg run needs."""

    out: Path
    duration_s: float
    geometry: Geometry
    mix_wav: Path
    audio_filter: str
    fonts: Path
    media: MediaInfo | None = None  # a video or an image; None: `background` is the picture
    background: Path | None = None
    extend_s: float = 0.0  # hold the last frame this long
    hold_graph: str = ""  # held shots, from [0:v:0] to [held] (core.engine.holds), if any
    burn_ass: Path | None = None
    soft_srt: Path | None = None
    language: str = "eng"


def graph_safe(path: Path) -> str:
    """A path of ours, checked to need no escaping inside a filtergraph."""
    text = str(path)
    if not SAFE_PATH.match(text):
        raise ValueError(f"work path needs escaping in a filtergraph: {text!r}")
    return text


def background_args(png: Path, width: int, height: int) -> list[str]:
    """Args that write a one-frame gradient background (our own constant, no user input)."""
    source = BACKGROUND.format(w=width, h=height)
    return ["-f", "lavfi", "-i", source, "-frames:v", "1", f"file:{png}"]


def _fit_filter(geo: Geometry, fit: Fit) -> str:
    """Scale into the frame: plain scale, crop to fill, or pad over a blurred copy."""
    w, h = geo.width, geo.height
    if geo.scale_only:
        return f"scale={w}:{h}:flags=bicubic,setsar=1"
    if fit is Fit.CROP:
        return f"scale={w}:{h}:force_original_aspect_ratio=increase,crop={w}:{h},setsar=1"
    small_w, small_h = max(2, w // 8 // 2 * 2), max(2, h // 8 // 2 * 2)
    return (
        f"split=2[bg0][fg0];[bg0]scale={small_w}:{small_h}:force_original_aspect_ratio=increase,"
        f"crop={small_w}:{small_h},boxblur=8:2,scale={w}:{h},setsar=1[bg];"
        f"[fg0]scale={w}:{h}:force_original_aspect_ratio=decrease,setsar=1[fg];"
        f"[bg][fg]overlay=(W-w)/2:(H-h)/2"
    )


def _video_chain(p: FinalPass, fit: Fit, still: bool) -> str:
    """The filtergraph from input 0's picture to [v] (a still is fitted once, then repeated)."""
    head = f"{p.hold_graph};[held]" if p.hold_graph else "[0:v:0]"
    parts = [f"{head}{_fit_filter(p.geometry, fit)}"]
    if still:
        parts.append(f"loop=loop=-1:size=1:start=0,fps={STILL_FPS}")
    elif p.extend_s > 0:
        parts.append(f"tpad=stop_mode=clone:stop_duration={p.extend_s:.3f}")
    if p.burn_ass is not None:
        ass, fonts = graph_safe(p.burn_ass), graph_safe(p.fonts)
        parts.append(f"subtitles=filename={ass}:fontsdir={fonts}")
    parts.append(TV_RANGE_YUV420P + "[v]")
    return ",".join(parts)


def final_args(p: FinalPass, fit: Fit) -> list[str]:
    """The argv (after ffmpeg's own options) for the final pass."""
    still = p.media is None or p.media.kind is MediaKind.IMAGE
    if p.media is not None:
        args = input_args(p.media)
    else:
        assert p.background is not None
        args = ["-f", "png_pipe", "-i", f"file:{p.background}"]
    args += ["-f", "wav", "-i", f"file:{p.mix_wav}"]
    if p.soft_srt is not None:
        args += ["-f", "srt", "-i", f"file:{p.soft_srt}"]
    if p.geometry.copy_video:
        assert not p.hold_graph, "holds are made in the last pass only when it encodes"
        args += ["-map", "0:v:0", "-c:v", "copy"]
    else:
        tune = ["-tune", "stillimage"] if still else []
        args += ["-filter_complex", _video_chain(p, fit, still), "-map", "[v]", *X264, *tune]
        args += ["-profile:v", "high", *TV_RANGE_ARGS]
    args += ["-map", "1:a:0", "-af", p.audio_filter, *AAC]
    if p.soft_srt is not None:
        args += ["-map", "2:s:0", "-c:s", "mov_text", "-metadata:s:s:0", f"language={p.language}"]
    args += ["-map_metadata", "-1", "-map_chapters", "-1", "-t", f"{p.duration_s:.3f}"]
    args += ["-movflags", "+faststart", "-f", "mp4", f"file:{p.out}"]
    return args
