"""Timed scripts: SRT and WebVTT cues, and inline timestamps such as '[0:05] Meet Aurora.'."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from core.engine.model import ScriptCue
from core.engine.speakers import split_turns

_TS = r"(?:\d{1,3}:)?\d{1,3}:\d{2}(?:[.,]\d{1,3})?"
_CUE_TIMING = re.compile(rf"^\s*(?P<start>{_TS})\s*-->\s*(?P<end>{_TS})(?:\s.*)?$")
_ANY_TIMING = re.compile(rf"^[ \t]*{_TS}[ \t]*-->[ \t]*{_TS}", re.M)
_METADATA_BLOCK = re.compile(r"^(?:WEBVTT|NOTE|STYLE|REGION)(?:\s|$)")
_INLINE = re.compile(
    rf"^\s*[\[(【（](?P<start>{_TS})"
    rf"(?:\s*(?:-->|-|–|—|→|~|to)\s*(?P<end>{_TS}))?[\])】）][ \t]*(?P<text>.*)$"
)
_VTT_VOICE = re.compile(r"^\s*<v(?:\.[\w.-]+)?[ \t]+([^<>\n]+)>")  # <v Anna> names a speaker
_MARKUP = (
    re.compile(r"<(?!break\b)[^<>\n]*>"),  # <i>, <font>, <v Name>, <c.x>, <0:01> (not <break>)
    re.compile(r"\{\\[^{}]*\}"),  # ASS overrides such as {\an8}
)


def timestamp_seconds(text: str) -> float:
    """'00:01:05,5' / '1:05.5' / '0:05' as seconds."""
    clock, _, fraction = text.replace(",", ".").partition(".")
    seconds = 0.0
    for part in clock.split(":"):
        seconds = seconds * 60 + int(part)
    return seconds + (float("0." + fraction) if fraction else 0.0)


def clean_cue_text(text: str) -> str:
    """Cue text without tags, ASS overrides or entities, on one line."""
    for pattern in _MARKUP:
        text = pattern.sub("", text)
    return " ".join(html.unescape(text).split())


def script_line(line: str, labels: frozenset[str] | None = None) -> str:
    """A line without an inline timestamp or markup; a WebVTT voice tag (`<v Anna>`) becomes a
    bracketed label (`[Anna]`) when looking for labels (`labels` None) or when it is one."""
    match = _INLINE.match(line)
    text = match["text"] if match else line
    voice = _VTT_VOICE.match(text)
    if voice and (labels is None or " ".join(voice[1].split()) in labels):
        text = _VTT_VOICE.sub(r"[\1] ", text)
    return clean_cue_text(text)


def _cues(
    lines: list[str], start_s: float | None, end_s: float | None, labels: frozenset[str]
) -> list[ScriptCue]:
    """One cue per speaker turn in the lines (just one without labels); later turns of a
    timed cue start when it does, their end unknown."""
    turns = split_turns([script_line(line, labels) for line in lines], labels)
    return [
        ScriptCue(text, start_s, end_s if n == 0 else None, speaker)
        for n, (speaker, text) in enumerate(turns)
    ]


def subtitle_kind(text: str) -> str | None:
    """'vtt' or 'srt' when the text is a subtitle file, else None."""
    if text.lstrip("\ufeff \t\n").startswith("WEBVTT"):
        return "vtt"
    return "srt" if _ANY_TIMING.search(text) else None


@dataclass
class _RawCue:
    start_s: float
    end_s: float | None
    lines: list[str] = field(default_factory=list)


def _is_identifier(lines: list[str], index: int) -> bool:
    """Whether lines[index], just before a timing line, is an SRT index or a VTT cue id."""
    return index <= 0 or lines[index].strip().isdigit()


def _block_cues(lines: list[str]) -> tuple[list[str], list[_RawCue]]:
    """Text before the first cue (continuing the previous one) and the cues in one block.

    A block holds several cues when the blank lines between them were lost.
    """
    timings = [i for i, line in enumerate(lines) if _CUE_TIMING.match(line)] + [len(lines)]
    first = timings[0]
    has_identifier = 0 < first < len(lines) and _is_identifier(lines, first - 1)
    lead_end = first - 1 if has_identifier else first
    cues: list[_RawCue] = []
    for index, following in zip(timings, timings[1:], strict=False):
        match = _CUE_TIMING.match(lines[index])
        assert match is not None
        stop = following
        if following < len(lines) and _is_identifier(lines, following - 1):
            stop -= 1  # the next cue's SRT index
        start, end = timestamp_seconds(match["start"]), timestamp_seconds(match["end"])
        cues.append(_RawCue(start, end if end > start else None, lines[index + 1 : stop]))
    return lines[:lead_end], cues


def parse_subtitles(text: str, labels: frozenset[str] = frozenset()) -> list[ScriptCue]:
    """SRT or WebVTT cues in time order, markup, notes, styles and cue settings removed; a cue
    with several speaker turns (`labels`) becomes one cue per turn."""
    raw: list[_RawCue] = []
    for block in re.split(r"\n[ \t]*\n", text.strip("\ufeff\n")):
        lines = block.split("\n")
        if _METADATA_BLOCK.match(lines[0].strip()) and not any(map(_CUE_TIMING.match, lines)):
            continue
        lead, cues = _block_cues(lines)
        if any(line.strip() for line in lead) and not "".join(lead).strip().isdigit():
            if not raw:  # text before the first cue is read from the start, not dropped
                raw.append(_RawCue(0.0, None))
            raw[-1].lines += lead  # or a blank line inside a cue's text
        raw += cues
    cues_out = [cue for c in raw for cue in _cues(c.lines, c.start_s, c.end_s, labels)]
    return sorted(cues_out, key=lambda c: c.start_s or 0.0)


def has_inline_timestamps(text: str) -> bool:
    """True when some line starts with a timestamp such as [0:05], [00:01:05.5] or (1:02)."""
    return any(_INLINE.match(line) for line in text.split("\n"))


def parse_inline(text: str, labels: frozenset[str] = frozenset()) -> list[ScriptCue]:
    """Cues from inline timestamps (one per speaker turn); text before the first one starts
    at 0."""
    cues: list[ScriptCue] = []
    current = _RawCue(0.0, None)
    for line in text.split("\n"):
        match = _INLINE.match(line)
        if not match:
            current.lines.append(line)
            continue
        cues += _finish(current, labels)
        end = timestamp_seconds(match["end"]) if match["end"] else None
        current = _RawCue(timestamp_seconds(match["start"]), end, [match["text"]])
    cues += _finish(current, labels)
    return sorted(cues, key=lambda c: c.start_s or 0.0)


def _finish(raw: _RawCue, labels: frozenset[str]) -> list[ScriptCue]:
    end = raw.end_s if raw.end_s is not None and raw.end_s > raw.start_s else None
    return _cues(raw.lines, raw.start_s, end, labels)
