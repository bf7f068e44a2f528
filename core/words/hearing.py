"""The words of hearing the video (issue 21): the transcript's summary and its language names."""

from __future__ import annotations

from core.words.text import Bilingual, pick

LANGUAGE_NAMES = {"en": Bilingual("English", "英语"), "zh": Bilingual("Chinese", "中文")}
HEARING_TEXTS: dict[str, Bilingual] = {
    "transcribed": Bilingual(
        "📝 Transcript of {name}: {length}, {lines} lines, {language}. Fix any word and send "
        "the file back to use it as the script; say “revoice it” to have it read in our voice.",
        "📝 {name} 的转写：{length}，{lines} 行，{language}。可修改后把文件发回作为脚本；"
        "说“重新配音”即可用我们的声音重新朗读。",
    ),
    "transcribe_unavailable": Bilingual("This backend can't transcribe.", "当前后端不支持转写。"),
}


def hearing_text(key: str, lang: str, **fields: object) -> str:
    """One of these texts in the user's language."""
    return pick(HEARING_TEXTS[key], lang).format(**fields)


def language_name(code: str, language: str) -> str:
    """'English' / '英语' for 'en' (the code itself when unknown)."""
    name = LANGUAGE_NAMES.get(code)
    return pick(name, language) if name else code
