"""Pause markup in scripts: `[pause]` (1 s), `[pause 1.5s]`, `[pause 800ms]`, `[停顿 2秒]` and
SSML's `<break time="1s"/>`. Each is exactly that much silence: never read, never captioned."""

from __future__ import annotations

import re

from core.errors import ErrorCode, VoiceoverError

DEFAULT_PAUSE_S = 1.0
MAX_PAUSE_S = 10.0
_AMOUNT = r"(?P<{n}>\d+(?:[.,]\d+)?)\s*(?P<{u}>ms|毫秒|s|secs?|seconds?|秒)?"
PAUSE = re.compile(
    r"\[\s*(?:pause|停顿|暂停)(?:\s*" + _AMOUNT.format(n="n", u="u") + r")?\s*\]"
    r"|<break\b(?:\s+time\s*=\s*[\"']\s*" + _AMOUNT.format(n="n2", u="u2") + r"\s*[\"'])?"
    r"[^<>]*?/?>",
    re.I,
)

Piece = str | float  # words to speak, or seconds of silence


def _seconds(match: re.Match[str]) -> float:
    number = match["n"] or match["n2"]
    unit = (match["u"] or match["u2"] or "s").lower()
    if number is None:
        return DEFAULT_PAUSE_S
    value = float(number.replace(",", "."))
    return value / 1000 if unit in ("ms", "毫秒") else value


def split_pauses(text: str) -> list[Piece]:
    """The text as words and pauses in order (empty words left out); a pause over MAX_PAUSE_S
    is refused with BAD_OPTION."""
    pieces: list[Piece] = []
    at = 0
    for match in PAUSE.finditer(text):
        pieces.append(text[at : match.start()])
        seconds = _seconds(match)
        if seconds > MAX_PAUSE_S:
            raise VoiceoverError(
                ErrorCode.BAD_OPTION,
                option="A pause",
                value=f"{seconds:g} s",
                reason=f"a pause can be at most {MAX_PAUSE_S:g} seconds",
            )
        pieces.append(seconds)
        at = match.end()
    pieces.append(text[at:])
    return [p for p in pieces if not isinstance(p, str) or p.strip()]


def strip_pauses(text: str) -> str:
    """The text without its pause markup (for captions and other readers), spaces tidied."""
    return " ".join(PAUSE.sub(" ", text).split()) if PAUSE.search(text) else text


def pause_seconds(text: str) -> float:
    """All the silence the text asks for (counted in the duration gate)."""
    return sum(p for p in split_pauses(text) if isinstance(p, float))
