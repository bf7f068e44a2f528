"""The local backend's project record and its draft timeline (a NemoVideo draft's shape)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from core.backends.base import Draft
from core.engine.lexicon import Lexicon
from core.engine.model import (
    OPTION_ENUMS,
    Captions,
    MixMode,
    RenderOptions,
    RenderResult,
    Script,
    ScriptCue,
)
from core.engine.shots import spans
from core.engine.speakers import script_speakers
from core.errors import ErrorCode, VoiceoverError
from core.store import Row, loads
from core.words.numbers import human_duration
from core.words.replies import reply
from core.words.text import is_zh

WORDS_PER_MINUTE = 150.0
ORIGINAL_VOLUME = {MixMode.DUCK: 0.3, MixMode.KEEP: 1.0, MixMode.REPLACE: 0.0}
ROLE_WORDS = {"music": ("music", "背景音乐"), "narration": ("your narration", "你的旁白")}
ICONS = {"video": "🎬", "image": "🖼", "music": "🎵", "narration": "🎙"}


def options_from_json(data: dict[str, Any] | None) -> RenderOptions:
    """RenderOptions from their stored JSON."""
    data = dict(data or {})
    for name, enum in OPTION_ENUMS.items():
        if name in data:
            data[name] = enum(data[name])
    if "speakers" in data:
        data["speakers"] = tuple((str(label), str(want)) for label, want in data["speakers"])
    return RenderOptions(**data)


def options_to_json(options: RenderOptions) -> dict[str, Any]:
    """RenderOptions as JSON."""
    return {k: str(v) if isinstance(v, StrEnum) else v for k, v in asdict(options).items()}


def script_to_json(script: Script) -> list[list[Any]]:
    """A script as JSON: [[text, start, end, speaker], …] (a fifth item: the cue's speed)."""
    return [
        [cue.text, cue.start_s, cue.end_s, cue.speaker, *([cue.speed] if cue.speed else [])]
        for cue in script.cues
    ]


def script_from_json(data: list[list[Any]] | None) -> Script | None:
    """A script back from JSON (cues stored before speakers have three items)."""
    if not data:
        return None
    return Script(tuple(ScriptCue(*cue) for cue in data))


@dataclass
class Project:
    """A local session: its owner, options, script and files."""

    id: str
    owner: str
    language: str
    options: RenderOptions
    script_obj: Script | None
    media: dict[str, Any] | None
    music: dict[str, Any] | None
    narration: dict[str, Any] | None
    lexicon: Lexicon = field(default_factory=Lexicon)  # the job's fixes (not kept in the row)

    @classmethod
    def from_row(cls, row: Row) -> Project:
        """A project from its row."""
        return cls(
            row["id"],
            row["owner"],
            row["language"],
            options_from_json(loads(row["options"])),
            script_from_json(loads(row["script"])),
            loads(row["media"]),
            loads(row["music"]),
            loads(row["narration"]),
        )

    def to_payload(self) -> dict[str, Any]:
        """Everything a render reads, as JSON (a job's pinned inputs)."""
        return {
            "id": self.id,
            "owner": self.owner,
            "language": self.language,
            "options": options_to_json(self.options),
            "script": script_to_json(self.script_obj) if self.script_obj else None,
            "media": self.media,
            "music": self.music,
            "narration": self.narration,
        }

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> Project:
        """A project back from a job's pinned inputs."""
        return cls(
            str(data["id"]),
            str(data["owner"]),
            str(data["language"]),
            options_from_json(data.get("options")),
            script_from_json(data.get("script")),
            data.get("media"),
            data.get("music"),
            data.get("narration"),
        )

    def files(self) -> dict[str, dict[str, Any]]:
        """The project's files by role (media, music, narration)."""
        entries = {"media": self.media, "music": self.music, "narration": self.narration}
        return {role: entry for role, entry in entries.items() if entry}

    @property
    def script(self) -> Script | None:
        """The script, if any."""
        return self.script_obj

    def check_ready(self) -> None:
        """NOTHING_TO_RENDER without a script or the user's own recording to speak."""
        if self.script_obj is None and self.narration is None:
            raise VoiceoverError(ErrorCode.NOTHING_TO_RENDER)


def estimate_narration_s(project: Project) -> float:
    """How long the narration will be (for freezing credits before the render)."""
    if project.narration:
        return float(project.narration["duration_s"])
    if project.script_obj is None:
        return 0.0
    script = project.script_obj
    if script.timed and script.cues[-1].end_s:
        return float(script.cues[-1].end_s)
    words = max(script.word_count, len(script.text) // 3)  # CJK has no spaces
    return words / WORDS_PER_MINUTE * 60.0 / max(project.options.speed, 0.5)


def narration_seconds(result: RenderResult) -> float:
    """The narration a render actually produced (what credits are settled on)."""
    spoken = sum(max(0.0, s.end_s - s.start_s) for s in result.segments)
    return spoken or result.duration_s


def _voice_label(options: RenderOptions, script: Script | None = None) -> str:
    """'male EN voice', and the script's speakers with the voice each asked for."""
    if options.voice:
        label = options.voice
    else:
        parts = [options.gender or "", (options.language or "").upper(), "voice"]
        label = " ".join(p for p in parts if p) or "voice"
    labels = script_speakers(script.cues) if script else []
    if not labels:
        return label
    asked = {name.casefold(): want for name, want in options.speakers}
    speakers = ", ".join(f"{name}: {asked.get(name.casefold(), 'auto')}" for name in labels)
    return f"{label}; speakers {speakers}"


def _track(kind: int, duration_ms: int, meta: dict[str, Any]) -> dict[str, Any]:
    """One draft track (tt: 0 video, 1 audio, 7 text) with a single segment from the start."""
    return {"tt": kind, "sg": [{"s": 0, "d": duration_ms, "m": meta}]}


def _script_basis(project: Project, text: str) -> str:
    """What the voiceover's digest covers: the text; with starts, speeds or speakers (an edit
    page's moves and voices), every cue's."""
    cues = project.script_obj.cues if project.script_obj else ()
    if any(c.start_s is not None or c.speed or c.speaker for c in cues):
        return json.dumps(script_to_json(Script(cues)), ensure_ascii=False)
    return text


def _voiceover_meta(project: Project) -> dict[str, Any]:
    """The voiceover segment's options, and a digest of the script it speaks."""
    opts = project.options
    own = project.narration["name"] if project.narration else ""
    text = project.script_obj.text if project.script_obj else own
    return {
        "name": _voice_label(opts, project.script_obj),
        "text": text[:60],
        "role": "voiceover",
        "volume": 1.0,
        "speed": opts.speed,
        "voice": opts.voice,
        "language": opts.language,
        "gender": opts.gender,
        "speakers": dict(opts.speakers),
        "script": hashlib.sha256(_script_basis(project, text).encode()).hexdigest()[:16],
        "own": bool(project.narration),
        "sync": str(opts.sync),
        "hold": str(opts.hold),
    }


def project_spans(media: dict[str, Any]) -> list[tuple[float, float]]:
    """The shots (start, end) of a media entry whose cuts are known."""
    cuts = tuple(float(c) for c in media.get("shots") or ())
    return spans(cuts, float(media.get("duration_s") or 0.0))


def build_draft(project: Project) -> Draft:
    """The draft timeline: video, voiceover, original audio, music, captions (options in m)."""
    opts, tracks = project.options, []
    media_ms = int(float(project.media["duration_s"]) * 1000) if project.media else 0
    voice_ms = int(estimate_narration_s(project) * 1000)
    total = max(media_ms, voice_ms)
    if project.media:
        meta = {
            "name": project.media["name"],
            "role": project.media["kind"],
            "aspect": str(opts.aspect),
            "fit": str(opts.fit),
        }
        if isinstance(project.media.get("shots"), list):  # found after the upload
            meta["shots"] = [[round(a, 3), round(b, 3)] for a, b in project_spans(project.media)]
            meta["holds"] = list(project.media.get("holds") or [])  # the latest render's
        tracks.append(_track(0, media_ms or total, meta))
    if project.script_obj or project.narration:
        tracks.append(_track(1, voice_ms, _voiceover_meta(project)))
    if project.media and project.media.get("has_audio"):
        mix, volume = str(opts.mix), ORIGINAL_VOLUME[opts.mix]
        meta = {"name": "original audio", "role": "original", "volume": volume, "mix": mix}
        tracks.append(_track(1, media_ms, meta))
    if project.music:
        meta = {"name": project.music["name"], "role": "bgm", "volume": opts.music_volume}
        tracks.append(_track(1, total, meta))
    if opts.captions is not Captions.NONE and project.script_obj:
        text = project.script_obj.text[:60]
        meta = {"name": "captions", "text": text, "role": "caption", "mode": str(opts.captions)}
        tracks.append(_track(7, voice_ms, meta))
    return {"d": total, "t": tracks}


def media_summary(entry: dict[str, Any], role: str | None = None, language: str = "en") -> str:
    """'🎬 Got demo.mov: 1:02, 1080×1920' (in Chinese for a Chinese speaker)."""
    zh = is_zh(language)
    kind = role or entry["kind"]
    parts = []
    if kind != "image":
        parts.append(human_duration(float(entry["duration_s"])))
    if entry.get("width"):
        parts.append(f"{entry['width']}×{entry['height']}")
    if role:
        parts.append(ROLE_WORDS[role][1 if zh else 0])
    shown = ("，" if zh else ", ").join(parts)
    return reply("got_file", language, icon=ICONS.get(kind, "📎"), name=entry["name"], what=shown)


def script_detail(script: Script, language: str) -> str:
    """'120 words' or '120 words, 8 timed cues' (or Chinese)."""
    zh = is_zh(language)
    count = script.word_count if script.word_count > 1 else len(script.text)
    unit = ("字" if count == len(script.text) else "词") if zh else "words"
    detail = f"{count} {unit}"
    if script.timed:
        detail += f"，{len(script.cues)} 条定时字幕" if zh else f", {len(script.cues)} timed cues"
    return detail


def script_summary(name: str | None, script: Script, language: str) -> str:
    """'📝 Got script.txt: 120 words' or '📝 Script: 120 words, 8 timed cues' (or Chinese)."""
    detail = script_detail(script, language)
    if name:
        return reply("got_file", language, icon="📝", name=name, what=detail)
    return reply("got_script", language, what=detail)
