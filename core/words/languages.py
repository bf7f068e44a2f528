"""Languages and genders as people name them, in English and Chinese (a table)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from core.words.text import Bilingual

GENDER_TEXT: dict[str, Bilingual] = {
    "male": Bilingual("male", "男声"),
    "female": Bilingual("female", "女声"),
}

# Language code → (English name, other names people type).
LANGUAGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "en": ("English", ("eng", "英语", "英文", "anglais", "inglés", "englisch")),
    "zh": (
        "Chinese",
        ("zho", "chi", "cmn", "mandarin", "中文", "汉语", "普通话", "国语", "chinois"),
    ),
    "es": ("Spanish", ("español", "espanol", "西班牙语")),
    "fr": ("French", ("français", "francais", "法语")),
    "de": ("German", ("deutsch", "德语")),
    "it": ("Italian", ("italiano", "意大利语")),
    "pt": ("Portuguese", ("português", "portugues", "葡萄牙语")),
    "ru": ("Russian", ("русский", "俄语")),
    "ja": ("Japanese", ("日本語", "日语")),
    "ko": ("Korean", ("한국어", "韩语")),
    "nl": ("Dutch", ("nederlands", "荷兰语")),
    "pl": ("Polish", ("polski", "波兰语")),
    "uk": ("Ukrainian", ("українська", "乌克兰语")),
    "ar": ("Arabic", ("العربية", "阿拉伯语")),
    "hi": ("Hindi", ("हिन्दी", "印地语")),
    "tr": ("Turkish", ("türkçe", "土耳其语")),
    "vi": ("Vietnamese", ("tiếng việt", "越南语")),
    "sv": ("Swedish", ("svenska", "瑞典语")),
    "fi": ("Finnish", ("suomi", "芬兰语")),
    "cs": ("Czech", ("čeština", "捷克语")),
    "el": ("Greek", ("ελληνικά", "希腊语")),
    "he": ("Hebrew", ("עברית", "希伯来语")),
}
_HAN = re.compile(r"[\u4e00-\u9fff]+")


def language_name(code: str) -> str:
    """The English name of a language code ("en" or "en_US" → "English")."""
    lang = code.split("_")[0].lower()
    return LANGUAGES[lang][0] if lang in LANGUAGES else code


def language_words(code: str) -> Bilingual:
    """A language's name in English and Chinese ("zh_CN" → Chinese / 中文)."""
    lang = code.split("_")[0].lower()
    english, others = LANGUAGES.get(lang, (code, ()))
    chinese = next((name for name in others if _HAN.fullmatch(name)), english)
    return Bilingual(english, chinese)


def languages_words(codes: Sequence[str]) -> Bilingual:
    """Several languages named in English and Chinese: "English, German" / "英语、德语"."""
    names = sorted({language_name(c): language_words(c) for c in codes}.items())
    return Bilingual(", ".join(n for n, _ in names), "、".join(w.zh for _, w in names))
