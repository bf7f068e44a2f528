"""Options as words: what changed ('✅ Speed: 0.9×') and slash-command options as text."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from core.words.languages import LANGUAGES, language_words
from core.words.text import Bilingual, is_zh, pick

LABELS: dict[str, Bilingual] = {
    "voice": Bilingual("Voice", "声音"),
    "language": Bilingual("Language", "语言"),
    "gender": Bilingual("Voice", "声音"),
    "speed": Bilingual("Speed", "语速"),
    "captions": Bilingual("Captions", "字幕"),
    "aspect": Bilingual("Aspect", "画幅"),
    "fit": Bilingual("Fit", "适配"),
    "music_volume": Bilingual("Music", "音乐"),
    "mix": Bilingual("Original audio", "原声"),
    "speakers": Bilingual("Speakers' voices", "说话人声音"),
    "overrun": Bilingual("When the voice is longer than the video", "配音比视频长时"),
    "sync": Bilingual("Sync to the cuts", "对齐镜头"),
    "hold": Bilingual("A paragraph longer than its shot", "段落比镜头长时"),
}
VALUE_TEXT: dict[str, Bilingual] = {
    "none": Bilingual("off", "关闭"),
    "soft": Bilingual("on (soft)", "开启（软字幕）"),
    "burn": Bilingual("burned in", "烧录"),
    "male": Bilingual("male", "男声"),
    "female": Bilingual("female", "女声"),
    "duck": Bilingual("lowered under the voice", "压低"),
    "replace": Bilingual("replaced", "替换"),
    "keep": Bilingual("kept", "保留"),
    "pad": Bilingual("pad", "留黑边"),
    "crop": Bilingual("crop", "裁剪"),
    "extend": Bilingual("extend the video", "延长视频"),
    "speedup": Bilingual("fit the voice to the video", "配音适配视频"),
    "shots": Bilingual("on", "开启"),
    "auto": Bilingual("when the paragraphs match the shots", "段落数与镜头数相同时"),
    "freeze": Bilingual("freeze the picture", "定格画面"),
    "slow": Bilingual("slow the video", "放慢画面"),
}


def _shown(name: str, value: Any, zh: bool) -> str:
    if name == "speed":
        return f"{value:g}×"
    if name == "music_volume":
        return f"{round(value * 100)}%"
    if name == "language":
        return pick(language_words(str(value)), "zh" if zh else "en")
    if name == "speakers":
        return ("，" if zh else ", ").join(
            f"{label}{'：' if zh else ': '}{_shown(_want_kind(want), want, zh)}"
            for label, want in value
        )
    text = VALUE_TEXT.get(str(value))
    return pick(text, "zh" if zh else "en") if text else str(value)


def _want_kind(want: str) -> str:
    """How to show a speaker's voice request: as a language, or as a gender or voice id."""
    return "language" if want in LANGUAGE_NAMES else "voice"


def describe_options(before: Any, after: Any, language: str) -> list[str]:
    """One '✅ Speed: 0.9×' line per option of two RenderOptions that changed."""
    zh = is_zh(language)
    lines = []
    for option in fields(before):
        old, new = getattr(before, option.name), getattr(after, option.name)
        if old != new and option.name in LABELS and new is not None:
            label = pick(LABELS[option.name], language)
            colon = "：" if zh else ": "
            lines.append(f"✅ {label}{colon}{_shown(option.name, new, zh)}")
    return lines


ARG_PHRASES: dict[str, str] = {
    "voice": "voice: {value}",
    "speed": "speed {value}",
    "aspect": "{value}",
    "music_volume": "music at {value}%",
    "gender": "{value} voice",
    "language": "in {value}",
}
CAPTION_PHRASES = {"none": "remove captions", "soft": "add captions", "burn": "burn the captions"}
# Language code → the English word for it people write (as the instruction parser reads it).
LANGUAGE_NAMES = {
    code: name
    for name, code in reversed(
        {
            name.lower(): code
            for code, (english, aliases) in LANGUAGES.items()
            for name in (english, *aliases)
            if not (name.isascii() and len(name) <= 3)
        }.items()
    )
    if name.isascii()
}


def args_to_text(args: dict[str, str]) -> str:
    """Slash-command options as the instruction text the parser reads back exactly."""
    phrases = []
    for name, value in args.items():
        value = str(value).strip()
        if not value or name == "script":
            continue
        if name == "captions":
            phrases.append(CAPTION_PHRASES.get(value.lower(), f"{value} captions"))
            continue
        if name == "music_volume" and "." in value and float(value) <= 1:
            value = f"{round(float(value) * 100)}"
        if name == "language":
            value = LANGUAGE_NAMES.get(value.lower()[:2], value)
        if name == "aspect" and value == "original":
            value = "original aspect"
        phrases.append(ARG_PHRASES.get(name, "{value}").format(value=value.rstrip("%")))
    head = ", ".join(phrases) or ("voiceover" if args.get("script") else "")
    script = str(args.get("script", "")).strip()
    return f"{head}\n{script}".strip() if script else head
