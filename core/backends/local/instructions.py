"""A rule-based, table-driven reader of voiceover instructions in English and Chinese."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from core.backends.local.instruction_rules import (
    LANGUAGES,
    NOT_LABELS,
    RULES,
    SPEAKER_EXAMPLES,
    SPEAKER_RULES,
    SPEAKER_WANTS,
    Rule,
)
from core.backends.local.look_rules import COLOUR_WORDS
from core.engine.caption_styles import colour_code, look_values
from core.engine.model import (
    OPTION_ENUMS,
    RenderOptions,
)
from core.engine.validate import SPEED_RANGE, check_range
from core.errors import ErrorCode, VoiceoverError

PERCENT_RANGE = (0.0, 100.0)  # music volume as people say it
INSTRUCTION_MAX_WORDS = 25
_SPLITS = (r"\n", r"(?<!\d)[:：](?!\d)\s*", r"(?<!\d)[.!?](?:\s+|$)|[。！？]")


@dataclass
class Instructions:
    """What a message asked for: option changes, and the script if it carried one."""

    changes: dict[str, Any] = field(default_factory=dict)
    script: str | None = None

    @property
    def any(self) -> bool:
        """True when at least one instruction (even just 'make a voiceover') was found."""
        return bool(self.changes)


@lru_cache(maxsize=64)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def _value(rule: Rule, match: re.Match[str]) -> Any:
    if rule.value is not None:
        return rule.value
    raw = next(group for group in match.groups() if group is not None)
    if rule.field == "language":
        return LANGUAGES[raw.lower()]
    if rule.field == "speed":
        return float(raw)
    if rule.field == "music_volume":
        return int(raw) / 100
    if rule.field == "caption_colour":
        return colour_code(COLOUR_WORDS.get(raw, raw.lower()))
    return raw


def read_speakers(text: str) -> tuple[dict[str, str], str]:
    """Per-label voice requests in the text ({"A": "male", "Anna": "en_US-amy-medium",
    "B": "zh"}) and the text without them."""
    found: dict[str, str] = {}

    def take(match: re.Match[str]) -> str:
        label, want = match["label"], match["want"]
        if label.casefold() in NOT_LABELS:
            return match[0]
        found[label] = SPEAKER_WANTS.get(want.lower()) or LANGUAGES.get(want.lower(), want)
        return " "

    for pattern in SPEAKER_RULES:
        text = _compiled(pattern).sub(take, text)
    return found, text


def read_changes(text: str) -> dict[str, Any]:
    """Every option the text sets, by the table (first rule per field wins); speakers' voices
    first, from every match."""
    speakers, text = read_speakers(text)
    changes: dict[str, Any] = {"speakers": speakers} if speakers else {}
    for rule in RULES:
        if rule.field in changes:
            continue
        match = _compiled(rule.pattern).search(text)
        if match:
            changes[rule.field] = _value(rule, match)
    return changes


FILLER = frozenset(
    [
        "a",
        "an",
        "the",
        "it",
        "its",
        "this",
        "that",
        "my",
        "me",
        "to",
        "at",
        "in",
        "into",
        "on",
        "of",
        "for",
        "with",
        "and",
        "or",
        "but",
        "please",
        "pls",
        "make",
        "set",
        "use",
        "using",
        "change",
        "switch",
        "turn",
        "put",
        "add",
        "give",
        "let",
        "can",
        "could",
        "would",
        "you",
        "i",
        "want",
        "like",
        "voice",
        "sound",
        "audio",
        "video",
        "instead",
        "now",
        "just",
        "bit",
        "little",
        "more",
        "some",
        "also",
        "then",
        "be",
        "is",
        "natural",
        "natural-sounding",
        "nice",
        "good",
        "clear",
    ]
)
ZH_FILLER = re.compile(r"[请用把的改成调到吧声音一点些和并且再也，,。.!！、\s]")


def unexplained(text: str) -> str:
    """The text with every rule's (and speaker rule's) words taken out."""
    text = read_speakers(text)[1]
    for rule in RULES:
        text = _compiled(rule.pattern).sub(" ", text)
    return text


def rule_spans(text: str) -> list[tuple[int, int]]:
    """Where the rules (and speaker rules) match in the text."""
    patterns = [*SPEAKER_RULES, *(rule.pattern for rule in RULES)]
    return [m.span() for p in patterns for m in _compiled(p).finditer(text)]


def _leftover(text: str) -> int:
    """Words (or CJK characters) that no rule and no filler word explains."""
    text = unexplained(text)
    words = [w for w in re.findall(r"[\w'-]+", text.lower()) if w.isascii() and w not in FILLER]
    cjk = ZH_FILLER.sub("", "".join(re.findall(r"[^\x00-\x7f]", text)))
    return len(words) + len(cjk)


def instruction_only(text: str, slack: int) -> dict[str, Any]:
    """The changes when text is essentially instructions (at most `slack` unexplained words)."""
    if len(text.split()) > INSTRUCTION_MAX_WORDS or len(text) > 200:
        return {}
    changes = read_changes(text)
    return changes if changes and _leftover(text) <= slack else {}


def parse(text: str) -> Instructions:
    """Split a message into instructions and a script (text that is not an instruction)."""
    text = text.strip()
    for separator in _SPLITS:
        parts = re.split(separator, text, maxsplit=1)
        if len(parts) == 2 and parts[1].strip():
            changes = instruction_only(parts[0], slack=3)
            if changes:
                return Instructions(changes, parts[1].strip())
    changes = instruction_only(text, slack=3)
    if changes:
        return Instructions(changes, None)
    return Instructions({}, text or None)


def examples(language: str) -> list[str]:
    """What people can say, from the rule table: one example per rule that has one (and the
    speakers'), in the language; /help lists them."""
    side = 1 if language.lower().startswith("zh") else 0
    said = [rule.say[side] for rule in RULES if rule.say[side]]
    return [*said, SPEAKER_EXAMPLES[side]]


def apply_changes(options: RenderOptions, changes: dict[str, Any]) -> RenderOptions:
    """The options after these changes (BAD_OPTION when a value is out of range)."""
    values: dict[str, Any] = {}
    if "speed" in changes or "speed_delta" in changes:
        speed = changes.get("speed", options.speed + changes.get("speed_delta", 0.0))
        values["speed"] = round(check_range("speed", float(speed), SPEED_RANGE), 2)
    if "music_volume" in changes or "music_delta" in changes:
        delta = changes.get("music_delta", 0.0)
        volume = changes.get("music_volume", options.music_volume + delta)
        percent = check_range("music volume", float(volume) * 100, PERCENT_RANGE)
        values["music_volume"] = round(percent, 2) / 100
    if "speakers" in changes:
        values["speakers"] = _merged_speakers(options.speakers, changes["speakers"])
    fields = ("voice", "language", "gender", "captions", "aspect", "fit", "mix", "overrun")
    for name in (*fields, "sync", "hold"):
        if name in changes:
            values[name] = changes[name]
    values.update(look_values(options, changes))
    if "language" in changes and "voice" not in changes:
        values["voice"] = None
    if "gender" in changes and "voice" not in changes:
        values["voice"] = None
    return replace(options, **{k: _coerce(k, v) for k, v in values.items()})


def _merged_speakers(
    old: tuple[tuple[str, str], ...], new: dict[str, str]
) -> tuple[tuple[str, str], ...]:
    """The speakers' voice requests, new ones replacing old ones for the same label (any case)."""
    renamed = {label.casefold() for label in new}
    kept = [(label, want) for label, want in old if label.casefold() not in renamed]
    return tuple(sorted([*kept, *new.items()]))


def _coerce(name: str, value: Any) -> Any:
    enum = OPTION_ENUMS.get(name)
    if enum is None or value is None:
        return value
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise VoiceoverError(
            ErrorCode.BAD_OPTION, option=name, value=value, reason=f"use {allowed}"
        ) from None
