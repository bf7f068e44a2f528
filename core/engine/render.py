"""One render, start to finish: probe, speak, place, mix, encode (or copy), deliver a file."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from core.config import Settings
from core.engine.aligned_voice import aligned_folder
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
from core.engine.revoice import hear, wants_words
from core.engine.speech import SpeechEngine
from core.engine.speech_cache import with_cache
from core.engine.synced import ShotsMeanwhile, Spans, hold_source, sync_spans
from core.engine.tts import get_synthesizer
from core.engine.validate import check_inputs, check_output_length
from core.engine.voice_plan import VoicePlan, plan_voices
from core.engine.voices import choose_voice, installed_voices
from core.engine.warm_up import Warming
from core.errors import ErrorCode, VoiceoverError
from core.words.notes import Note, join_notes

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
        warm.voices()
        timeout, data = settings.ffmpeg_timeout_s, settings.data_dir
        shots_meanwhile = ShotsMeanwhile(request, inputs.media, timeout, data)
        warm.wait()  # the shots are being found meanwhile
    with work_dir() as tmp, shots_meanwhile as found:
        work = Path(tmp)
        request, spoken = _hear_or_speak(
            request, settings, inputs, work, clock, progress, found.result
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
) -> tuple[RenderRequest, Spoken]:
    """The video's speech heard when the request needs it (a re-voice gets its script, captions
    from speech their narration), then the narration spoken (or the one heard)."""
    with clock.stage("hear"):
        request, heard = hear(request, settings, inputs.media, work)
    with clock.stage("speech"):
        if heard is not None:
            return request, (heard, None, None, None)
        return request, _narrate(request, settings, inputs, work, progress, shots)


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
) -> tuple[Narration | MediaInfo, VoiceInfo | None, Note | None, Note | None]:
    """The narration (the user's recording, or the script spoken and laid on the `shots` found
    meanwhile), its voice, a note on its choice, and a warning when that voice had to give way."""
    if inputs.narration is not None:
        progress("speech", 100.0)
        return inputs.narration, None, None, None
    assert request.script is not None
    opts = request.options
    plan = plan_voices(
        request.script, installed_voices(settings.voices_dir), opts, settings.default_voice
    )
    synthesizer = get_synthesizer(settings.tts_threads)
    loaded, warning = _load_voices(plan, synthesizer, settings, wants_words(request))
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
    fit_to = video_length(inputs) if opts.overrun is Overrun.SPEEDUP else None
    cue_voices = [loaded[v.id] for v in plan.cue_voices]
    laid_on = lambda: sync_spans(request, shots())  # noqa: E731
    hold_until = _hold_until(request, inputs)
    narration = builder.build(
        request.script, fit_to, cue_voices, laid_on, hold_until, request.shot_runs
    )
    if not narration.segments:
        raise VoiceoverError(ErrorCode.EMPTY_SCRIPT)
    return narration, voice, plan.note, warning


def _hold_until(request: RenderRequest, inputs: Inputs) -> float | None:
    """The video's length, when a timed cue that overruns holds the picture."""
    timed = request.script is not None and request.script.timed
    return video_length(inputs) if timed and request.options.overrun is Overrun.HOLD else None


def _load_voices(
    plan: VoicePlan, synthesizer: SpeechEngine, settings: Settings, words: bool = False
) -> tuple[dict[str, VoiceInfo], Note | None]:
    """Every voice of the plan loaded (by the id planned), and the warnings of any fallback;
    from its aligned copy when there is one (made first when the render wants `words`)."""
    loaded: dict[str, VoiceInfo] = {}
    warnings: list[Note | None] = []
    for wanted in plan.voices:
        loaded[wanted.id], warning = _loadable(wanted, synthesizer, settings, words)
        warnings.append(warning)
    return loaded, join_notes(*warnings)


def _loadable(
    voice: VoiceInfo, synthesizer: SpeechEngine, settings: Settings, words: bool = False
) -> tuple[VoiceInfo, Note | None]:
    """The voice, loaded; one that fails to load gives way to the default voice of its language
    (a warning for the user says so) rather than failing the job."""
    aligned = aligned_folder(settings.data_dir)
    try:
        synthesizer.preload(voice, aligned, words)
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
        synthesizer.preload(fallback, aligned, words)
        log.warning("voice %s could not be loaded; %s reads instead", voice.id, fallback.id)
        return fallback, Note("voice_fallback", {"failed": voice.id, "used": fallback.id})
