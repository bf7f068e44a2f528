"""The second half of a render: the mix, the captions and the final ffmpeg pass (copying the
video stream when nothing visual changes), written to the request's output."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from core.config import Settings
from core.engine.caption_styles import Look, write_ass
from core.engine.captions import caption_cues, write_srt
from core.engine.ffmpeg import run_ffmpeg
from core.engine.layout import Geometry, plan_geometry
from core.engine.leftovers import partial_path
from core.engine.mixdown import Loudness, MixPlan, mix_audio
from core.engine.model import (
    Captions,
    MediaInfo,
    MediaKind,
    Progress,
    RenderRequest,
    RenderResult,
    Segment,
)
from core.engine.narration import Narration, write_wav
from core.engine.pauses import strip_pauses
from core.engine.revoice import wants_words
from core.engine.script_words import aligned_segments
from core.engine.synced import Spans
from core.engine.video import FinalPass, background_args, final_args
from core.engine.word_timings import timed_segments
from core.words.fonts import caption_fonts


@dataclass
class Inputs:
    """What a render's input files were found to be."""

    media: MediaInfo | None = None
    music: MediaInfo | None = None
    narration: MediaInfo | None = None
    shots: Spans | None = None  # the video's shots, when the script may be laid on them
    sound: MediaInfo | None = None  # the video's sound, when held apart from its picture
    hold_graph: str = ""  # the holds, when the last pass makes them ([0:v:0] to [held])


@dataclass
class StageClock:
    """Wall time per stage."""

    timings: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the block as stage `name`."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = round(time.perf_counter() - started, 3)


def video_length(inputs: Inputs) -> float | None:
    media = inputs.media
    return media.duration_s if media is not None and media.kind is MediaKind.VIDEO else None


def _segments(request: RenderRequest, narration: Narration | MediaInfo) -> list[Segment]:
    """Placed segments; for a user's recording, the timed script's cues (or one segment)."""
    if isinstance(narration, Narration):
        return narration.segments
    script = request.script
    if script is not None and script.timed:
        cues = script.cues
        ends = [c.start_s or 0.0 for c in cues[1:]] + [narration.duration_s]
        return [
            Segment(c.start_s or 0.0, c.end_s or end, strip_pauses(c.text), c.start_s)
            for c, end in zip(cues, ends, strict=True)
        ]
    text = strip_pauses(script.text) if script is not None else ""
    return [Segment(0.0, round(narration.duration_s, 3), text)] if text else []


def _placed(
    request: RenderRequest, narration: Narration | MediaInfo, settings: Settings, clock: StageClock
) -> list[Segment]:
    """The placed segments, each word timed when karaoke captions or --json need it."""
    segments = _segments(request, narration)
    if isinstance(narration, Narration) and wants_words(request):
        with clock.stage("words"):  # from the voice's alignments; the recogniser for the rest
            aligned = aligned_segments(segments, narration.spoken)
            return timed_segments(aligned, narration.samples, narration.sample_rate, settings)
    return segments


def compose(
    request: RenderRequest,
    settings: Settings,
    inputs: Inputs,
    narration: Narration | MediaInfo,
    work: Path,
    clock: StageClock,
    progress: Progress,
) -> RenderResult:
    """Mix the audio and write the MP4 (copying the video stream when nothing visual changes)."""
    opts = request.options
    video_len = video_length(inputs)
    narr_len = narration.duration_s
    duration = max(narr_len, video_len or 0.0)
    extend = duration - video_len if video_len is not None else 0.0
    geometry = plan_geometry(inputs.media, opts.aspect, opts.captions, extend)
    segments = _placed(request, narration, settings, clock)
    with clock.stage("mix"):
        loudness = _mix(request, settings, inputs, narration, duration, work)
        progress("mix", 100.0)
    with clock.stage("encode"):
        final = _final_pass(request, inputs, geometry, segments, duration, extend, work)
        gain = loudness.gain_filter(settings.loudness_lufs, settings.true_peak_db - 0.5)
        final = replace(final, audio_filter="anull" if request.captions_only else gain)
        _encode(final, request, settings, duration, progress)
        subtitles = _keep_subtitles(final, request.out)
    return RenderResult(
        output=request.out,
        duration_s=round(duration, 3),
        width=geometry.width,
        height=geometry.height,
        video_copied=geometry.copy_video,
        voice=None,
        voice_note=None,
        segments=segments,
        timings_s={},
        subtitles=subtitles,
        size_bytes=request.out.stat().st_size,
    )


def _encode(
    final: FinalPass,
    request: RenderRequest,
    settings: Settings,
    duration: float,
    progress: Progress,
) -> None:
    """Run the final pass and move its output into place (its partial file never stays)."""
    try:
        run_ffmpeg(
            final_args(final, request.options.fit),
            timeout_s=settings.ffmpeg_timeout_s,
            duration_s=duration,
            on_progress=lambda pct: progress("encode", pct),
        )
        os.replace(final.out, request.out)
    finally:
        final.out.unlink(missing_ok=True)


def _mix(
    request: RenderRequest,
    settings: Settings,
    inputs: Inputs,
    narration: Narration | MediaInfo,
    duration: float,
    work: Path,
) -> Loudness:
    if isinstance(narration, Narration):
        narr_wav = work / "narration.wav"
        write_wav(narr_wav, narration.samples, narration.sample_rate)
        narr_media = None
    else:
        narr_wav, narr_media = work / "unused.wav", narration
    plan = MixPlan(
        narration_wav=narr_wav,
        narration_media=narr_media,
        duration_s=duration,
        source=inputs.sound or (inputs.media if video_length(inputs) is not None else None),
        music=inputs.music,
        mix=request.options.mix,
        music_volume=request.options.music_volume,
        mute_spans=request.mute_spans,
    )
    return mix_audio(plan, work / "mix.wav", work / "meter.txt", settings.ffmpeg_timeout_s)


def _final_pass(
    request: RenderRequest,
    inputs: Inputs,
    geometry: Geometry,
    segments: list[Segment],
    duration: float,
    extend: float,
    work: Path,
) -> FinalPass:
    captions = request.options.captions
    cues = caption_cues(segments)
    background = None
    if inputs.media is None:
        background = work / "background.png"
        run_ffmpeg(background_args(background, geometry.width, geometry.height), timeout_s=60)
    burn = captions is Captions.BURN and bool(cues)
    family = caption_fonts(work / "fonts", " ".join(c.text for c in cues)) if burn else ""
    look, size = Look.of(request.options), (geometry.width, geometry.height)
    out = request.out
    return FinalPass(
        out=partial_path(out),
        fonts=work / "fonts",
        duration_s=duration,
        geometry=geometry,
        mix_wav=work / "mix.wav",
        audio_filter="anull",
        media=inputs.media,
        hold_graph=inputs.hold_graph,
        background=background,
        extend_s=max(0.0, extend) if not geometry.copy_video else 0.0,
        burn_ass=write_ass(work / "captions.ass", cues, *size, family, look) if burn else None,
        soft_srt=(
            write_srt(work / "captions.srt", cues) if captions is Captions.SOFT and cues else None
        ),
    )


def _keep_subtitles(final: FinalPass, out: Path) -> Path | None:
    """Soft captions also go beside the MP4 as an .srt."""
    if final.soft_srt is None:
        return None
    beside = out.with_suffix(".srt")
    shutil.copyfile(final.soft_srt, beside)
    return beside
