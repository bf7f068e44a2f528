"""Bilingual text: the one type for words in English and Chinese, and the one language test."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Bilingual:
    """A text (or a template: `{name}` fields filled by its user) in English and Chinese."""

    en: str
    zh: str


def is_zh(language: str) -> bool:
    """True for Chinese ('zh', 'zh-CN', 'zh_TW'…); every other language reads English."""
    return language.lower().startswith("zh")


def pick(text: Bilingual, language: str = "en") -> str:
    """The English or Chinese side of a text."""
    return text.zh if is_zh(language) else text.en


def join_words(parts: list[str], language: str = "en") -> str:
    """Words listed with the language's comma: 'Chinese, female' or '中文，女声'."""
    return ("，" if is_zh(language) else ", ").join(part for part in parts if part)


def localized(value: Any, language: str) -> Any:
    """A message field in the user's language (an Bilingual pair's side; else as it is)."""
    if isinstance(value, Bilingual):
        return pick(value, language)
    return value


def field_record(value: Any) -> Any:
    """A message field as stored: a pair as {"en", "zh"}, anything else as text."""
    if isinstance(value, Bilingual):
        return {"en": value.en, "zh": value.zh}
    return str(value)


def field_value(value: Any) -> Any:
    """A stored message field back (a pair again)."""
    if isinstance(value, Mapping) and {"en", "zh"} <= set(value):
        return Bilingual(str(value["en"]), str(value["zh"]))
    return value


class Blank(dict[str, Any]):
    """Format fields where a missing one shows as '?' (or nothing, for optional tails)."""

    def __missing__(self, key: str) -> str:
        return "" if key in ("topup", "install", "install_zh") else "?"
