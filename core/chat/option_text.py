"""Options as words: what changed ('✅ Speed: 0.9×') and slash-command options as text."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from core.backends.local.instructions import LANGUAGES
from core.engine.model import RenderOptions
from core.engine.voices import language_words

LABELS: dict[str, tuple[str, str]] = {
    "voice": ("Voice", "声音"),
    "language": ("Language", "语言"),
    "gender": ("Voice", "声音"),
    "speed": ("Speed", "语速"),
    "captions": ("Captions", "字幕"),
    "aspect": ("Aspect", "画幅"),
    "fit": ("Fit", "适配"),
    "music_volume": ("Music", "音乐"),
    "mix": ("Original audio", "原声"),
    "speakers": ("Speakers' voices", "说话人声音"),
}
VALUE_TEXT: dict[str, tuple[str, str]] = {
    "none": ("off", "关闭"),
    "soft": ("on (soft)", "开启（软字幕）"),
    "burn": ("burned in", "烧录"),
    "male": ("male", "男声"),
    "female": ("female", "女声"),
    "duck": ("lowered under the voice", "压低"),
    "replace": ("replaced", "替换"),
    "keep": ("kept", "保留"),
    "pad": ("pad", "留黑边"),
    "crop": ("crop", "裁剪"),
}


def _shown(name: str, value: Any, zh: bool) -> str:
    if name == "speed":
        return f"{value:g}×"
    if name == "music_volume":
        return f"{round(value * 100)}%"
    if name == "language":
        return language_words(str(value)).zh if zh else language_words(str(value)).en
    if name == "speakers":
        return ("，" if zh else ", ").join(
            f"{label}{'：' if zh else ': '}{_shown(_want_kind(want), want, zh)}"
            for label, want in value
        )
    pair = VALUE_TEXT.get(str(value))
    return (pair[1] if zh else pair[0]) if pair else str(value)


def _want_kind(want: str) -> str:
    """How to show a speaker's voice request: as a language, or as a gender or voice id."""
    return "language" if want in LANGUAGE_NAMES else "voice"


def describe_options(before: RenderOptions, after: RenderOptions, language: str) -> list[str]:
    """One '✅ Speed: 0.9×' line per option that changed."""
    zh = language.lower().startswith("zh")
    lines = []
    for option in fields(RenderOptions):
        old, new = getattr(before, option.name), getattr(after, option.name)
        if old != new and option.name in LABELS and new is not None:
            label = LABELS[option.name][1 if zh else 0]
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
MIX_PHRASES = {
    "duck": "duck the original audio",
    "replace": "replace the original audio",
    "keep": "keep the original audio",
}
LANGUAGE_NAMES = {code: name for name, code in reversed(LANGUAGES.items()) if name.isascii()}


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
        if name == "mix" and value.lower() in MIX_PHRASES:
            phrases.append(MIX_PHRASES[value.lower()])
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
