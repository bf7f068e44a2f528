"""A rule-based, table-driven reader of voiceover instructions in English and Chinese."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from core.engine.model import Aspect, Captions, Fit, MixMode, RenderOptions
from core.engine.validate import SPEED_RANGE, check_range
from core.engine.voices import LANGUAGES as VOICE_LANGUAGES
from core.errors import ErrorCode, VoiceoverError

# Language names people write ("english", "mandarin", "中文") → code, from the voices' table.
LANGUAGES: dict[str, str] = {
    name.lower(): code
    for code, (english, aliases) in VOICE_LANGUAGES.items()
    for name in (english, *aliases)
    if not (name.isascii() and len(name) <= 3)  # ISO codes like "eng" are not words people use
}
_EN_LANGS = "|".join(name for name in LANGUAGES if name.isascii())
_ZH_LANGS = "|".join(name for name in LANGUAGES if not name.isascii())
_CAPS = r"(?:captions?|subtitles?|subs)"
_SOUND = r"original\s+(?:audio|sound|track)"


PERCENT_RANGE = (0.0, 100.0)  # music volume as people say it


@dataclass(frozen=True)
class Rule:
    """A pattern (case-insensitive) that sets one field; value None → taken from group 1."""

    pattern: str
    field: str
    value: Any = None


# Per field, the first rule that matches wins: more specific rules come first.
RULES: tuple[Rule, ...] = (
    Rule(r"\b([a-z]{2,3}_[a-z]{2}-[a-z0-9_]+-(?:x_low|low|medium|high))\b", "voice"),
    Rule(r"\bvoice\s*[:=]\s*([\w-]+)", "voice"),
    Rule(r"\b(?:in|into|to)\s+(" + _EN_LANGS + r")\b", "language"),
    Rule(r"\b(" + _EN_LANGS + r")\s+(?:voice|voiceover|voice-over|narrat\w+)", "language"),
    Rule(r"(" + _ZH_LANGS + r")", "language"),
    Rule(r"\b(?:female|woman|women|feminine|girl|lady)\b|女声|女生|女性|女的", "gender", "female"),
    Rule(r"\b(?:male|man|men|masculine|guy)\b|男声|男生|男性|男的", "gender", "male"),
    Rule(r"\b(?:speed|rate|pace)\s*(?:to|at|of|=|:)?\s*(\d+(?:\.\d+)?)\s*x?(?!\w)", "speed"),
    Rule(r"\b(\d+(?:\.\d+)?)\s*x\s+speed\b|语速\s*(\d+(?:\.\d+)?)", "speed"),
    Rule(r"\b(?:normal|regular|original)\s+speed\b|正常语速", "speed", 1.0),
    Rule(r"\b(?:much|a lot)\s+slower\b|慢很多", "speed_delta", -0.2),
    Rule(r"\b(?:much|a lot)\s+faster\b|快很多", "speed_delta", 0.2),
    Rule(
        r"\b(?:slower|slow down|more slowly)\b|慢一点|慢一些|慢点|放慢|慢些", "speed_delta", -0.1
    ),
    Rule(
        r"\b(?:faster|speed up|quicker|more quickly)\b|快一点|快一些|快点|加快|快些",
        "speed_delta",
        0.1,
    ),
    Rule(
        rf"\b(?:remove|no|without|drop|delete|turn off|disable|hide)\s+(?:the\s+|any\s+)?{_CAPS}\b"
        r"|去掉字幕|不要字幕|删除字幕|关闭字幕|无字幕",
        "captions",
        Captions.NONE,
    ),
    Rule(
        rf"\b(?:burn(?:ed|t)?(?:-|\s)?in|burn|hard-?code|hard-?coded|hard)\s+(?:the\s+)?{_CAPS}\b"
        rf"|\b{_CAPS}\s+burn(?:ed|t)?\s+in\b|烧录字幕|硬字幕|内嵌字幕|字幕烧录",
        "captions",
        Captions.BURN,
    ),
    Rule(
        rf"\b(?:add|with|include|soft|turn on|enable|show)\s+(?:the\s+)?(?:soft\s+)?{_CAPS}\b"
        r"|加字幕|添加字幕|加上字幕|软字幕|显示字幕",
        "captions",
        Captions.SOFT,
    ),
    Rule(r"(?<![\d.])(9:16|16:9|1:1|4:5)(?![\d])", "aspect"),
    Rule(r"\b(?:vertical|portrait|tiktok|reels|shorts)\b|竖屏|竖版", "aspect", Aspect.TALL),
    Rule(r"\b(?:horizontal|landscape|widescreen)\b|横屏|横版", "aspect", Aspect.WIDE),
    Rule(r"\bsquare\b|正方形|方形|方屏", "aspect", Aspect.SQUARE),
    Rule(r"\boriginal\s+(?:aspect|size|ratio|format)\b|原始比例", "aspect", Aspect.ORIGINAL),
    Rule(
        r"\b(?:don'?t crop|no crop|without cropping|pad|letterbox|black bars)\b|不要裁剪|黑边",
        "fit",
        Fit.PAD,
    ),
    Rule(r"\b(?:crop|fill the frame|zoom to fill)\b|裁剪|裁切|填满", "fit", Fit.CROP),
    Rule(
        r"\b(?:no|remove|mute|without)\s+(?:the\s+)?(?:background\s+)?music\b"
        r"|去掉(?:背景)?音乐|不要(?:背景)?音乐",
        "music_volume",
        0.0,
    ),
    Rule(
        r"\b(?:music|bgm)\b[^.\n\d%]{0,20}?(\d{1,3})\s*%|(\d{1,3})\s*%\s*(?:music|bgm)\b"
        r"|(?:背景音乐|音乐|配乐)[^\d%]{0,8}(\d{1,3})\s*%?",
        "music_volume",
    ),
    Rule(
        r"\b(?:quieter music|music quieter|lower the music|turn (?:the\s+)?music down)\b"
        r"|音乐小一点|音乐小声",
        "music_delta",
        -0.1,
    ),
    Rule(
        r"\b(?:louder music|music louder|raise the music|turn (?:the\s+)?music up)\b"
        r"|音乐大一点|音乐大声",
        "music_delta",
        0.1,
    ),
    Rule(r"\bkeep\s+(?:the\s+)?" + _SOUND + r"|保留原声", "mix", MixMode.KEEP),
    Rule(
        rf"\b(?:replace|mute|remove|drop|without|no)\s+(?:the\s+)?{_SOUND}"
        r"|替换原声|去掉原声|静音原声|不要原声",
        "mix",
        MixMode.REPLACE,
    ),
    Rule(r"\bduck(?:ing)?\b|\blower the " + _SOUND + r"|压低原声", "mix", MixMode.DUCK),
    Rule(
        r"\b(?:voice-?overs?|voice overs?|narrat\w*|read(?:ing)? (?:out )?(?:my|the|this) "
        r"script|dub\w*)\b|配音|旁白|朗读|解说",
        "generate",
        True,
    ),
)

INSTRUCTION_MAX_WORDS = 25
_SPLITS = (r"\n", r"[:：]\s*", r"(?<!\d)[.!?](?:\s+|$)|[。！？]")


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
    return raw


def read_changes(text: str) -> dict[str, Any]:
    """Every option the text sets, by the table (first rule per field wins)."""
    changes: dict[str, Any] = {}
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


def _leftover(text: str) -> int:
    """Words (or CJK characters) that no rule and no filler word explains."""
    for rule in RULES:
        text = _compiled(rule.pattern).sub(" ", text)
    words = [w for w in re.findall(r"[\w'-]+", text.lower()) if w.isascii() and w not in FILLER]
    cjk = ZH_FILLER.sub("", "".join(re.findall(r"[^\x00-\x7f]", text)))
    return len(words) + len(cjk)


def _instruction_only(text: str, slack: int) -> dict[str, Any]:
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
            changes = _instruction_only(parts[0], slack=3)
            if changes:
                return Instructions(changes, parts[1].strip())
    changes = _instruction_only(text, slack=3)
    if changes:
        return Instructions(changes, None)
    return Instructions({}, text or None)


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
    for name in ("voice", "language", "gender", "captions", "aspect", "fit", "mix"):
        if name in changes:
            values[name] = changes[name]
    if "language" in changes and "voice" not in changes:
        values["voice"] = None
    if "gender" in changes and "voice" not in changes:
        values["voice"] = None
    return replace(options, **{k: _coerce(k, v) for k, v in values.items()})


_ENUMS: dict[str, Any] = {"captions": Captions, "aspect": Aspect, "fit": Fit, "mix": MixMode}


def _coerce(name: str, value: Any) -> Any:
    enum = _ENUMS.get(name)
    if enum is None or value is None:
        return value
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise VoiceoverError(
            ErrorCode.BAD_OPTION, option=name, value=value, reason=f"use {allowed}"
        ) from None
