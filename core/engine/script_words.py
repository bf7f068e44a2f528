"""The script's words timed from the words the voice spoke for them.

What the voice reads is the script normalised ("3" → "three", "Dr." → "Doctor") with the
lexicon's fixes, so one script word may become several spoken words (or none). Each script
word is normalised alone to learn what it should sound like; those expected words are matched
in order against the spoken ones (difflib), a replaced run shared by position, and a script
word is timed from the start of its first spoken word to the end of its last. A word spoken
for nothing joins the script word before it; a script word with nothing spoken (a dash, or
Chinese punctuation) gets no time of its own, at the end of the word before it. Chinese is
timed per character (see core/engine/phoneme_words.py for how characters meet syllables).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from core.engine.lexicon import Lexicon
from core.engine.model import Segment
from core.engine.phoneme_words import text_tokens
from core.engine.speech_units import spoken_text
from core.words.fonts import has_cjk

Timed = tuple[str, float, float]


@dataclass(frozen=True)
class SpokenWords:
    """A segment's spoken tokens with their times on the track, and how its text was read."""

    tokens: tuple[Timed, ...]
    language: str
    lexicon: Lexicon


class SpokenClips:
    """The clips a narration spoke, each with its tokens' times within it (by the clip's id, the
    clip kept so that id stays its own while it is here)."""

    def __init__(self) -> None:
        self._kept: dict[int, tuple[np.ndarray, tuple[Timed, ...] | None]] = {}

    def keep(self, clip: np.ndarray, tokens: tuple[Timed, ...] | None) -> None:
        """Remember what was spoken in `clip` (None: its voice gave no times)."""
        self._kept[id(clip)] = (clip, tokens)

    def clear(self) -> None:
        """Forget every clip (a new build)."""
        self._kept.clear()

    def words(
        self, clip: np.ndarray, start_s: float, language: str, lexicon: Lexicon
    ) -> SpokenWords | None:
        """The clip's tokens placed at `start_s` on the track, or None when not known."""
        kept = self._kept.get(id(clip))
        if kept is None or kept[0] is not clip or kept[1] is None:
            return None
        return SpokenWords(
            tuple((t, a + start_s, b + start_s) for t, a, b in kept[1]), language, lexicon
        )


def aligned_segments(
    segments: Sequence[Segment], spoken: Sequence[SpokenWords | None]
) -> list[Segment]:
    """The segments, each with its words timed from what its voice spoke, where it told."""
    if len(spoken) != len(segments):
        return list(segments)
    return [
        replace(seg, words=script_words(seg.text, said)) if said and said.tokens else seg
        for seg, said in zip(segments, spoken, strict=True)
    ]


def script_tokens(text: str) -> list[str]:
    """The words captions show: Chinese per character, others split at spaces."""
    return [c for c in text if not c.isspace()] if has_cjk(text) else text.split()


def script_words(text: str, spoken: SpokenWords) -> tuple[Timed, ...]:
    """Each script word of `text` with the start and end of what was spoken for it."""
    script = script_tokens(text)
    expected = [
        (i, token)
        for i, word in enumerate(script)
        for token in text_tokens(spoken_text(word, spoken.language, spoken.lexicon))
    ]
    owners = _owners(expected, [t for t, _, _ in spoken.tokens])
    spans: dict[int, tuple[float, float]] = {}
    for owner, (_, start, end) in zip(owners, spoken.tokens, strict=True):
        if owner is None:
            continue
        first, last = spans.get(owner, (start, end))
        spans[owner] = (min(first, start), max(last, end))
    out: list[Timed] = []
    at = spoken.tokens[0][1] if spoken.tokens else 0.0
    for i, word in enumerate(script):
        start, end = spans.get(i, (at, at))
        start = max(start, out[-1][2]) if out else start
        out.append((word, round(start, 3), round(max(start, end), 3)))
        at = max(at, end)
    return tuple(out)


def _norm(token: str) -> str:
    return "".join(c for c in token.lower() if c.isalnum())


def _owners(expected: Sequence[tuple[int, str]], spoken: Sequence[str]) -> list[int | None]:
    """For each spoken token, the script word it was read for."""
    owners: list[int | None] = [None] * len(spoken)
    if not expected:
        return owners
    matcher = difflib.SequenceMatcher(
        a=[_norm(t) for _, t in expected], b=[_norm(t) for t in spoken], autojunk=False
    )
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        for k in range(j1, j2):
            if tag in ("equal", "replace"):
                owners[k] = expected[i1 + (k - j1) * (i2 - i1) // (j2 - j1)][0]
            elif tag == "insert":
                owners[k] = expected[max(0, i1 - 1)][0]
    return owners
