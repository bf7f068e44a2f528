"""Output geometry: frame size per aspect preset, and whether the video can be stream-copied."""

from __future__ import annotations

from dataclasses import dataclass

from core.engine.model import Aspect, Captions, MediaInfo, MediaKind

MAX_SHORT_SIDE = 1080

ASPECT_FRAMES: dict[Aspect, tuple[int, int]] = {
    Aspect.WIDE: (1920, 1080),
    Aspect.TALL: (1080, 1920),
    Aspect.SQUARE: (1080, 1080),
    Aspect.PORTRAIT: (1080, 1350),
}
GENERATED_FRAME = ASPECT_FRAMES[Aspect.WIDE]


@dataclass(frozen=True)
class Geometry:
    """The output frame and how the source reaches it."""

    width: int
    height: int
    copy_video: bool  # stream-copy the source video as it is
    scale_only: bool  # same aspect as the source: a plain scale, no pad or crop


def _even(value: float) -> int:
    return max(2, int(round(value / 2)) * 2)


def fit_short_side(width: int, height: int, limit: int = MAX_SHORT_SIDE) -> tuple[int, int]:
    """Scale (width, height) down so the short side is at most `limit`; both even."""
    short = min(width, height)
    factor = min(1.0, limit / short) if short > 0 else 1.0
    return _even(width * factor), _even(height * factor)


def plan_geometry(
    media: MediaInfo | None, aspect: Aspect, captions: Captions, extend_s: float
) -> Geometry:
    """Choose the output frame; copy the video only when nothing visual changes."""
    if media is None or media.kind is not MediaKind.VIDEO:
        if aspect is Aspect.ORIGINAL and media is not None:
            w, h = fit_short_side(media.width, media.height)
            return Geometry(w, h, copy_video=False, scale_only=True)
        w, h = ASPECT_FRAMES.get(aspect, GENERATED_FRAME)
        return Geometry(w, h, copy_video=False, scale_only=media is None)
    src_w, src_h = media.width, media.height
    if aspect is Aspect.ORIGINAL:
        w, h = fit_short_side(src_w, src_h)
    else:
        w, h = ASPECT_FRAMES[aspect]
    same_aspect = abs(src_w * h - src_h * w) <= max(src_w, src_h) * 2
    even = src_w % 2 == 0 and src_h % 2 == 0
    unchanged_size = even and min(src_w, src_h) <= MAX_SHORT_SIDE
    copy = (
        media.is_h264_yuv420p
        and same_aspect
        and unchanged_size
        and captions is not Captions.BURN
        and extend_s <= 0.05
    )
    if copy:
        w, h = src_w, src_h
    return Geometry(w, h, copy_video=copy, scale_only=same_aspect)
