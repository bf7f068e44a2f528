"""Scripts in: typed text, .txt, .docx, .srt and .vtt, recognised by content and checked."""

from __future__ import annotations

import re
from pathlib import Path

from core.engine import docx_reader
from core.engine.model import Limits, Script, ScriptCue
from core.engine.script_text import clean_text, count_words, decode_script_bytes
from core.engine.script_timed import (
    has_inline_timestamps,
    parse_inline,
    parse_subtitles,
    script_line,
    subtitle_kind,
)
from core.engine.speakers import carry_speakers, speaker_labels, split_turns
from core.engine.validate import check_script
from core.errors import ErrorCode, VoiceoverError, too_large

SNIFF_BYTES = 64 * 1024
# What a script suffix says a file is, used only when its content is unrecognisable.
SUFFIX_KINDS: dict[str, str] = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "txt",
    ".srt": "srt",
    ".vtt": "vtt",
    ".docx": "docx",
    ".doc": "docx",
}
# A file named as media is media: probing refuses it clearly if it is text (a renamed playlist).
MEDIA_SUFFIXES = frozenset(
    (".mp4", ".mov", ".m4v", ".avi", ".webm", ".mkv", ".jpg", ".jpeg", ".png", ".gif", ".webp")
    + (".mp3", ".wav", ".m4a", ".aac")
)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def _head(path: Path) -> bytes:
    with path.open("rb") as f:
        return f.read(SNIFF_BYTES)


def sniff_script(path: Path) -> str | None:
    """'docx', 'srt', 'vtt' or 'txt' when the file looks like a script by content, else None.

    A media suffix (.mp4, .png, ...) always means media. Otherwise content decides; only when
    it is unrecognisable (binary, empty) does a script suffix (.txt, .docx, ...) still say
    'script', so that read_script_file refuses it with a reason instead of a probe.
    """
    if path.suffix.lower() in MEDIA_SUFFIXES:
        return None
    try:
        head = _head(path)
    except OSError:
        return None
    by_suffix = SUFFIX_KINDS.get(path.suffix.lower())
    if head.startswith(docx_reader.ZIP_MAGIC):
        return "docx" if by_suffix == "docx" or docx_reader.is_docx(path) else None
    if head.startswith(docx_reader.CFB_MAGIC):
        return by_suffix if by_suffix == "docx" else None
    text = decode_script_bytes(head, final=len(head) < SNIFF_BYTES)
    if text is None or not text.strip():
        return by_suffix
    return subtitle_kind(text) or "txt"


def _read_text_file(path: Path, limits: Limits, name: str) -> str:
    """The decoded text of a plain-text script, refused when too large or binary."""
    size = path.stat().st_size
    if size > limits.max_script_bytes:
        raise too_large(name, size, limits.max_script_bytes)
    text = decode_script_bytes(path.read_bytes())
    if text is None:
        reason = (
            "it isn't a real .docx (not a zip archive)"
            if path.suffix.lower() == ".docx"
            else "it isn't text (it looks like binary data)"
        )
        raise VoiceoverError(ErrorCode.BAD_SCRIPT, name=name, reason=reason)
    return text


def read_script_file(path: Path, limits: Limits, name: str | None = None) -> Script:
    """Read a .txt/.docx/.srt/.vtt (chosen by content, not only suffix); refuse with
    VoiceoverError."""
    name = name or path.name
    try:
        magic = docx_reader.file_magic(path)
        if magic is not None:
            text = docx_reader.read_docx_text(path, limits, name)
        else:
            text = _read_text_file(path, limits, name)
    except OSError as exc:
        raise VoiceoverError(
            ErrorCode.BAD_SCRIPT, name=name, reason="the file could not be read"
        ) from exc
    return parse_script_text(text, limits)


def _paragraphs(text: str, labels: frozenset[str]) -> list[ScriptCue]:
    """One untimed cue per blank-line-separated paragraph (single newlines join), and per
    speaker turn within it when the script uses speaker labels."""
    return [
        ScriptCue(turn, speaker=speaker)
        for paragraph in _PARAGRAPH_BREAK.split(text)
        for speaker, turn in split_turns(paragraph.split("\n"), labels)
    ]


def parse_script_text(text: str, limits: Limits) -> Script:
    """Typed text: plain paragraphs, inline timestamps ('[0:05] Meet Aurora.'), or pasted
    SRT/VTT; refused (VoiceoverError) when over the limits of `validate.check_script`."""
    if len(text.encode("utf-8", "replace")) > limits.max_script_bytes:
        raise VoiceoverError(
            ErrorCode.SCRIPT_TOO_LONG, words=count_words(text), limit=limits.max_script_words
        )
    text = clean_text(text)
    labels = speaker_labels(script_line(line) for line in text.split("\n"))
    if subtitle_kind(text):
        cues = parse_subtitles(text, labels)
    elif has_inline_timestamps(text):
        cues = parse_inline(text, labels)
    else:
        cues = _paragraphs(text, labels)
    if not cues:
        raise VoiceoverError(ErrorCode.EMPTY_SCRIPT)
    script = Script(tuple(carry_speakers(cues)))
    check_script(script, limits)
    return script
