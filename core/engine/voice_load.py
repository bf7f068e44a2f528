"""The voices of one render: planned for its script and loaded, each from its aligned copy when
the render wants word times; a voice that fails to load gives way to another of its language."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from core.config import Settings
from core.engine.aligned_voice import aligned_folder
from core.engine.model import RenderRequest, VoiceInfo
from core.engine.revoice import wants_words
from core.engine.speech import SpeechEngine
from core.engine.tts import get_synthesizer
from core.engine.voice_plan import VoicePlan, plan_voices
from core.engine.voices import choose_voice, installed_voices
from core.errors import VoiceoverError
from core.words.notes import Note, join_notes

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReadyVoices:
    """The plan, the voice loaded for each id it names, and the warnings of any fallback."""

    plan: VoicePlan
    loaded: dict[str, VoiceInfo]
    warning: Note | None


def ready_voices(request: RenderRequest, settings: Settings) -> ReadyVoices:
    """The request's script planned (VoiceoverError: refused) and its voices loaded."""
    assert request.script is not None
    voices = installed_voices(settings.voices_dir)
    plan = plan_voices(request.script, voices, request.options, settings.default_voice)
    synthesizer = get_synthesizer(settings.tts_threads)
    loaded, warning = _load_voices(plan, synthesizer, settings, wants_words(request))
    return ReadyVoices(plan, loaded, warning)


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
