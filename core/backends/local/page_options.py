"""The edit page's project options: what its controls show, the choices they offer (from the
options' own enum tables and the caption colours), and a save's values read back by the chat's
rule (instructions.apply_changes: the same ranges, enum values and caption looks, a look asking
for burned-in captions), with an error per option."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from core.backends.local.instructions import apply_changes
from core.backends.local.project import options_to_json
from core.engine.caption_styles import COLOURS, MAX_SCALE, MIN_SCALE, colour_code, colour_name
from core.engine.model import OPTION_ENUMS, RenderOptions
from core.engine.validate import SPEED_RANGE, VOLUME_RANGE, check_range
from core.errors import ErrorCode, VoiceoverError

# In this order: a caption look read after the captions' mode may turn them to burned in.
PAGE_OPTIONS = (
    "voice",
    "speed",
    "captions",
    "caption_style",
    "caption_position",
    "caption_colour",
    "caption_scale",
    "aspect",
    "mix",
    "music_volume",
    "sync",
)
LOOK_OPTIONS = ("caption_style", "caption_position", "caption_colour", "caption_scale")
# The number controls: (lowest, highest, step) as the page shows them (music in percent).
NUMBERS: dict[str, tuple[float, float, float]] = {
    "speed": (*SPEED_RANGE, 0.05),
    "caption_scale": (MIN_SCALE, MAX_SCALE, 0.1),
    "music_volume": (VOLUME_RANGE[0] * 100, VOLUME_RANGE[1] * 100, 5.0),
}


def page_choices() -> dict[str, list[str]]:
    """Each choice control's values: an enum option's members; the colours' names ("": the
    style's own)."""
    chosen = {n: [m.value for m in OPTION_ENUMS[n]] for n in PAGE_OPTIONS if n in OPTION_ENUMS}
    chosen["caption_colour"] = ["", *COLOURS]
    return chosen


def shown_options(options: RenderOptions) -> dict[str, Any]:
    """The project's options as the page's controls hold them (a colour by its name)."""
    data = options_to_json(options)
    shown = {name: data[name] for name in PAGE_OPTIONS}
    shown["voice"] = shown["voice"] or ""
    shown["caption_colour"] = colour_name(options.caption_colour)
    return shown


def _number(value: Any, what: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise VoiceoverError(ErrorCode.BAD_OPTION, option=what, value=str(value)[:40]) from None


def _change(name: str, value: Any, now: RenderOptions, voices: set[str]) -> dict[str, Any]:
    """One control's value as the change a chat message would make (BAD_OPTION, or
    VOICE_NOT_INSTALLED, when it is not one)."""
    if name == "voice":
        if value and str(value) not in voices:
            raise VoiceoverError(ErrorCode.VOICE_NOT_INSTALLED, voice=str(value))
        return {"voice": str(value) or None}
    if name in ("speed", "music_volume"):
        return {name: _number(value, name.replace("_", " "))}
    if name == "caption_colour":
        if str(value) not in ("", *COLOURS):
            reason = f"use {', '.join(COLOURS)}"
            raise VoiceoverError(
                ErrorCode.BAD_OPTION, option="caption colour", value=str(value)[:40], reason=reason
            )
        return {"caption_colour": colour_code(str(value))}
    if name == "caption_scale":
        scale = check_range("caption size", _number(value, "caption size"), NUMBERS[name][:2])
        return {"caption_scale_delta": scale - now.caption_scale}
    return {name: str(value)[:40]}  # an enum's value: apply_changes takes it or refuses it


def read_options(
    data: dict[str, Any], before: RenderOptions, voices: set[str]
) -> tuple[RenderOptions, dict[str, VoiceoverError]]:
    """The page's options on top of the project's, each control's value that changed applied
    as the chat applies a message's; what was refused, per option."""
    options, refused = before, {}
    for name in PAGE_OPTIONS:
        if data.get(name) is None:
            continue
        try:
            after = apply_changes(options, _change(name, data[name], options, voices))
        except VoiceoverError as err:
            said = {
                **err.fields,
                "option": name.replace("_", " "),
            }  # in words, not "caption_style"
            refused[name] = VoiceoverError(err.code, **said) if "option" in err.fields else err
            continue
        if getattr(after, name) != getattr(options, name):
            options = after
    if options.voice and options.voice != before.voice:  # an explicit voice decides those
        options = replace(options, language=None, gender=None)
    return options, refused
