"""The timeline as a picture (Pillow): one row per segment, coloured bars on a time axis with
labels, like an editor's timeline. Used by `status` in chat and by the result page."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from core.ports import Chat
from core.words.fonts import noto_sans_sc
from core.words.text import Bilingual, pick
from core.words.timeline import Item, draft_holds, draft_shots, label_in, timeline_items

WIDTH = 1200
LABEL_W = 190
ROW_H = 54
TOP = 64
BOTTOM = 40
PAD = 16
BACKGROUND = (24, 26, 31)
GRID = (58, 62, 70)
TEXT = (232, 234, 238)
MUTED = (160, 166, 176)
HOLD = (255, 196, 61)  # a held shot's tab
COLOURS: dict[str, tuple[int, int, int]] = {
    "Video": (66, 133, 244),
    "Image": (38, 166, 154),
    "Voiceover": (245, 124, 0),
    "BGM": (156, 39, 176),
    "Original audio": (120, 144, 156),
    "Audio": (120, 144, 156),
    "Captions": (67, 160, 71),
    "Title": (251, 192, 45),
    "Text": (251, 192, 45),
}
STEPS_S = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800)


TITLE = Bilingual("Timeline", "时间线")
EMPTY = Bilingual("(empty timeline)", "（空时间线）")


@lru_cache(maxsize=8)
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """Noto Sans SC (Latin and Chinese alike) at a regular or bold weight."""
    font = ImageFont.truetype(str(noto_sans_sc()), size)
    font.set_variation_by_axes([700 if bold else 450])
    return font


def _titles(language: str) -> tuple[str, str]:
    return pick(TITLE, language), pick(EMPTY, language)


def _tick_step(total_s: float) -> int:
    """A round tick interval giving at most about ten ticks."""
    return next((s for s in STEPS_S if total_s / s <= 10), STEPS_S[-1])


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def _fit(draw: ImageDraw.ImageDraw, text: str, width: int, font: ImageFont.FreeTypeFont) -> str:
    """The text cut with an ellipsis to fit `width` pixels."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…" if text else ""


def _segment_text(item: Item) -> str:
    volume = f" · {item.volume}%" if item.volume is not None and item.label != "Video" else ""
    return f"{item.desc}{volume}"


def draw_timeline(draft: Mapping[str, Any] | None, out: Path, language: str = "en") -> Path:
    """Draw the draft's timeline as a PNG at `out`, labelled in `language`; returns it."""
    items = timeline_items(draft)
    total_ms = max([_as_ms(draft)] + [item.end_ms for item in items] + [1000])
    height = TOP + ROW_H * max(1, len(items)) + BOTTOM
    image = Image.new("RGB", (WIDTH, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    scale = (WIDTH - LABEL_W - 2 * PAD) / total_ms
    left = LABEL_W + PAD
    title, empty = _titles(language)
    _axis(draw, total_ms, left, scale, height, title)
    for row, item in enumerate(items):
        _row(draw, row, item, left, scale, label_in(item.label, language))
    video_rows = [row for row, item in enumerate(items) if item.label == "Video"]
    if video_rows:
        _cuts(draw, video_rows[0], draft_shots(draft), left, scale)
        _holds(draw, video_rows[0], draft_shots(draft), draft_holds(draft), left, scale)
    if not items:
        draw.text((left, TOP + 16), empty, fill=MUTED, font=_font(18))
    out.parent.mkdir(parents=True, exist_ok=True)
    image.save(out, format="PNG", optimize=True)
    return out


def _cuts(
    draw: ImageDraw.ImageDraw, row: int, shots: list[list[float]], left: int, scale: float
) -> None:
    """A white mark across the video's bar at each cut between its shots."""
    top = TOP + row * ROW_H
    for start, _ in shots[1:]:
        x = left + start * 1000 * scale
        draw.line([(x, top + 4), (x, top + ROW_H - 4)], fill=(255, 255, 255), width=3)


def _holds(
    draw: ImageDraw.ImageDraw,
    row: int,
    shots: list[list[float]],
    holds: list[tuple[int, float]],
    left: int,
    scale: float,
) -> None:
    """At the end of each shot the latest render held: an amber tab saying for how long."""
    top = TOP + row * ROW_H
    for shot, seconds in holds:
        if not 1 <= shot <= len(shots):
            continue
        x = left + shots[shot - 1][1] * 1000 * scale
        text = f"+{seconds:.1f}s"
        width = draw.textlength(text, font=_font(14)) + 8
        y0, y1 = top + ROW_H - 28, top + ROW_H - 10  # inside the video's bar
        draw.rectangle([(x - width, y0), (x - 2, y1)], fill=HOLD)
        draw.text((x - width + 4, y0 - 1), text, fill=(20, 20, 20), font=_font(14))


def _as_ms(draft: Mapping[str, Any] | None) -> int:
    try:
        return int(float((draft or {}).get("d") or 0))
    except (TypeError, ValueError):
        return 0


def _axis(
    draw: ImageDraw.ImageDraw, total_ms: int, left: int, scale: float, height: int, title: str
) -> None:
    total_s = total_ms / 1000
    draw.text((PAD, 14), f"{title} · {_clock(total_s)}", fill=TEXT, font=_font(22, bold=True))
    step = _tick_step(total_s)
    for tick in range(0, math.floor(total_s) + 1, step):
        x = left + tick * 1000 * scale
        draw.line([(x, TOP - 6), (x, height - BOTTOM)], fill=GRID, width=1)
        draw.text((x + 3, height - BOTTOM + 8), _clock(tick), fill=MUTED, font=_font(15))


def _row(
    draw: ImageDraw.ImageDraw, row: int, item: Item, left: int, scale: float, label: str
) -> None:
    top = TOP + row * ROW_H
    colour = COLOURS.get(item.label, (130, 130, 130))
    draw.text((PAD, top + 12), label, fill=TEXT, font=_font(18, bold=True))
    x0 = left + item.start_ms * scale
    x1 = max(x0 + 4, left + item.end_ms * scale)
    draw.rounded_rectangle([(x0, top + 8), (x1, top + ROW_H - 8)], radius=7, fill=colour)
    label = _fit(draw, _segment_text(item), int(x1 - x0) - 14, _font(16))
    if label:
        draw.text((x0 + 7, top + 14), label, fill=(255, 255, 255), font=_font(16))


async def send_timeline(
    chat: Chat, draft: Mapping[str, Any] | None, out: Path, caption: str, language: str = "en"
) -> None:
    """Draw the timeline (off the loop) and send it into the chat as a picture."""
    await asyncio.to_thread(draw_timeline, draft, out, language)
    await chat.send_image(out, caption)
