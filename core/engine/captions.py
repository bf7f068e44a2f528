"""Caption cues from placed segments, and SRT for soft subtitles (ASS: caption_styles.py)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from core.engine.model import Segment
from core.words.fonts import has_cjk

MAX_LINE_CHARS = 42
MAX_LINES = 2
CJK_CUE_CHARS = 28  # Chinese has no spaces to wrap at: cues of two lines of at most 14
CJK_BREAK_AFTER = "，。！？；：、,.!?;:）」』】"


@dataclass(frozen=True)
class Cue:
    """One caption on screen."""

    start_s: float
    end_s: float
    text: str
    words: tuple[tuple[str, float, float], ...] = ()  # (word, start, end) when known


def caption_cues(segments: Sequence[Segment]) -> list[Cue]:
    """Cues for the segments; long ones split into two-line chunks timed by their length."""
    cues: list[Cue] = []
    for seg in segments:
        if seg.words:
            cues += _word_cues(seg.words)
            continue
        text = " ".join(seg.text.split())
        if has_cjk(text):
            chunks = _cjk_chunks(text, CJK_CUE_CHARS)
        else:
            chunks = _chunks(text, MAX_LINE_CHARS * MAX_LINES)
        total = sum(len(c) for c in chunks) or 1
        at = seg.start_s
        for chunk in chunks:
            span = (seg.end_s - seg.start_s) * len(chunk) / total
            cues.append(Cue(round(at, 3), round(at + span, 3), chunk))
            at += span
    return cues


def _word_cues(words: Sequence[tuple[str, float, float]]) -> list[Cue]:
    """Cues of timed words: at most two lines each, timed by their first and last word."""
    cjk = has_cjk("".join(w for w, _, _ in words))
    limit, joiner = (CJK_CUE_CHARS, "") if cjk else (MAX_LINE_CHARS * MAX_LINES, " ")
    groups: list[list[tuple[str, float, float]]] = [[]]
    for word in words:
        text = joiner.join(w for w, _, _ in [*groups[-1], word])
        if groups[-1] and len(text) > limit:
            groups.append([])
        groups[-1].append(word)
    return [Cue(g[0][1], g[-1][2], joiner.join(w for w, _, _ in g), tuple(g)) for g in groups if g]


def _chunks(text: str, limit: int) -> list[str]:
    """Split text at word boundaries into pieces of at most `limit` characters, balanced."""
    if len(text) <= limit:
        return [text] if text else []
    words, pieces, current = text.split(), [], ""
    count = -(-len(text) // limit)
    target = len(text) / count
    for word in words:
        if current and (len(current) + 1 + len(word) > limit or len(current) >= target):
            pieces.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        pieces.append(current)
    return pieces


def _cjk_chunks(text: str, limit: int) -> list[str]:
    """Chinese text (no spaces to cut at) in pieces of at most `limit` characters."""
    return [p.strip() for p in _cjk_pieces(text, limit) if p.strip()]


def wrap_cjk(text: str, per_line: int) -> list[str]:
    """A Chinese caption as lines of at most `per_line` characters (else as it is)."""
    return _cjk_pieces(text, per_line) if has_cjk(text) else [text]


def _cjk_pieces(text: str, limit: int) -> list[str]:
    """Pieces of balanced length (at most `limit`), cut after punctuation near the balance
    point where there is one; no piece starts with punctuation."""
    pieces, rest = [], text
    count = -(-len(text) // limit)
    while len(rest) > limit:
        size = -(-len(rest) // count)
        cut = _cjk_cut(rest, size, limit)
        pieces.append(rest[:cut])
        rest, count = rest[cut:], max(1, count - 1)
    return [*pieces, rest]


def _cjk_cut(text: str, size: int, limit: int) -> int:
    """Where to end a piece of about `size` characters (never past `limit`)."""
    window = range(max(1, size // 2), min(limit, len(text) - 1) + 1)
    after_mark = [i for i in window if text[i - 1] in CJK_BREAK_AFTER]
    if after_mark:
        return min(after_mark, key=lambda i: abs(i - size))
    cut = min(size, limit)
    while cut > 1 and text[cut] in CJK_BREAK_AFTER:
        cut -= 1  # a closing mark stays with the words before it
    return cut


def _clock(seconds: float, digits: int) -> tuple[int, int, int, int]:
    """Hours, minutes, seconds and the fraction in `digits` decimal places."""
    scale = 10**digits
    frac = int(round(seconds * scale))
    whole, frac = divmod(frac, scale)
    minutes, secs = divmod(whole, 60)
    hours, minutes = divmod(minutes, 60)
    return hours, minutes, secs, frac


def _srt_time(seconds: float) -> str:
    h, m, s, ms = _clock(seconds, 3)
    return f"{h:02d}:{m:02d}:{s:02d},{ms:03d}"


def write_srt(path: Path, cues: Sequence[Cue]) -> Path:
    """Write an SRT file (UTF-8)."""
    blocks = [
        f"{n}\n{_srt_time(c.start_s)} --> {_srt_time(c.end_s)}\n{c.text}\n"
        for n, c in enumerate(cues, start=1)
    ]
    path.write_text("\n".join(blocks), encoding="utf-8")
    return path


def ass_time(seconds: float) -> str:
    h, m, s, cs = _clock(seconds, 2)
    return f"{h}:{m:02d}:{s:02d}.{cs:02d}"


def ass_text(text: str) -> str:
    """User text made inert for ASS: no override blocks, no escape sequences."""
    text = text.replace("\\", "\N{FULLWIDTH REVERSE SOLIDUS}")
    text = text.replace("{", "(").replace("}", ")")
    return re.sub(r"[\r\n]+", " ", text)
