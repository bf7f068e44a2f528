"""What Piper's phoneme alignments say about the words: when each spoken word (or, for Chinese,
each syllable) of a clip starts and ends, and which word of the text the voice read it for.

Piper phonemises with espeak-ng; a space phoneme separates two words, punctuation phonemes are
pauses (not counted in a word). Chinese (espeak `cmn`/`yue`) joins characters into words, but
every syllable carries exactly one tone mark (a digit, or ɜ), so a word is cut into syllables
after each tone mark (a nasal coda, n or ŋ before a consonant, staying with its syllable): one
syllable per character. When the text's tokens and the spoken units do not pair one to one,
each token gets the stretch of the aligned speech at its position (by length), an estimate.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from core.words.fonts import has_cjk

Unit = tuple[str, float, float]  # phonemes, start_s, end_s within the clip
Span = tuple[float, float]
TONE_MARKS = frozenset("12345ɜ")
TONE_VOICES = ("cmn", "yue", "zh")
CODAS = frozenset("nŋ")
VOWELS = frozenset("aeiouyəɑɛɔɤʊɪɚæ")
MARKS = frozenset("ˈˌ.-")
EDGES = frozenset("^$")  # Piper's start and end of a sentence


@dataclass(frozen=True)
class Clip:
    """A sentence's audio and, when the voice gave alignments, its spoken units."""

    audio: np.ndarray
    units: tuple[Unit, ...] | None = None


def spoken_units(
    aligned: Iterable[tuple[str, int]], rate: int, at: int = 0, tones: bool = False
) -> list[Unit]:
    """Words (syllables when `tones`) of one Piper chunk from its (phoneme, samples) pairs; the
    chunk starts `at` samples into the clip."""
    words: list[list[tuple[str, int, int]]] = [[]]
    for phoneme, samples in aligned:
        if phoneme == " ":
            words.append([])
        elif phoneme not in EDGES and not _pause(phoneme):
            words[-1].append((phoneme, at, at + samples))
        at += samples
    units: list[Unit] = []
    for word in words:
        for part in _syllables(word) if tones else [word]:
            if part:
                text = "".join(p for p, _, _ in part)
                units.append((text, part[0][1] / rate, part[-1][2] / rate))
    return units


def _pause(phoneme: str) -> bool:
    return all(unicodedata.category(c)[0] in "PZ" for c in phoneme)


def _syllables(word: list[tuple[str, int, int]]) -> list[list[tuple[str, int, int]]]:
    """A Chinese word cut after each tone mark (a nasal coda before a consonant kept)."""
    out: list[list[tuple[str, int, int]]] = [[]]
    toned = False
    for n, item in enumerate(word):
        if toned and not (item[0] in CODAS and not _vowel_next(word, n + 1)):
            out.append([])
            toned = False
        out[-1].append(item)
        toned = toned or item[0] in TONE_MARKS
    return [part for part in out if part]


def _vowel_next(word: list[tuple[str, int, int]], n: int) -> bool:
    """Whether the next sound from n (stress and length marks skipped) is a vowel."""
    for phoneme, _, _ in word[n:]:
        if phoneme not in MARKS:
            return phoneme in VOWELS
    return False


def text_tokens(text: str) -> list[str]:
    """The tokens a text is spoken as: words; in Chinese each character (and each run of other
    letters or digits); punctuation alone is no token."""
    if not has_cjk(text):
        return [w for w in text.split() if any(c.isalnum() for c in w)]
    tokens: list[str] = []
    run = ""
    for ch in text:
        if ch.isalnum() and not has_cjk(ch):
            run += ch
            continue
        tokens += [run] if run else []
        run = ""
        tokens += [ch] if ch.isalnum() else []
    return tokens + ([run] if run else [])


def token_spans(tokens: Sequence[str], units: Sequence[Unit]) -> list[Span]:
    """A (start, end) for each token: its unit when they pair one to one, else the stretch of
    the units at its position (tokens by length, units by phonemes)."""
    if not tokens or not units:
        return [(0.0, 0.0)] * len(tokens)
    if len(tokens) == len(units):
        return [(start, end) for _, start, end in units]
    weights = [max(1, len(p)) for p, _, _ in units]
    edges = np.cumsum([0, *weights]) / sum(weights)
    xs = np.ravel([[edges[k], edges[k + 1]] for k in range(len(units))])
    ys = np.ravel([[s, e] for _, s, e in units])
    sizes = np.cumsum([0, *(len(t) for t in tokens)]) / sum(len(t) for t in tokens)
    times = np.interp(sizes, xs, ys)
    return [(float(times[k]), float(times[k + 1])) for k in range(len(tokens))]


def shifted(units: Sequence[Unit], by_s: float, length_s: float) -> tuple[Unit, ...]:
    """The units moved by `by_s` and kept within 0…length_s (silence trimmed off a clip)."""
    out = []
    for text, start, end in units:
        start, end = start + by_s, end + by_s
        out.append((text, min(max(0.0, start), length_s), min(max(0.0, end), length_s)))
    return tuple(out)


def unit_tokens(
    pieces: Sequence[tuple[int | None, str | float, tuple[Unit, ...] | None]], rate: int
) -> tuple[Unit, ...] | None:
    """A narration unit's spoken tokens timed within its joined clip, from its pieces (where
    each starts in samples, its text or pause, its spoken units); None when one spoken piece
    has no alignments."""
    tokens: list[Unit] = []
    for start, text, units in pieces:
        if not isinstance(text, str):
            continue
        if units is None:
            return None
        if start is None:
            continue
        words = text_tokens(text)
        at = start / rate
        spans = token_spans(words, units)
        tokens += [(w, a + at, b + at) for w, (a, b) in zip(words, spans, strict=True)]
    return tuple(tokens)
