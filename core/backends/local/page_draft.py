"""The edit page's view of a local project: its script as lines (text, start, voice, speed,
pause after) and its options, under a version; and a page's save read back into a script and
options by the chat's own rules (script limits, installed voices), refusals per line.

A line's voice is a speaker label naming that voice (the speakers machinery reads it); its
start makes the script timed (every line gets one); its pause after is `[pause Ns]` markup at
the end of its text; its speed is the cue's own speed (the project's when unset)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from core.backends.local.page_options import read_options, shown_options
from core.backends.local.project import Project, options_to_json, script_to_json
from core.engine.model import Limits, RenderOptions, Script, ScriptCue, VoiceInfo
from core.engine.pauses import MAX_PAUSE_S, PAUSE, split_pauses
from core.engine.validate import SPEED_RANGE, check_range, check_script, check_word_lengths
from core.engine.voice_plan import VoicePlan
from core.errors import ErrorCode, VoiceoverError

READING_WPS = 2.6  # words a second the page assumes for lines that have no start yet
MAX_LINES = 500
_TRAILING_PAUSE = re.compile(rf"(?:\s*(?:{PAUSE.pattern}))+\s*$", re.I)


def version_of(project: Project) -> str:
    """The draft's version: a digest of what the page and the chat edit (options, script,
    files); any change by either gives a new one."""
    files = {role: (entry or {}).get("key") for role, entry in project.files().items()}
    script = script_to_json(project.script_obj) if project.script_obj else None
    data = {"o": options_to_json(project.options), "s": script, "f": files}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:20]


def split_pause(text: str) -> tuple[str, float]:
    """A cue's text and the pause at its end (its trailing pause markup, in seconds)."""
    found = _TRAILING_PAUSE.search(text)
    if found is None or not found.group(0).strip():
        return text, 0.0
    pauses = [p for p in split_pauses(found.group(0)) if isinstance(p, float)]
    return text[: found.start()].rstrip(), round(sum(pauses), 3)


def estimated_starts(cues: Sequence[ScriptCue], speed: float) -> list[float]:
    """Each cue's start: its own, else after the one before at an ordinary reading pace."""
    starts, at = [], 0.5
    for cue in cues:
        text, pause = split_pause(cue.text)
        at = cue.start_s if cue.start_s is not None else at
        starts.append(round(at, 2))
        words = max(1, len(text.split()), len(text) // 3 if " " not in text else 0)
        at += words / READING_WPS / max(speed, 0.5) + pause + 0.4
    return starts


def page_view(project: Project, plan: VoicePlan | None) -> dict[str, Any]:
    """The draft as the page shows it: version, lines, options, the media and its shots."""
    cues = project.script_obj.cues if project.script_obj else ()
    starts = estimated_starts(cues, project.options.speed)
    lines = []
    for n, cue in enumerate(cues):
        text, pause = split_pause(cue.text)
        voice = plan.cue_voices[n].id if plan else (project.options.voice or "")
        lines.append(
            {"text": text, "start": starts[n], "voice": voice, "speed": cue.speed, "pause": pause}
        )
    media = project.media or {}
    return {
        "version": version_of(project),
        "timed": bool(project.script_obj and project.script_obj.timed),
        "lines": lines,
        "options": shown_options(project.options),
        "auto_voice": plan.main.id if plan else "",
        "media": {
            "name": media.get("name", ""),
            "kind": media.get("kind", ""),
            "duration": float(media.get("duration_s") or 0.0),
            "cuts": [float(c) for c in media.get("shots") or ()],
        },
    }


@dataclass
class PageEdit:
    """A page's save read back: the new options and script, or what is wrong (per line)."""

    options: RenderOptions
    script: Script | None
    line_errors: dict[int, str]
    errors: list[str]
    option_errors: dict[str, str] = field(default_factory=dict)


def _number(value: Any, what: str, low: float, high: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise VoiceoverError(ErrorCode.BAD_OPTION, option=what, value=str(value)[:40]) from None
    return check_range(what, number, (low, high))  # the chat's own range rule and words


def _cue(line: Any, voices: set[str], limit_s: float) -> tuple[str, float, str, float | None]:
    """One line's (text, start, voice, speed), checked like a chat's script line."""
    if not isinstance(line, dict):
        raise VoiceoverError(ErrorCode.BAD_SCRIPT, reason="a line must be an object")
    text = " ".join(str(line.get("text") or "").split())
    if not text:
        raise VoiceoverError(ErrorCode.EMPTY_SCRIPT)
    check_word_lengths(text)
    split_pauses(text)  # a pause over the limit is refused here
    start = _number(line.get("start", 0.0), "Start", 0.0, limit_s)
    voice = str(line.get("voice") or "")
    if voice and voice not in voices:
        raise VoiceoverError(ErrorCode.VOICE_NOT_INSTALLED, voice=voice)
    speed = line.get("speed")
    speed = None if speed in (None, "") else _number(speed, "Speed", *SPEED_RANGE)
    pause = _number(line.get("pause") or 0.0, "Pause", 0.0, MAX_PAUSE_S)
    if pause:
        text = f"{text} [pause {pause:g}s]"
    return text, start, voice, speed


def read_page(
    data: dict[str, Any],
    project: Project,
    voices: Sequence[VoiceInfo],
    limits: Limits,
    lang: str,
    main_id: str,
) -> PageEdit:
    """The save's options and script, checked by the chat's rules; refusals in `lang`
    (`main_id`: the voice that reads unlabelled lines when the project's voice is automatic)."""
    ids = {voice.id for voice in voices}
    errors: list[str] = []
    options, refused = read_options(dict(data.get("options") or {}), project.options, ids)
    wrong = {name: err.message(lang) for name, err in refused.items()}
    lines = data.get("lines")
    if not isinstance(lines, list) or len(lines) > MAX_LINES:
        return PageEdit(options, None, {}, [*errors, f"lines: at most {MAX_LINES}"], wrong)
    cues: list[tuple[str, float, str, float | None]] = []
    line_errors: dict[int, str] = {}
    for n, line in enumerate(lines):
        try:
            cues.append(_cue(line, ids, limits.max_duration_s))
        except VoiceoverError as err:
            line_errors[n] = err.message(lang)
    if line_errors or wrong or not cues:
        if not cues and not line_errors:
            errors.append(VoiceoverError(ErrorCode.EMPTY_SCRIPT).message(lang))
        return PageEdit(options, None, line_errors, errors, wrong)
    script = _script(cues, options.voice or main_id)
    try:
        check_script(script, limits)
    except VoiceoverError as err:
        return PageEdit(options, None, {}, [err.message(lang)])
    return PageEdit(options, script, {}, [])


def _script(cues: list[tuple[str, float, str, float | None]], main: str) -> Script:
    """Timed cues in order of their starts; each labelled with its voice when the lines do not
    all use the main voice (the speakers machinery then reads each by its voice)."""
    ordered = sorted(cues, key=lambda cue: cue[1])
    labelled = any(voice and voice != main for _, _, voice, _ in ordered)
    out = []
    for text, start, voice, speed in ordered:
        speaker = (voice or main or None) if labelled else None
        out.append(ScriptCue(text, round(start, 3), None, speaker, speed))
    return Script(tuple(out))


def speakers_for(script: Script, options: RenderOptions) -> RenderOptions:
    """The options with each line's voice label asking for that voice (others kept)."""
    labels = {cue.speaker for cue in script.cues if cue.speaker}
    kept = tuple((label, want) for label, want in options.speakers if label not in labels)
    return replace(options, speakers=kept + tuple((label, label) for label in sorted(labels)))
