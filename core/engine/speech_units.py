"""A script cut into the units a narration speaks: a sentence (or a timed cue) with the
pause before it and the voice that reads it; a pause alone is a unit without text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.engine.lexicon import Lexicon
from core.engine.model import Script, VoiceInfo
from core.engine.pauses import Piece, split_pauses, strip_pauses
from core.engine.textnorm import normalize_for_speech, split_sentences

# Pauses at speed 1.0, in seconds (they shrink or grow with the speed).
LEAD_IN_S = 0.5
SENTENCE_GAP_S = 0.35
PARAGRAPH_GAP_S = 0.75
CUE_SENTENCE_GAP_S = 0.2
MIN_TIMED_GAP_S = 0.1
TAIL_S = 0.6
MAX_TTS_SPEED = 2.0


@dataclass(frozen=True)
class Unit:
    """A piece of script spoken as one segment (a sentence, or a timed cue); a pause alone is
    a unit without text (its silence placed, no segment)."""

    text: str
    sentences: tuple[Piece, ...]  # words to read, or seconds of exact silence
    cue_s: float | None
    gap_before_s: float
    voice: VoiceInfo
    paragraph: int = 0  # the script cue it comes from
    pace: float = 1.0  # its cue's own speed over the render's (a line's speed on the edit page)


def spoken_text(text: str, language: str, lexicon: Lexicon) -> str:
    """What the voice reads: the text normalised, then the lexicon's fixes applied."""
    return lexicon.apply(normalize_for_speech(text, language)).strip()


def spoken_pieces(text: str, language: str, lexicon: Lexicon) -> list[Piece]:
    """A cue's text as the voice reads it: its sentences spoken, its pauses in seconds."""
    pieces: list[Piece] = []
    for piece in split_pauses(text):
        if isinstance(piece, float):
            pieces.append(piece)
            continue
        spoken = [spoken_text(s, language, lexicon) for s in split_sentences(piece)]
        pieces += [s for s in spoken if s]
    return pieces


def untimed_units(
    script: Script, voices: Sequence[VoiceInfo], lexicon: Lexicon, speed: float = 1.0
) -> list[Unit]:
    """A unit per sentence, and per pause (its silence replaces the natural gaps around it);
    `speed` is the render's (a cue with its own is read at that pace)."""
    units: list[Unit] = []
    for n, (cue, voice) in enumerate(zip(script.cues, voices, strict=True)):
        pace = cue.speed / speed if cue.speed else 1.0
        language = voice.language_code  # the text is normalised for the voice that reads it
        first = True
        for piece in split_pauses(cue.text):
            if isinstance(piece, float):
                units.append(Unit("", (piece,), None, 0.0, voice, n))
                continue
            for sentence in split_sentences(piece):
                spoken = spoken_text(sentence, language, lexicon)
                if not spoken:
                    continue
                gap = LEAD_IN_S if not units else (PARAGRAPH_GAP_S if first else SENTENCE_GAP_S)
                if units and not units[-1].text:
                    gap = 0.0  # right after a pause
                units.append(Unit(sentence, (spoken,), None, gap, voice, n, pace))
                first = False
    return units


def timed_units(
    script: Script, voices: Sequence[VoiceInfo], lexicon: Lexicon, speed: float = 1.0
) -> list[Unit]:
    """A unit per cue, its pauses kept in place as silences (a cue's own speed as its pace)."""
    units: list[Unit] = []
    for n, (cue, voice) in enumerate(zip(script.cues, voices, strict=True)):
        pace = cue.speed / speed if cue.speed else 1.0
        pieces = spoken_pieces(cue.text, voice.language_code, lexicon)
        if not any(isinstance(p, str) for p in pieces):
            continue
        gap = 0.0 if not units else MIN_TIMED_GAP_S
        text = strip_pauses(cue.text)
        units.append(Unit(text, tuple(pieces), cue.start_s, gap, voice, n, pace))
    return units
