"""Caption looks: five presets, three positions, a colour and a size, written as ASS.

Every look keeps its text inside the safe area: the side margins are 7% of the width and the
top or bottom margin 7% (12% on tall frames, under the platforms' buttons); lines are broken
to fit between the side margins. Karaoke writes one event per word: the whole caption, with
the word being spoken in the highlight colour (Chinese: per character).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.engine.captions import Cue, ass_text, ass_time, wrap_cjk
from core.engine.model import CaptionPosition, Captions, CaptionStyle, RenderOptions
from core.words.fonts import LATIN_FAMILY, has_cjk

WHITE, BLACK, YELLOW = "&H00FFFFFF", "&H00101010", "&H0000E5FF"
ALIGN = {CaptionPosition.BOTTOM: 2, CaptionPosition.MIDDLE: 5, CaptionPosition.TOP: 8}
COLOURS = {  # ASS colours are &HAABBGGRR
    "white": WHITE,
    "yellow": YELLOW,
    "red": "&H003030FF",
    "green": "&H0040D040",
    "blue": "&H00FF9030",
    "cyan": "&H00FFFF00",
    "pink": "&H00B469FF",
    "orange": "&H0000A5FF",
}
MAX_SCALE, MIN_SCALE = 1.4, 0.7


@dataclass(frozen=True)
class Preset:
    """How a style draws: size factor, bold, outline factor, shadow, box, text colour."""

    size: float
    bold: bool
    outline: float
    shadow: int
    boxed: bool = False
    colour: str = WHITE


PRESETS: dict[CaptionStyle, Preset] = {
    CaptionStyle.CLASSIC: Preset(1.0, False, 0.08, 1),
    CaptionStyle.BOLD: Preset(1.15, True, 0.12, 2),
    CaptionStyle.BOXED: Preset(1.0, False, 0.25, 0, boxed=True),
    CaptionStyle.MINIMAL: Preset(0.85, False, 0.03, 0),
    CaptionStyle.KARAOKE: Preset(1.1, True, 0.1, 1),
}


@dataclass(frozen=True)
class Look:
    """A caption look asked for: style, position, colour (ASS, "" = the style's) and scale."""

    style: CaptionStyle = CaptionStyle.CLASSIC
    position: CaptionPosition = CaptionPosition.BOTTOM
    colour: str = ""
    scale: float = 1.0

    @classmethod
    def of(cls, options: RenderOptions) -> Look:
        """The look a render's options ask for."""
        scale = min(MAX_SCALE, max(MIN_SCALE, options.caption_scale))
        return cls(options.caption_style, options.caption_position, options.caption_colour, scale)


def colour_code(name: str) -> str:
    """The ASS colour of a colour name ("" when unknown: the style's own)."""
    return COLOURS.get(name, "")


def colour_name(code: str) -> str:
    """The name of an ASS colour of COLOURS ("" for the style's own, or one not named)."""
    return next((name for name, value in COLOURS.items() if value == code), "")


def look_values(options: RenderOptions, changes: dict[str, Any]) -> dict[str, Any]:
    """The option values a message's look changes set: a re-voice, style, position, colour
    or size; any look asks for captions burned in (styles draw only there)."""
    values: dict[str, Any] = {}
    for name in ("revoice", "caption_style", "caption_position", "caption_colour", "word_timings"):
        if name in changes:
            values[name] = changes[name]
    if "caption_scale_delta" in changes:
        scale = options.caption_scale + float(changes["caption_scale_delta"])
        values["caption_scale"] = round(min(MAX_SCALE, max(MIN_SCALE, scale)), 2)
    looks = {"caption_style", "caption_position", "caption_colour", "caption_scale"}
    if looks & values.keys() and options.captions is not Captions.BURN:
        values["captions"] = Captions.BURN
    return values


def _style_line(look: Look, family: str, width: int, height: int) -> tuple[str, int, int]:
    """The ASS Style line, the font size and the side margin."""
    preset = PRESETS[look.style]
    tall = height > width
    size = round(min(width, height) * (0.058 if tall else 0.05) * preset.size * look.scale)
    margin_v = round(height * (0.12 if tall else 0.07))
    margin_h = round(width * 0.07)
    outline = max(2 if preset.outline >= 0.08 else 1, round(size * preset.outline))
    text = look.colour or preset.colour
    karaoke = look.style is CaptionStyle.KARAOKE
    primary = WHITE if karaoke and not look.colour else text
    border = 3 if preset.boxed else 1
    back = "&H99000000" if preset.boxed else "&H80000000"
    outline_colour = "&H99000000" if preset.boxed else BLACK
    line = (
        f"Style: Default,{family},{size},{primary},{primary},{outline_colour},{back},"
        f"{-1 if preset.bold else 0},0,0,0,100,100,0,0,{border},{outline},{preset.shadow},"
        f"{ALIGN[look.position]},{margin_h},{margin_h},{margin_v},1"
    )
    return line, size, margin_h


def highlight_of(look: Look) -> str:
    """The colour of the word being spoken in a karaoke look (ASS &HBBGGRR&)."""
    colour = YELLOW if not look.colour or look.colour == WHITE else look.colour
    return "&H" + colour[-6:] + "&"


def write_ass(
    path: Path,
    cues: Sequence[Cue],
    width: int,
    height: int,
    family: str = LATIN_FAMILY,
    look: Look | None = None,
) -> Path:
    """Write the captions for a width×height frame in `look`."""
    look = look or Look()
    style, size, margin_h = _style_line(look, family, width, height)
    head = (
        "[Script Info]\nScriptType: v4.00+\nWrapStyle: 0\nScaledBorderAndShadow: yes\n"
        f"PlayResX: {width}\nPlayResY: {height}\n\n[V4+ Styles]\n"
        "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, "
        "BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, "
        "BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding\n"
        f"{style}\n\n[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, "
        "MarginV, Effect, Text\n"
    )
    per_line = max(8, int((width - 2 * margin_h) / (size * 1.05)))
    events: list[str] = []
    for cue in cues:
        if look.style is CaptionStyle.KARAOKE:
            events += _karaoke_events(cue, per_line, highlight_of(look))
        else:
            events.append(_event(cue.start_s, cue.end_s, _plain(cue.text, per_line)))
    path.write_text(head + "\n".join(events) + "\n", encoding="utf-8")
    return path


def _event(start: float, end: float, text: str) -> str:
    return f"Dialogue: 0,{ass_time(start)},{ass_time(end)},Default,,0,0,0,,{text}"


def _plain(text: str, per_line: int) -> str:
    return "\\N".join(ass_text(line) for line in wrap_cjk(text, per_line))


def cue_words(cue: Cue) -> list[tuple[str, float, float]]:
    """The cue's words with times: as recognised or aligned, else spread by their length."""
    if cue.words:
        return list(cue.words)
    tokens = list(cue.text.replace(" ", "")) if has_cjk(cue.text) else cue.text.split()
    total = sum(len(t) for t in tokens) or 1
    at, out = cue.start_s, []
    for token in tokens:
        span = (cue.end_s - cue.start_s) * len(token) / total
        out.append((token, at, at + span))
        at += span
    return out


def _karaoke_events(cue: Cue, per_line: int, highlight: str) -> list[str]:
    """One event per word: the caption with that word in the highlight colour."""
    words = cue_words(cue)
    joiner = "" if has_cjk(cue.text) else " "
    events = []
    for k, (_, start, _end) in enumerate(words):
        until = words[k + 1][1] if k + 1 < len(words) else cue.end_s
        shown = [
            f"{{\\c{highlight}}}{ass_text(w)}{{\\r}}" if i == k else ass_text(w)
            for i, (w, _, _) in enumerate(words)
        ]
        begin = cue.start_s if k == 0 else start
        events.append(_event(begin, max(until, begin + 0.01), _lines(shown, joiner, per_line)))
    return events


def _lines(tokens: list[str], joiner: str, per_line: int) -> str:
    """Tokens joined; Chinese broken into lines explicitly (libass wraps only at spaces)."""
    if joiner:
        return joiner.join(tokens)
    lines, current, count = [], "", 0
    for token in tokens:
        if count >= per_line:
            lines.append(current)
            current, count = "", 0
        current += token
        count += 1
    return "\\N".join([*lines, current])
