"""One render, start to finish: probe, speak, place, mix, encode (or copy), deliver a file."""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from core.config import Settings
from core.engine.captions import caption_cues, write_ass, write_srt
from core.engine.ffmpeg import run_ffmpeg
from core.engine.language_id import load_model
from core.engine.layout import Geometry, plan_geometry
from core.engine.leftovers import partial_path, work_dir
from core.engine.lexicon import operator_lexicon
from core.engine.mixdown import Loudness, MixPlan, mix_audio
from core.engine.model import (
    Captions,
    Limits,
    MediaInfo,
    MediaKind,
    Overrun,
    Progress,
    RenderRequest,
    RenderResult,
    Segment,
    VoiceInfo,
    no_progress,
)
from core.engine.narration import Narration, NarrationBuilder, write_wav
from core.engine.pauses import strip_pauses
from core.engine.probe import probe_media, require_visual
from core.engine.speech import SpeechEngine
from core.engine.speech_cache import with_cache
from core.engine.synced import ShotsMeanwhile, Spans, hold_source, sync_spans
from core.engine.tts import get_synthesizer
from core.engine.validate import check_inputs, check_output_length
from core.engine.video import FinalPass, background_args, final_args
from core.engine.voice_plan import VoicePlan, plan_voices
from core.engine.voices import choose_voice, installed_voices
from core.errors import ErrorCode, VoiceoverError
from core.words.fonts import caption_fonts
from core.words.notes import Note, join_notes

log = logging.getLogger(__name__)


@dataclass
class _Inputs:
    media: MediaInfo | None = None
    music: MediaInfo | None = None
    narration: MediaInfo | None = None
    shots: Spans | None = None  # the video's shots, when the script may be laid on them
    sound: MediaInfo | None = None  # the video's sound, when held apart from its picture
    hold_graph: str = ""  # the holds, when the last pass makes them ([0:v:0] to [held])


@dataclass
class _Clock:
    """Wall time per stage."""

    timings: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = round(time.perf_counter() - started, 3)


def render(
    request: RenderRequest, settings: Settings, progress: Progress = no_progress
) -> RenderResult:
    """Render `request` to `request.out` (written atomically); VoiceoverError on bad input."""
    limits = Limits.from_settings(settings)
    clock = _Clock()
    started = time.perf_counter()
    # the language model loads meanwhile; waiting for the rest of it is counted in no stage
    with _meanwhile(load_model if request.script else None), clock.stage("probe"):
        check_inputs(request, limits, settings.max_segment_speedup)
        inputs = _probe_inputs(request, limits)
        progress("probe", 100.0)
    timeout, data = settings.ffmpeg_timeout_s, settings.data_dir
    with work_dir() as tmp, ShotsMeanwhile(request, inputs.media, timeout, data) as found:
        work = Path(tmp)
        with clock.stage("speech"):
            narration, voice, note, warning = _narrate(
                request, settings, inputs, work, progress, found.result
            )
        inputs.shots = found.result()
        if found.seconds:
            clock.timings["shots_during_speech"] = found.seconds
        check_output_length(narration.duration_s, limits)
        shots = inputs.shots
        if isinstance(narration, Narration) and narration.holds and inputs.media is not None:
            with clock.stage("hold"):
                held = (inputs.media, narration.spans, narration.holds, work, timeout)
                hold = hold_source(request, *held, narration.duration_s)
                inputs.media, inputs.sound, inputs.hold_graph = hold.source, hold.sound, hold.graph
        result = _compose(request, settings, inputs, narration, work, clock, progress)
    result.shots = shots
    script = request.script
    result.paragraphs = sum(1 for c in script.cues if strip_pauses(c.text)) if script else 0
    result.sync = "shots" if isinstance(narration, Narration) and narration.synced else "none"
    told = warning or note
    result.voice, result.voice_note = (voice.id if voice else None), str(told) if told else None
    result.warning = warning
    clock.timings["total"] = round(time.perf_counter() - started, 3)
    result.timings_s = clock.timings
    return result


@contextmanager
def _meanwhile(work: Callable[[], None] | None) -> Iterator[None]:
    """Run `work` in a thread while the block runs (the probe waits on its own process; the
    language model loads meanwhile in a fresh process), and wait for it at the end."""
    thread = threading.Thread(target=_quietly, args=(work,), daemon=True) if work else None
    if thread is not None:
        thread.start()
    try:
        yield
    finally:
        if thread is not None:
            thread.join()


def _quietly(work: Callable[[], None]) -> None:
    try:
        work()
    except Exception:  # the first real use fails the same way, where it is reported
        log.debug("warm-up failed", exc_info=True)


def _probe_inputs(request: RenderRequest, limits: Limits) -> _Inputs:
    found = _Inputs()
    if request.media is not None:
        found.media = probe_media(request.media, limits)
        require_visual(found.media, request.media.name)
    for attr in ("music", "narration"):
        path = getattr(request, attr)
        if path is not None:
            info = probe_media(path, limits)
            if not info.has_audio:
                raise VoiceoverError(ErrorCode.NO_AUDIO_STREAM, name=path.name)
            setattr(found, attr, info)
    return found


