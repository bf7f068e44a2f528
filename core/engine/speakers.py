"""Speaker labels in scripts: `A: Hello`, `Anna: Hi`, `[Anna] Hi` on the lines of a script.

The rule (so that "Note: this is…", a URL, a time or a `[0:05]` timestamp is never a speaker):
a line starts with a label when it begins with a short name (at most three words, at most 24
characters, starting with a letter, its first word not a heading word like "Note" or "Step")
followed by a colon that is not followed by a digit or a slash, or with such a name in square
brackets (or a WebVTT voice tag, `<v Anna>`). The
script *uses* speaker labels only when at least two distinct labels appear and either some
label is used on two or more lines or every line of the script is labelled. Then each labelled
line starts a new segment spoken by that speaker, the label neither spoken nor captioned; the
lines after it (until the next label) belong to the same speaker.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from core.engine.model import ScriptCue

MAX_LABEL_CHARS = 24
MAX_LABEL_WORDS = 3
MAX_CJK_LABEL_CHARS = 4  # a Chinese name; "原因很简单：" is a sentence
# A Chinese label ending in a verb of saying ("他说：") reports speech: its words are read.
SAYING_ZH = ("说", "道", "问", "答", "讲", "表示", "认为", "指出", "回答")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_NAME = r"[^\W\d_][\w'.-]*(?:[ \t]+[\w'.-]+){0,2}"
_COLON = re.compile(rf"^\s*(?P<label>{_NAME})[ \t]*[:：](?![/\\\d])[ \t]*(?P<text>.*)$")
_BRACKET = re.compile(rf"^\s*[\[【](?P<label>{_NAME})[\]】][ \t]*(?P<text>.*)$")
# Words that head a line ("Note: …") rather than name a speaker; compared case-insensitively.
HEADING_WORDS = """
    note notes nb ps warning caution important tip tips hint example examples step steps
    source sources update edit summary title subtitle chapter section part scene act
    http https ftp mailto www tel re fw fwd subject date time from to cc bcc
    注意 提示 备注 说明 标题 例如 步骤 来源 时间 日期
    pause 停顿 暂停
"""
NOT_SPEAKERS = frozenset(HEADING_WORDS.split())


def label_of(line: str) -> tuple[str, str] | None:
    """(label, the rest of the line) when the line starts with a speaker-like label."""
    for pattern in (_BRACKET, _COLON):
        match = pattern.match(line)
        if match is None:
            continue
        label, text = " ".join(match["label"].split()), match["text"].strip()
        if text and _name_like(label):
            return label, text
    return None


def _name_like(label: str) -> bool:
    """Whether a label is short and not a heading word or a Chinese "he said"."""
    if len(label) > MAX_LABEL_CHARS or len(label.split()) > MAX_LABEL_WORDS:
        return False
    if _CJK.search(label) and (len(label) > MAX_CJK_LABEL_CHARS or label.endswith(SAYING_ZH)):
        return False
    return label.split()[0].casefold() not in NOT_SPEAKERS


def speaker_labels(lines: Iterable[str]) -> frozenset[str]:
    """The labels the script uses as speakers (by the rule above), or none."""
    texts = [line for line in lines if line.strip()]
    counts = Counter(found[0] for line in texts if (found := label_of(line)) is not None)
    labelled = sum(counts.values())
    if len(counts) < 2:
        return frozenset()
    if max(counts.values()) >= 2 or labelled == len(texts):
        return frozenset(counts)
    return frozenset()


def split_turns(lines: Sequence[str], labels: frozenset[str]) -> list[tuple[str | None, str]]:
    """The lines as (speaker, text) turns: a line with one of `labels` starts a new turn (the
    label taken off); other lines continue the current turn. Text is whitespace-joined."""
    turns: list[tuple[str | None, list[str]]] = [(None, [])]
    for line in lines:
        found = label_of(line) if labels else None
        if found is not None and found[0] in labels:
            turns.append((found[0], [found[1]]))
        else:
            turns[-1][1].append(line)
    joined = [(speaker, " ".join(" ".join(parts).split())) for speaker, parts in turns]
    return [(speaker, text) for speaker, text in joined if text]


def carry_speakers(cues: Sequence[ScriptCue]) -> list[ScriptCue]:
    """Cues with no label of their own keep the speaker of the cue before them."""
    out: list[ScriptCue] = []
    current: str | None = None
    for cue in cues:
        current = cue.speaker or current
        out.append(cue if cue.speaker == current else _with_speaker(cue, current))
    return out


def _with_speaker(cue: ScriptCue, speaker: str | None) -> ScriptCue:
    return ScriptCue(cue.text, cue.start_s, cue.end_s, speaker)


def script_speakers(cues: Iterable[ScriptCue]) -> list[str]:
    """The speakers of a script in order of first appearance."""
    return list(dict.fromkeys(cue.speaker for cue in cues if cue.speaker))
