"""One render, start to finish: probe, speak, place, mix, encode (or copy), deliver a file."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

from core.config import Settings
from core.engine.compose import Inputs, StageClock, compose, video_length
from core.engine.leftovers import work_dir
from core.engine.lexicon import operator_lexicon
from core.engine.model import (
    Limits,
    MediaInfo,
    Overrun,
    Progress,
    RenderRequest,
    RenderResult,
    VoiceInfo,
    no_progress,
)
from core.engine.narration import Narration, NarrationBuilder
from core.engine.pauses import strip_pauses
from core.engine.probe import probe_media, require_visual
from core.engine.revoice import hear
from core.engine.speech_cache import with_cache
from core.engine.synced import ShotsMeanwhile, Spans, hold_source, sync_spans
from core.engine.tts import get_synthesizer
from core.engine.validate import check_inputs, check_output_length
from core.engine.voice_load import ReadyVoices, ready_voices
from core.engine.warm_up import Warming
from core.errors import ErrorCode, VoiceoverError
from core.words.notes import Note

log = logging.getLogger(__name__)


def render(
    request: RenderRequest, settings: Settings, progress: Progress = no_progress
) -> RenderResult:
    """Render `request` to `request.out` (written atomically); VoiceoverError on bad input."""
    limits = Limits.from_settings(settings)
    clock = StageClock()
    started = time.perf_counter()
    # the language model and the voices load meanwhile; waiting is counted in no stage
    with Warming(request, settings) as warm:
        with clock.stage("probe"):
            inputs = _probe_inputs(request, limits, settings.max_segment_speedup, progress)
        voices = warm.voices()
        timeout, data = settings.ffmpeg_timeout_s, settings.data_dir
        shots_meanwhile = ShotsMeanwhile(request, inputs.media, timeout, data)
        warm.wait()  # the shots are being found meanwhile
    with work_dir() as tmp, shots_meanwhile as found:
        work = Path(tmp)
        request, spoken = _hear_or_speak(
            request, settings, inputs, work, clock, progress, found.result, voices
        )
        narration, voice, note, warning = spoken
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
        result = compose(request, settings, inputs, narration, work, clock, progress)
    _describe(result, request, shots, narration, voice, warning or note)
    result.warning = warning
    clock.timings["total"] = round(time.perf_counter() - started, 3)
    result.timings_s = clock.timings
    return result


def _describe(
    result: RenderResult,
    request: RenderRequest,
    shots: Spans | None,
    narration: Narration | MediaInfo,
    voice: VoiceInfo | None,
    told: Note | None,
) -> None:
    """What the render did, for the reply: shots, paragraphs, sync, the voice and its note."""
    result.shots = shots
    script = request.script
    result.paragraphs = sum(1 for c in script.cues if strip_pauses(c.text)) if script else 0
    result.sync = "shots" if isinstance(narration, Narration) and narration.synced else "none"
    result.voice, result.voice_note = (voice.id if voice else None), str(told) if told else None


Spoken = tuple[Narration | MediaInfo, VoiceInfo | None, Note | None, Note | None]


def _hear_or_speak(
    request: RenderRequest,
    settings: Settings,
    inputs: Inputs,
    work: Path,
    clock: StageClock,
    progress: Progress,
    shots: Callable[[], Spans | None],
    voices: Future[ReadyVoices] | None,
) -> tuple[RenderRequest, Spoken]:
    """The video's speech heard when the request needs it (a re-voice gets its script, captions
    from speech their narration), then the narration spoken (or the one heard)."""
    with clock.stage("hear"):
        request, heard = hear(request, settings, inputs.media, work)
    with clock.stage("speech"):
        if heard is not None:
            return request, (heard, None, None, None)
        return request, _narrate(request, settings, inputs, work, progress, shots, voices)


def _probe_inputs(
    request: RenderRequest, limits: Limits, max_speedup: float, progress: Progress
) -> Inputs:
    """The request checked and its media probed (VoiceoverError on bad input)."""
    check_inputs(request, limits, max_speedup)
    found = Inputs()
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
    progress("probe", 100.0)
    return found


def _narrate(
    request: RenderRequest,
    settings: Settings,
    inputs: Inputs,
    work: Path,
    progress: Progress,
    shots: Callable[[], Spans | None] = lambda: None,
    voices: Future[ReadyVoices] | None = None,
) -> tuple[Narration | MediaInfo, VoiceInfo | None, Note | None, Note | None]:
    """The narration (the user's recording, or the script spoken and laid on the `shots` found
    meanwhile; by `voices`, when they were readied meanwhile), its voice, a note on its choice,
    and a warning when that voice had to give way."""
    if inputs.narration is not None:
        progress("speech", 100.0)
        return inputs.narration, None, None, None
    assert request.script is not None
    opts = request.options
    ready = voices.result() if voices is not None else ready_voices(request, settings)
    plan, loaded = ready.plan, ready.loaded
    voice = loaded[plan.main.id]
    builder = NarrationBuilder(
        with_cache(get_synthesizer(settings.tts_threads), settings),  # said once: not again
        voice,
        opts.speed,
        settings.max_segment_speedup,
        lambda pct: progress("speech", pct),
        settings.tts_timeout_s,
        operator_lexicon(settings).merged(request.lexicon),
    )
    fit_to = video_length(inputs) if opts.overrun is Overrun.SPEEDUP else None
    cue_voices = [loaded[v.id] for v in plan.cue_voices]
    laid_on = lambda: sync_spans(request, shots())  # noqa: E731
    hold_until = _hold_until(request, inputs)
    narration = builder.build(
        request.script, fit_to, cue_voices, laid_on, hold_until, request.shot_runs
    )
    if not narration.segments:
        raise VoiceoverError(ErrorCode.EMPTY_SCRIPT)
    return narration, voice, plan.note, ready.warning


def _hold_until(request: RenderRequest, inputs: Inputs) -> float | None:
    """The video's length, when a timed cue that overruns holds the picture."""
    timed = request.script is not None and request.script.timed
    return video_length(inputs) if timed and request.options.overrun is Overrun.HOLD else None
