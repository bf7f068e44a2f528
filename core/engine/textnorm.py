"""Text as a narrator reads it, and text split into sentences."""

from __future__ import annotations

import html
import re
import unicodedata

from core.engine.textnorm_en import english
from core.engine.textnorm_tables import (
    EMOJI_RANGES,
    NO_BREAK_AFTER,
    NO_BREAK_BEFORE_NUMBER,
)
from core.engine.textnorm_zh import chinese

# --- Markup and emoji -------------------------------------------------------------------------

_EMOJI = re.compile("[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in EMOJI_RANGES) + "]")
_MARKUP: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"</?[A-Za-z][^<>]*>"), " "),
    (re.compile(r"!\[[^\]\n]{0,500}\]\([^)\s]{0,2000}\)"), " "),
    (re.compile(r"\[([^\]\n]{1,500})\]\([^)\s]{0,2000}\)"), r"\1"),
    (re.compile(r"```[^\n]*"), " "),
    (re.compile(r"`([^`]*)`"), r"\1"),
    (re.compile(r"^\s{0,3}#{1,6}\s+", re.M), ""),
    (re.compile(r"^\s{0,3}>\s?", re.M), ""),
    (re.compile(r"^\s*([-*_])(?:\s*\1){2,}\s*$", re.M), " "),
    (re.compile(r"^\s*[-*+•]\s+", re.M), ""),
    (re.compile(r"(\*\*|__|~~)(?=\S)([^*_~\n]{1,500}?)(?<=\S)\1"), r"\2"),
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]{1,500}?)(?<=\S)\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<!\w)_(?=\S)([^_\n]{1,500}?)(?<=\S)_(?!\w)"), r"\1"),
]


def _drop_comments(text: str) -> str:
    """Text without <!-- HTML comments --> (a scan, so unclosed ones cost linear time)."""
    kept, at = [], 0
    while (start := text.find("<!--", at)) != -1 and (end := text.find("-->", start + 4)) != -1:
        kept.append(text[at:start])
        at = end + 3
    kept.append(text[at:])
    return " ".join(kept)


def strip_markup(text: str) -> str:
    """Drop HTML tags and entities, markdown markers (keeping link text) and emoji."""
    text = _drop_comments(text)
    for pattern, replacement in _MARKUP:
        text = pattern.sub(replacement, text)
    text = html.unescape(text)
    return _EMOJI.sub(" ", text)


_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?，。；：！？])")
# Piper reads [[ ... ]] as phonemes: a script's brackets are dropped (the lexicon writes them).
_BRACKETS = re.compile(r"[\[\]]+")


def normalize_for_speech(text: str, language: str = "en") -> str:
    """Text as a narrator reads it: numbers, currency, %, dates, times, ordinals, abbreviations,
    URLs and emails spelled out; emoji and markup dropped."""
    text = strip_markup(unicodedata.normalize("NFC", text))
    lang = language.lower().replace("-", "_").split("_")[0]
    if lang == "en":
        text = english(text)
    elif lang == "zh":
        text = chinese(text)
    text = " ".join(_BRACKETS.sub(" ", text).split())
    text = re.sub(r"([,;:])(?:\s*,)+", r"\1", text)
    return _SPACE_BEFORE_PUNCT.sub(r"\1", text).strip(" ,")


# --- Sentences --------------------------------------------------------------------------------

_CJK_END = re.compile(r"(?:[。！？；]+|[!?;]+(?=[\u3400-\u9fff]))[”’」』】)）]*")
_LATIN_END = re.compile(r"[.!?…]+[\"'”’)\]」』】]*(?=\s|$)")
_LOOK = 64  # characters looked at around a sentence end (no abbreviation is longer)
_INITIAL_OR_ACRONYM = re.compile(r"^(?:[A-Za-z]\.)+[A-Za-z]$|^[A-Z]$")


def _is_break(paragraph: str, end: re.Match[str]) -> bool:
    """Whether a Latin sentence end really ends a sentence."""
    rest = paragraph[end.end() : end.end() + _LOOK].lstrip()
    if not rest:
        return True
    if rest[0].islower():
        return False
    mark = end.group(0).rstrip("\"'”’)]」』】")
    if mark.endswith(("...", "…")):
        return False
    if "." not in mark:
        return True
    words_before = paragraph[max(0, end.start() - _LOOK) : end.start()].split()
    token = words_before[-1].lstrip("\"'“‘([") if words_before else ""
    word = token.lower()
    if word in ("a.m", "p.m"):
        return True
    if word in NO_BREAK_AFTER or (word in NO_BREAK_BEFORE_NUMBER and rest[0].isdigit()):
        return False
    return not _INITIAL_OR_ACRONYM.match(token)


def _split_paragraph(paragraph: str) -> list[str]:
    cuts = [m.end() for m in _CJK_END.finditer(paragraph)]
    cuts += [m.end() for m in _LATIN_END.finditer(paragraph) if _is_break(paragraph, m)]
    pieces, start = [], 0
    for cut in sorted(set(cuts)):
        pieces.append(paragraph[start:cut])
        start = cut
    pieces.append(paragraph[start:])
    return [" ".join(p.split()) for p in pieces]


def split_sentences(text: str) -> list[str]:
    """Sentences in order; abbreviations, decimals, initials and Chinese punctuation handled."""
    sentences: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        sentences += [s for s in _split_paragraph(paragraph) if any(c.isalnum() for c in s)]
    return sentences
