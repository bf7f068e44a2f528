"""Routing: which flow a message goes to (from the command table, core/chat/commands.py).
Commands first, then keywords."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache

from core.chat.commands import COMMAND_TABLE
from core.ports import Incoming


@dataclass(frozen=True)
class Route:
    """One row: an intent, its slash commands, and its keyword phrases (English, Chinese)."""

    intent: str
    commands: tuple[str, ...]
    phrases: tuple[str, ...]
    max_chars: int = 40  # longer messages are not taken as this keyword (they are conversation)
    unless: str = ""  # a message this pattern finds is not taken as this keyword
    patterns: tuple[str, ...] = ()  # whole messages (regexes) that ask for it
    asks: str = ""  # a pattern that asks for it in a longer message


# The command table's rows that a command or a keyword asks for, in its order.
ROUTES: tuple[Route, ...] = tuple(
    Route(row.intent, row.names, row.phrases, row.max_chars, row.unless, row.patterns, row.asks)
    for row in COMMAND_TABLE
    if row.names or row.phrases or row.patterns
)
# Whole messages that ask for a pronunciation fix ("say Aurora as aw-ROAR-uh"): → the lexicon
# flow with "word = say". One line, a word of at most four words, a short respelling or [[ ]].
_QUOTE = "\"'“”‘’"
_WORD = rf"[{_QUOTE}]?(?P<word>[^\s{_QUOTE}=](?:[^\n{_QUOTE}=]{{0,38}}[^\s{_QUOTE}=])?)[{_QUOTE}]?"
_PHONEMES = r"\[\[[^\n]{1,130}\]\]"
_SAY = rf"[{_QUOTE}]?(?P<say>{_PHONEMES}|[^\s\[\]{_QUOTE}][^\n\[\]{_QUOTE}]{{0,78}})[{_QUOTE}]?"
SAY_AS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        rf"^\s*(?:please\s+)?(?:say|pronounce|read)\s+{_WORD}\s+(?:as|like)\s+{_SAY}\s*[.!]?\s*$",
        rf"^\s*{_WORD}\s+is\s+pronounced\s+(?:as\s+|like\s+)?{_SAY}\s*[.!]?\s*$",
        rf"^\s*(?:请)?(?:把)?\s*{_WORD}\s*(?:读作|读成|念作|念成|发音为|读音为)\s*{_SAY}\s*[。！]?\s*$",
    )
)
SAY_AS_MAX_WORDS = 8  # a respelling longer than this is a sentence, not a fix

KEYWORD_MAX_WORDS = 8
KEYWORD_MAX_CHARS = max(row.max_chars for row in ROUTES)
COMMANDS: dict[str, str] = {cmd: row.intent for row in ROUTES for cmd in row.commands}


@dataclass(frozen=True)
class Routed:
    """Where a message goes: an intent, the command's remaining text, a suggestion if unknown."""

    intent: str  # a ROUTES intent, "converse", "did_you_mean" or "unknown_command"
    rest: str = ""
    command: str = ""
    suggestion: str = ""


@lru_cache(maxsize=256)
def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    if phrase.isascii():
        return re.compile(rf"(?<![\w/]){re.escape(phrase)}(?!\w)", re.IGNORECASE)
    return re.compile(re.escape(phrase))


def _split_command(text: str) -> tuple[str, str] | None:
    match = re.match(r"^/([A-Za-z_]+)(?:@\S+)?\s*(.*)$", text.strip(), re.DOTALL)
    return (match.group(1).lower(), match.group(2).strip()) if match else None


def route_command(command: str, rest: str = "") -> Routed:
    """A slash command (without the slash) → its intent, or a near-miss suggestion."""
    name = command.lower()
    if name in COMMANDS:
        return Routed(COMMANDS[name], rest=rest, command=name)
    close = difflib.get_close_matches(name, list(COMMANDS), n=1, cutoff=0.6)
    if close:
        return Routed("did_you_mean", rest=rest, command=name, suggestion=close[0])
    return Routed("unknown_command", rest=rest, command=name)


@lru_cache(maxsize=64)
def _row_pattern(pattern: str, flags: int = re.IGNORECASE | re.DOTALL) -> re.Pattern[str]:
    return re.compile(pattern, flags)


def route_patterns(text: str) -> str | None:
    """The intent whose whole-message patterns the message matches (its end's punctuation and
    "please" aside), or None."""
    stripped = re.sub(r"(?:\s*\bplease|\s*请)?[\s.!?。！？]*$", "", text.strip(), flags=re.I)
    for row in ROUTES:
        if any(_row_pattern(p).fullmatch(stripped) for p in row.patterns):
            return row.intent
    return None


def route_keywords(text: str) -> str | None:
    """The intent a short message asks for by keyword (a row's whole-message patterns first),
    or None."""
    found = route_patterns(text)
    if found is not None:
        return found
    stripped = text.strip()
    if not stripped or len(stripped) > KEYWORD_MAX_CHARS:
        return None
    if len(stripped.split()) > KEYWORD_MAX_WORDS:
        return None
    for row in ROUTES:
        if row.asks and _row_pattern(row.asks, re.IGNORECASE).search(stripped):
            return row.intent
        if len(stripped) > row.max_chars:
            continue
        if row.unless and _row_pattern(row.unless, re.IGNORECASE).search(stripped):
            continue
        if any(_phrase_pattern(phrase).search(stripped) for phrase in row.phrases):
            return row.intent
    return None


def route_say_as(text: str) -> Routed | None:
    """A pronunciation fix asked in words → the lexicon flow with "word = say", else None."""
    for pattern in SAY_AS:
        match = pattern.match(text)
        if match and len(match.group("say").split()) <= SAY_AS_MAX_WORDS:
            return Routed("lexicon", rest=f"{match.group('word')} = {match.group('say')}")
    return None


def route(incoming: Incoming) -> Routed:
    """Route a message: a command, then attachments (upload), then keywords, else converse."""
    if incoming.command:
        rest = incoming.text.strip()
        split = _split_command(rest)
        if split is not None and split[0] == incoming.command.lower():
            rest = split[1]  # the adapter passed the whole "/credits grant …" line
        return route_command(incoming.command, rest)
    split = _split_command(incoming.text)
    if split is not None:
        return route_command(*split)
    if incoming.attachments:
        return Routed("upload", rest=incoming.text.strip())
    fix = route_say_as(incoming.text)
    if fix is not None:
        return fix
    intent = route_keywords(incoming.text)
    return Routed(intent or "converse", rest=incoming.text.strip())


def reply_language(text: str, current: str) -> str:
    """The language a 'language' request asks for (zh or en); current when unclear."""
    lowered = text.lower()
    if any(word in lowered for word in ("chinese", "中文", "zh")):
        return "zh"
    if any(word in lowered for word in ("english", "英文", "en")):
        return "en"
    return current