def _video_length(inputs: _Inputs) -> float | None:
    media = inputs.media
    return media.duration_s if media is not None and media.kind is MediaKind.VIDEO else None


def _narrate(
    request: RenderRequest,
    settings: Settings,
    inputs: _Inputs,
    work: Path,
    progress: Progress,
    shots: Callable[[], Spans | None] = lambda: None,
) -> tuple[Narration | MediaInfo, VoiceInfo | None, Note | None, Note | None]:
    """The narration (the user's own recording, or the script spoken by the chosen voice), the
    voice, a note on its choice, and a warning when the chosen voice had to give way. The
    video's `shots` are asked for once the speech is synthesised (they are found meanwhile)."""
    if inputs.narration is not None:
        progress("speech", 100.0)
        return inputs.narration, None, None, None
    assert request.script is not None
    opts = request.options
    plan = plan_voices(
        request.script, installed_voices(settings.voices_dir), opts, settings.default_voice
    )
    synthesizer = get_synthesizer(settings.tts_threads)
    loaded, warning = _load_voices(plan, synthesizer, settings)
    voice = loaded[plan.main.id]
    builder = NarrationBuilder(
        with_cache(synthesizer, settings),  # what an earlier render said is not said again
        voice,
        opts.speed,
        settings.max_segment_speedup,
        lambda pct: progress("speech", pct),
        settings.tts_timeout_s,
        operator_lexicon(settings).merged(request.lexicon),
    )
    fit_to = _video_length(inputs) if opts.overrun is Overrun.SPEEDUP else None
    cue_voices = [loaded[v.id] for v in plan.cue_voices]
    laid_on = lambda: sync_spans(request, shots())  # noqa: E731
    timed_hold = request.script.timed and opts.overrun is Overrun.HOLD
    hold_until = _video_length(inputs) if timed_hold else None
    narration = builder.build(
        request.script, fit_to, cue_voices, laid_on, hold_until, request.shot_runs
    )
    if not narration.segments:
        raise VoiceoverError(ErrorCode.EMPTY_SCRIPT)
    return narration, voice, plan.note, warning


def _load_voices(
    plan: VoicePlan, synthesizer: SpeechEngine, settings: Settings
) -> tuple[dict[str, VoiceInfo], Note | None]:
    """Every voice of the plan loaded (by the id planned), and the warnings of any fallback."""
    loaded: dict[str, VoiceInfo] = {}
    warnings: list[Note | None] = []
    for wanted in plan.voices:
        loaded[wanted.id], warning = _loadable(wanted, synthesizer, settings)
        warnings.append(warning)
    return loaded, join_notes(*warnings)


def _loadable(
    voice: VoiceInfo, synthesizer: SpeechEngine, settings: Settings
) -> tuple[VoiceInfo, Note | None]:
    """The voice, loaded; one that fails to load gives way to the default voice of its language
    (a warning for the user says so) rather than failing the job."""
    try:
        synthesizer.preload(voice)
        return voice, None
    except VoiceoverError:
        others = [v for v in installed_voices(settings.voices_dir) if v.id != voice.id]
        if not others:
            raise
        fallback, _ = choose_voice(
            others, language=voice.language_code, default_id=settings.default_voice
        )
        if fallback.language_code != voice.language_code:
            raise  # never a reading by a voice of another language
        synthesizer.preload(fallback)
        log.warning("voice %s could not be loaded; %s reads instead", voice.id, fallback.id)
        return fallback, Note("voice_fallback", {"failed": voice.id, "used": fallback.id})


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


def _compose(
    request: RenderRequest,
    settings: Settings,
    inputs: _Inputs,
    narration: Narration | MediaInfo,
    work: Path,
    clock: _Clock,
    progress: Progress,
) -> RenderResult:
    """Mix the audio and write the MP4 (copying the video stream when nothing visual changes)."""
    opts = request.options
    video_len = _video_length(inputs)
    narr_len = narration.duration_s
    duration = max(narr_len, video_len or 0.0)
    extend = duration - video_len if video_len is not None else 0.0
    geometry = plan_geometry(inputs.media, opts.aspect, opts.captions, extend)
    segments = _segments(request, narration)
    with clock.stage("mix"):
        loudness = _mix(request, settings, inputs, narration, duration, work)
        progress("mix", 100.0)
    with clock.stage("encode"):
        final = _final_pass(request, inputs, geometry, segments, duration, extend, work)
        gain = loudness.gain_filter(settings.loudness_lufs, settings.true_peak_db - 0.5)
        final = replace(final, audio_filter=gain)
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
    inputs: _Inputs,
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
        source=inputs.sound or (inputs.media if _video_length(inputs) is not None else None),
        music=inputs.music,
        mix=request.options.mix,
        music_volume=request.options.music_volume,
    )
    return mix_audio(plan, work / "mix.wav", work / "meter.txt", settings.ffmpeg_timeout_s)


def _final_pass(
    request: RenderRequest,
    inputs: _Inputs,
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
        burn_ass=(
            write_ass(work / "captions.ass", cues, geometry.width, geometry.height, family)
            if burn
            else None
        ),
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
