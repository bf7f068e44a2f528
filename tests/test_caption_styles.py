"""Caption looks drawn by libass into real frames: inside the safe area at three aspects in every
style and position, and karaoke's highlight on the word being spoken (English and Chinese)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.engine.caption_styles import Look, write_ass
from core.engine.captions import Cue
from core.engine.model import CaptionPosition, CaptionStyle
from core.words.fonts import CJK_FAMILY, LATIN_FAMILY, caption_fonts, has_cjk
from tests.media import ffmpeg

ASPECTS = {"16:9": (320, 180), "9:16": (180, 320), "1:1": (240, 240)}
TEXT = "Meet Aurora, the desk lamp that follows the sun every single day"
SAFE = 0.05  # nothing drawn in the outer 5% of any side


def _frame(tmp: Path, cues: list[Cue], size: tuple[int, int], look: Look, at: float) -> np.ndarray:
    """The frame at `at` seconds of a black clip with the captions burned in, as RGB."""
    w, h = size
    fonts = tmp / "fonts"
    family = caption_fonts(fonts, " ".join(c.text for c in cues)) if not fonts.exists() else None
    ass = write_ass(tmp / "c.ass", cues, w, h, family or _family(cues), look)
    raw = tmp / "f.rgb"
    ffmpeg(
        *("-f", "lavfi", "-i", f"color=c=black:s={w}x{h}:r=10:d=4"),
        *("-vf", f"subtitles=filename={ass}:fontsdir={fonts}", "-ss", f"{at:.2f}"),
        *("-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", str(raw)),
    )
    return np.fromfile(raw, dtype=np.uint8).reshape(h, w, 3)


def _family(cues: list[Cue]) -> str:
    return CJK_FAMILY if has_cjk(cues[0].text) else LATIN_FAMILY


def _box(mask: np.ndarray) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(mask)
    assert len(xs), "nothing drawn"
    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())


@pytest.mark.parametrize("aspect", list(ASPECTS))
@pytest.mark.parametrize("style", list(CaptionStyle))
def test_every_style_and_position_stays_in_the_safe_area(
    tmp_path: Path, aspect: str, style: CaptionStyle
) -> None:
    w, h = ASPECTS[aspect]
    for position in CaptionPosition:
        folder = tmp_path / position.value
        folder.mkdir()
        look = Look(style, position, scale=1.4 if style is CaptionStyle.BOLD else 1.0)
        frame = _frame(folder, [Cue(0.0, 3.0, TEXT)], (w, h), look, 1.0)
        x0, y0, x1, y1 = _box(frame.max(axis=2) > 40)
        assert x0 >= SAFE * w and x1 <= (1 - SAFE) * w, (position, x0, x1)
        assert y0 >= SAFE * h and y1 <= (1 - SAFE) * h, (position, y0, y1)
        middle = (y0 + y1) / 2 / h
        want = {"top": (0, 0.4), "middle": (0.3, 0.7), "bottom": (0.6, 1)}[position.value]
        assert want[0] <= middle <= want[1], (position, middle)


def _highlight(frame: np.ndarray) -> np.ndarray:
    """Yellow pixels (the karaoke highlight)."""
    r, g, b = (frame[..., i].astype(int) for i in range(3))
    return (r > 150) & (g > 120) & (b < 90)


@pytest.mark.parametrize(
    "words",
    [
        [("one", 0.0, 0.5), ("two", 0.5, 1.0), ("three", 1.0, 1.5), ("four", 1.5, 2.0)],
        [("今", 0.0, 0.5), ("天", 0.5, 1.0), ("很", 1.0, 1.5), ("好", 1.5, 2.0)],
    ],
)
def test_karaoke_highlights_the_word_being_spoken(
    tmp_path: Path, words: list[tuple[str, float, float]]
) -> None:
    joiner = "" if words[0][0] == "今" else " "
    cue = Cue(0.0, 2.0, joiner.join(w for w, _, _ in words), tuple(words))
    look = Look(CaptionStyle.KARAOKE, CaptionPosition.TOP)
    centres = []
    for k, (_, start, _end) in enumerate(words):
        folder = tmp_path / str(k)
        folder.mkdir()
        frame = _frame(folder, [cue], (320, 180), look, start + 0.25)
        lit = _highlight(frame)
        text = frame.max(axis=2) > 100
        x0, _, x1, _ = _box(lit)
        tx0, _, tx1, _ = _box(text)
        assert (x1 - x0) < 0.45 * (tx1 - tx0), (k, x0, x1, tx0, tx1)  # one word, not all
        centres.append((x0 + x1) / 2)
    assert centres == sorted(centres), centres
    assert centres[-1] - centres[0] > 0.5 * (tx1 - tx0), (centres, tx0, tx1)
