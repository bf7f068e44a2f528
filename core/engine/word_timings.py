"""When each word of our own narration is said, for the segments whose voice gave no alignments
(a model that cannot be patched: core/engine/aligned_voice.py; the others are timed from the
synthesis itself, core/engine/script_words.py): the known words aligned to what the recogniser
hears in the narration track (one pass over the whole track, VAD on), words it missed placed
between their neighbours, starts snapped to the quietest 10 ms nearby. Chinese is timed per
character; an English-only model cannot hear it, so Chinese characters are spread over their
segment by position (an estimate). Tests use this as the independent aligner of the first.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from core.config import Settings
from core.engine.asr import RATE, Word, get_recognizer
from core.engine.model import Segment
from core.words.fonts import has_cjk

Timed = tuple[str, float, float]
FRAME_S = 0.01
SNAP_BACK_S, SNAP_AHEAD_S = 0.1, 0.03
MARGIN_S = 0.25  # a heard word this close to a segment may be one of its words
_TOKEN = re.compile(r"[\w']+")


def _norm(word: str) -> str:
    return "".join(_TOKEN.findall(word.lower()))


def to_16k(samples: np.ndarray, rate: int) -> np.ndarray:
    """Mono float samples resampled to the recogniser's 16 kHz (linear; speech is band-limited
    well below 8 kHz after Piper)."""
    if rate == RATE:
        return samples.astype(np.float32)
    n = int(round(len(samples) * RATE / rate))
    positions = np.linspace(0, len(samples) - 1, n)
    return np.interp(positions, np.arange(len(samples)), samples).astype(np.float32)


def timed_segments(
    segments: Sequence[Segment], samples: np.ndarray, rate: int, settings: Settings
) -> list[Segment]:
    """The segments with their words timed (text, start_s, end_s); those timed already kept."""
    latin = [k for k, s in enumerate(segments) if not s.words and not has_cjk(s.text)]
    heard: list[Word] = []
    if latin:
        recognizer = get_recognizer(settings)
        transcript = recognizer.transcribe(to_16k(samples, rate), "en", retry=False)
        spans = [(segments[k].start_s - MARGIN_S, segments[k].end_s + MARGIN_S) for k in latin]
        heard = [  # only what was heard within the segments still to time
            w
            for line in transcript.lines
            for w in line.words
            if any(a <= w.start_s <= b for a, b in spans)
        ]
    known = [(k, w) for k in latin for w in segments[k].text.split()]
    times = snap_to_dips(align([w for _, w in known], heard), samples, rate)
    by_segment: dict[int, list[Timed]] = {}
    for (k, word), span in zip(known, times, strict=True):
        by_segment.setdefault(k, []).append((word, *span))
    out = []
    for k, seg in enumerate(segments):
        if seg.words:
            out.append(seg)
            continue
        words = by_segment.get(k) or _spread(seg)
        out.append(replace(seg, words=tuple(_inside(words, seg))))
    return out


def align(known: list[str], heard: list[Word]) -> list[tuple[float, float]]:
    """A (start, end) for every known word: from the heard word it matches, else between the
    matched neighbours."""
    matcher = difflib.SequenceMatcher(
        a=[_norm(w) for w in known], b=[_norm(w.text) for w in heard], autojunk=False
    )
    spans: list[tuple[float, float] | None] = [None] * len(known)
    for block in matcher.get_matching_blocks():
        for i in range(block.size):
            word = heard[block.b + i]
            spans[block.a + i] = (word.start_s, word.end_s)
    return _fill(spans, known)


def snap_to_dips(
    spans: list[tuple[float, float]], samples: np.ndarray, rate: int
) -> list[tuple[float, float]]:
    """Each start moved to the quietest 10 ms (20 ms window) just around it: the boundary
    between two words (Whisper's word times are 20 ms steps, often a little late)."""
    if not spans or len(samples) == 0:
        return spans
    hop, width = max(1, int(FRAME_S * rate)), max(1, int(2 * FRAME_S * rate))
    energy = np.convolve(samples.astype(np.float64) ** 2, np.ones(width) / width, mode="same")
    energy = energy[::hop]
    out: list[tuple[float, float]] = []
    floor = 0.0
    for start, end in spans:
        lo = max(int((start - SNAP_BACK_S) / FRAME_S), int(floor / FRAME_S), 0)
        hi = min(int((start + SNAP_AHEAD_S) / FRAME_S), len(energy) - 1)
        moved = (lo + int(np.argmin(energy[lo : hi + 1]))) * FRAME_S if hi >= lo else start
        out.append((round(moved, 3), round(max(end, moved), 3)))
        floor = moved
    return out


def _fill(spans: list[tuple[float, float] | None], known: list[str]) -> list[tuple[float, float]]:
    """Unmatched words share the gap between their matched neighbours by their length."""
    out: list[tuple[float, float]] = []
    k = 0
    while k < len(spans):
        span = spans[k]
        if span is not None:
            out.append(span)
            k += 1
            continue
        j = k
        while j < len(spans) and spans[j] is None:
            j += 1
        start = out[-1][1] if out else 0.0
        after = spans[j] if j < len(spans) else None
        end = after[0] if after is not None else start + 0.35 * (j - k)
        total = sum(len(w) for w in known[k:j]) or 1
        at = start
        for word in known[k:j]:
            width = (end - start) * len(word) / total
            out.append((round(at, 3), round(at + width, 3)))
            at += width
        k = j
    return out


def _spread(seg: Segment) -> list[Timed]:
    """Words (Chinese: characters) spread over the segment by their length."""
    tokens = [c for c in seg.text if not c.isspace()] if has_cjk(seg.text) else seg.text.split()
    total = sum(len(t) for t in tokens) or 1
    at, out = seg.start_s, []
    for token in tokens:
        width = (seg.end_s - seg.start_s) * len(token) / total
        out.append((token, round(at, 3), round(at + width, 3)))
        at += width
    return out


def _inside(words: list[Timed], seg: Segment) -> list[Timed]:
    """Times kept within the segment and in order."""
    out: list[Timed] = []
    floor = seg.start_s
    for text, start, end in words:
        start = min(max(start, floor), seg.end_s)
        end = min(max(end, start), seg.end_s)
        out.append((text, round(start, 3), round(end, 3)))
        floor = start
    return out
