"""The engine's data: what goes in (scripts, media, options) and what comes out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from core.engine.lexicon import Lexicon
from core.words.notes import Note

if TYPE_CHECKING:
    from core.config import Settings

Progress = Callable[[str, float], None]
"""A progress callback: (stage, percent 0–100). Stages: probe, speech, mix, encode."""


def no_progress(stage: str, percent: float) -> None:
    """A progress callback that ignores everything."""


class Captions(StrEnum):
    NONE = "none"
    SOFT = "soft"
    BURN = "burn"


class Aspect(StrEnum):
    ORIGINAL = "original"
    WIDE = "16:9"
    TALL = "9:16"
    SQUARE = "1:1"
    PORTRAIT = "4:5"


class Fit(StrEnum):
    PAD = "pad"
    CROP = "crop"


class MixMode(StrEnum):
    DUCK = "duck"
    REPLACE = "replace"
    KEEP = "keep"


class Overrun(StrEnum):
    """What happens when the narration is longer than the video."""

    EXTEND = "extend"  # hold the last frame
    SPEEDUP = "speedup"  # speed the narration up, within the cap
    HOLD = "hold"  # timed scripts: speed up within the cap, then hold the picture at the cue


class Sync(StrEnum):
    """How untimed narration meets the picture."""

    AUTO = "auto"  # on the shots when the paragraphs match them in number
    SHOTS = "shots"  # paragraph k starts on shot k
    NONE = "none"  # read from the start, paced naturally


class Hold(StrEnum):
    """How a shot is held while its paragraph finishes."""

    FREEZE = "freeze"  # its last frame stays
    SLOW = "slow"  # it plays slower (to no less than half speed, then freezes)


class MediaKind(StrEnum):
    VIDEO = "video"
    IMAGE = "image"
    AUDIO = "audio"


@dataclass(frozen=True)
class Limits:
    """Hard limits on untrusted input."""

    max_bytes: int = 500_000_000
    max_duration_s: float = 1800.0
    max_pixels: int = 3840 * 2160
    max_fps: float = 120.0
    max_streams: int = 8
    max_script_words: int = 20_000
    max_script_bytes: int = 2_000_000
    ffmpeg_timeout_s: float = 1800.0
    probe_timeout_s: float = 30.0

    @classmethod
    def from_settings(cls, s: Settings) -> Limits:
        """Limits as configured."""
        return cls(
            max_bytes=s.max_upload_bytes,
            max_duration_s=s.max_duration_s,
            max_pixels=s.max_pixels,
            max_fps=s.max_fps,
            max_streams=s.max_streams,
            max_script_words=s.max_script_words,
            max_script_bytes=s.max_script_bytes,
            ffmpeg_timeout_s=s.ffmpeg_timeout_s,
            probe_timeout_s=s.probe_timeout_s,
        )


@dataclass(frozen=True)
class ScriptCue:
    """One piece of a script: a paragraph (untimed) or a timed cue (SRT/VTT/[0:05])."""

    text: str
    start_s: float | None = None
    end_s: float | None = None
    speaker: str | None = None  # the label the line had ("A", "Anna"), not part of the text
    speed: float | None = None  # its own speed (set on the edit page); None: the render's


@dataclass(frozen=True)
class Script:
    """A script as read: untimed paragraphs, or timed cues in order."""

    cues: tuple[ScriptCue, ...]

    @property
    def timed(self) -> bool:
        """True when every cue has a start time."""
        return bool(self.cues) and all(c.start_s is not None for c in self.cues)

    @property
    def text(self) -> str:
        """The whole script as plain text, paragraphs separated by blank lines."""
        return "\n\n".join(c.text for c in self.cues)

    @property
    def labelled_text(self) -> str:
        """The text with each cue's speaker label written back ("A: Hello"), for a service
        that reads labels itself."""
        return "\n\n".join(f"{c.speaker}: {c.text}" if c.speaker else c.text for c in self.cues)

    @property
    def word_count(self) -> int:
        """Words in the script."""
        return sum(len(c.text.split()) for c in self.cues)


@dataclass(frozen=True)
class MediaInfo:
    """What probing found in an input file (dimensions are as displayed, after rotation)."""

    path: Path
    kind: MediaKind
    container: str  # the demuxer name to force with -f (e.g. "mov,mp4,m4a,3gp,3g2,mj2")
    demuxer: str  # the single demuxer to pass to -f (e.g. "mov")
    size_bytes: int
    duration_s: float
    width: int = 0
    height: int = 0
    rotation: int = 0  # degrees, as the display matrix says (0, 90, 180, 270)
    fps: float = 0.0
    vcodec: str = ""
    pix_fmt: str = ""
    full_range: bool = False  # 0-255 levels (yuvj420p, color_range=pc): must be converted
    has_audio: bool = False
    acodec: str = ""
    audio_channels: int = 0
    stream_count: int = 0

    @property
    def is_h264_yuv420p(self) -> bool:
        """True when the video can be stream-copied into an MP4 as it is (limited range only)."""
        return self.vcodec == "h264" and self.pix_fmt == "yuv420p" and not self.full_range


@dataclass(frozen=True)
class VoiceInfo:
    """A Piper voice found on disk."""

    id: str  # e.g. "en_US-joe-medium"
    language: str  # e.g. "en_US"
    name: str  # e.g. "joe"
    quality: str  # x_low, low, medium, high
    gender: str | None  # "male", "female" or None when unknown
    model_path: Path
    config_path: Path
    sample_rate: int
    speaker_id: int | None = None  # for multi-speaker models
    speaker: str | None = None

    @property
    def language_code(self) -> str:
        """The two-letter language ("en")."""
        return self.language.split("_")[0].lower()


@dataclass(frozen=True)
class RenderOptions:
    """Everything a user can ask of a render."""

    voice: str | None = None
    language: str | None = None
    gender: str | None = None
    speed: float = 1.0
    captions: Captions = Captions.NONE
    aspect: Aspect = Aspect.ORIGINAL
    fit: Fit = Fit.PAD
    music_volume: float = 0.2
    mix: MixMode = MixMode.DUCK
    overrun: Overrun = Overrun.EXTEND
    sync: Sync = Sync.AUTO
    hold: Hold = Hold.FREEZE
    # Per speaker label, what voice it asked for: (label, "male" | "female" | language | id).
    speakers: tuple[tuple[str, str], ...] = ()


# The RenderOptions fields whose values are one of an enum's (read from JSON, chat or a form).
OPTION_ENUMS: dict[str, type[StrEnum]] = {
    "captions": Captions,
    "aspect": Aspect,
    "fit": Fit,
    "mix": MixMode,
    "overrun": Overrun,
    "sync": Sync,
    "hold": Hold,
}


@dataclass(frozen=True)
class RenderRequest:
    """One render: inputs (all optional but at least a script or narration) and options."""

    out: Path
    media: Path | None = None
    script: Script | None = None
    narration: Path | None = None  # the user's own recording instead of TTS
    music: Path | None = None
    options: RenderOptions = field(default_factory=RenderOptions)
    lexicon: Lexicon = field(default_factory=Lexicon)  # pronunciation fixes for the voice
    shots: tuple[float, ...] | None = None  # the media's cut times, when already known
    shot_runs: tuple[tuple[int, int], ...] | None = None  # per paragraph: its first, last shot


@dataclass(frozen=True)
class Segment:
    """A placed piece of narration."""

    start_s: float
    end_s: float
    text: str
    cue_s: float | None = None  # the start the script asked for (timed scripts)
    speedup: float = 1.0
    voice: str | None = None  # the id of the voice that read it
    shot: int | None = None  # the shot it plays over (0-based; synced renders)
    held_s: float = 0.0  # how long its shot was held for it to finish

    @property
    def drift_s(self) -> float:
        """How late this segment starts compared with its cue (0 for untimed)."""
        return 0.0 if self.cue_s is None else round(self.start_s - self.cue_s, 3)


@dataclass
class RenderResult:
    """What a render produced."""

    output: Path
    duration_s: float
    width: int
    height: int
    video_copied: bool
    voice: str | None
    voice_note: str | None
    segments: list[Segment]
    timings_s: dict[str, float]
    subtitles: Path | None = None
    size_bytes: int = 0
    warning: Note | None = None  # something the user should hear about (a voice fallback)
    sync: str = "none"  # the sync used: "shots" or "none"
    shots: list[tuple[float, float]] | None = None  # the source's shots (start, end), if known
    paragraphs: int = 0  # the script's paragraphs (untimed) or cues

    @property
    def drift_s(self) -> list[float] | None:
        """Per-segment drift for timed scripts, else None."""
        if not any(s.cue_s is not None for s in self.segments):
            return None
        return [s.drift_s for s in self.segments]
