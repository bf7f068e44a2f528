"""What goes onto the shots, and how long each piece is, decided from the script's text alone.

Items are the script's paragraphs, or the sentences of a one-paragraph script; a pause (and a
paragraph of pauses only) belongs to the item before it. An item's weight, which decides how
many shots it takes when their numbers differ, is its words (a CJK character one, a token with
no letter or digit none) and its pauses at PAUSE_WORDS_PER_S. The same rules read the units of
a narration (`unit_items`, `unit_weights`) and a script before it is spoken (`script_items`),
so a preview lays its paragraphs as the render will, and Piper's varying timing never moves a
paragraph to another shot from one render to the next.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from core.engine.model import Script
from core.engine.pauses import Piece, split_pauses
from core.engine.script_text import cjk_characters, spaced_words
from core.engine.textnorm import split_sentences

PAUSE_WORDS_PER_S = 2.5
_LETTER = re.compile(r"\w")


class Unit(Protocol):
    """What the items read of a narration unit."""

    @property
    def text(self) -> str: ...  # empty for a pause
    @property
    def paragraph(self) -> int: ...


def text_weight(text: str) -> float:
    """How long a text reads, in words."""
    return float(cjk_characters(text) + sum(1 for w in spaced_words(text) if _LETTER.search(w)))


def unit_items(units: Sequence[Unit]) -> list[int]:
    """Each unit's item (0, 1, … in order)."""
    texts = [u.paragraph for u in units if u.text]
    by_paragraph = len(set(texts)) > 1
    items, n, current = [], -1, None
    for u in units:
        if u.text and (not by_paragraph or u.paragraph != current):
            n += 1
            current = u.paragraph
        items.append(max(n, 0))
    return items


def unit_weights(units: Sequence[Unit], pause_s: Sequence[float]) -> list[float]:
    """Each item's weight (`pause_s`: each unit's silence, for the units without text)."""
    item_of = unit_items(units)
    weights = [0.0] * (max(item_of) + 1 if item_of else 0)
    for u, item, silence in zip(units, item_of, pause_s, strict=True):
        weights[item] += text_weight(u.text) if u.text else silence * PAUSE_WORDS_PER_S
    return weights


@dataclass(frozen=True)
class Item:
    """One item of a script: the cue it is in, its sentences and pauses, its weight."""

    cue: int
    pieces: tuple[Piece, ...]
    weight: float


def _pieces(text: str) -> list[Piece]:
    """The text's sentences and pauses, in order."""
    found: list[Piece] = []
    for piece in split_pauses(text):
        found += [piece] if isinstance(piece, float) else split_sentences(piece)
    return found


def paragraphs(script: Script) -> int:
    """How many of the script's paragraphs have something to say (pauses alone do not)."""
    return sum(1 for c in script.cues if any(_speaks(x) for x in _pieces(c.text)))


def script_items(script: Script) -> list[Item]:
    """The items of an untimed script, as its narration will have them (see the docstring)."""
    cues = [_pieces(c.text) for c in script.cues]
    by_paragraph = paragraphs(script) > 1
    items: list[tuple[int, list[Piece]]] = []
    before: list[Piece] = []  # pauses before the first item: they are its own
    for n, pieces in enumerate(cues):
        for x in pieces:
            if _speaks(x) and (not by_paragraph or not items or items[-1][0] != n):
                items.append((n, [*before, x]))
                before = []
            elif items:
                items[-1][1].append(x)
            else:
                before.append(x)
    return [Item(n, tuple(p), sum(_weight(x) for x in p)) for n, p in items]


def _speaks(piece: Piece) -> bool:
    return isinstance(piece, str) and text_weight(piece) > 0


def _weight(piece: Piece) -> float:
    return piece * PAUSE_WORDS_PER_S if isinstance(piece, float) else text_weight(piece)
