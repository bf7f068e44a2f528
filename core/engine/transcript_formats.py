"""A transcript written out: SRT, WebVTT, plain text or JSON (segments and words with times)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from core.engine.asr import Line, Transcript, Word
from core.engine.captions import MAX_LINE_CHARS, MAX_LINES, Cue, write_srt
from core.words.fonts import has_cjk

FORMATS = ("srt", "vtt", "txt", "json")
MAX_CUE_S = 7.0
MAX_CUE_CHARS = MAX_LINE_CHARS * MAX_LINES
CJK_CUE_CHARS = 28
PAUSE_S = 0.5  # a silence this long between words ends a cue
SENTENCE_ENDS = (".", "!", "?", "。", "！", "？")


def transcript_cues(transcript: Transcript) -> list[Cue]:
    """Caption-sized cues (two lines, at most 7 s), cut between words, timed by the words."""
    cues: list[Cue] = []
    for line in transcript.lines:
        if not line.words:
            cues.append(Cue(line.start_s, line.end_s, line.text))
            continue
        cues += _line_cues(line, transcript.speech)
    return [_snapped(c, transcript.speech) for c in cues]


def _snapped(cue: Cue, speech: tuple[tuple[float, float], ...]) -> Cue:
    """A cue that Whisper starts before the speech it holds starts where VAD hears it."""
    for start, end in speech:
        if start > cue.start_s and start < cue.end_s and end > start:
            return Cue(start, cue.end_s, cue.text, cue.words)
        if start <= cue.start_s < end:
            break
    return cue


def _line_cues(line: Line, speech: tuple[tuple[float, float], ...]) -> list[Cue]:
    limit = CJK_CUE_CHARS if has_cjk(line.text) else MAX_CUE_CHARS
    joiner = "" if has_cjk(line.text) else " "
    groups: list[list[Word]] = [[]]
    for word in line.words:
        current = groups[-1]
        text = joiner.join(w.text for w in [*current, word])
        if current and (
            _span_of(word.start_s, speech) != _span_of(current[-1].start_s, speech)
            or _cut_before(current, word, len(text) > limit)
        ):
            groups.append([word])
        else:
            current.append(word)
    return [_cue(g, joiner) for g in groups if g]


def _cue(words: list[Word], joiner: str) -> Cue:
    timed = tuple((w.text, w.start_s, w.end_s) for w in words)
    end = max(words[-1].end_s, words[0].start_s + 0.2)
    return Cue(words[0].start_s, end, joiner.join(w.text for w in words), timed)


def _span_of(at: float, speech: tuple[tuple[float, float], ...]) -> int:
    """Which stretch of VAD-heard speech a time belongs to (the one it falls in, or the next
    one): words in different stretches have a silence between them, whatever Whisper's word
    ends say."""
    for index, (_start, end) in enumerate(speech):
        if at <= end:
            return index
    return len(speech)


def _cut_before(current: list[Word], word: Word, too_long: bool) -> bool:
    """A new cue starts at `word`: after a sentence, a pause, or when the cue is full."""
    last = current[-1]
    pause = word.start_s - last.end_s >= PAUSE_S
    sentence = last.text.endswith(SENTENCE_ENDS)
    return too_long or pause or sentence or word.end_s - current[0].start_s > MAX_CUE_S


def _vtt_time(seconds: float) -> str:
    ms = int(round(seconds * 1000))
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def write_vtt(path: Path, cues: Sequence[Cue]) -> Path:
    """Write a WebVTT file (UTF-8)."""
    blocks = [f"{_vtt_time(c.start_s)} --> {_vtt_time(c.end_s)}\n{c.text}\n" for c in cues]
    path.write_text("WEBVTT\n\n" + "\n".join(blocks), encoding="utf-8")
    return path


def transcript_json(transcript: Transcript) -> dict[str, Any]:
    """The transcript as JSON: language, segments, and each segment's words with times."""
    return {
        "language": transcript.language,
        "model": transcript.model,
        "duration_s": transcript.duration_s,
        "text": transcript.text,
        "segments": [
            {
                "start_s": line.start_s,
                "end_s": line.end_s,
                "text": line.text,
                "words": [_word(w) for w in line.words],
            }
            for line in transcript.lines
        ],
        "speech": [{"start_s": a, "end_s": b} for a, b in transcript.speech],
    }


def _word(word: Word) -> dict[str, Any]:
    return {"text": word.text, "start_s": word.start_s, "end_s": word.end_s}


def write_transcript(path: Path, transcript: Transcript) -> Path:
    """Write the transcript in the format its extension names (.srt, .vtt, .txt, .json)."""
    kind = path.suffix.lower().lstrip(".")
    if kind == "srt":
        return write_srt(path, transcript_cues(transcript))
    if kind == "vtt":
        return write_vtt(path, transcript_cues(transcript))
    if kind == "json":
        text = json.dumps(transcript_json(transcript), ensure_ascii=False, indent=1)
        path.write_text(text, encoding="utf-8")
        return path
    lines = [cue.text for cue in transcript_cues(transcript)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
