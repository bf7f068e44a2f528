"""Hearing a media file: its transcript, and the check that the model understands its language.

An English-only model (tiny.en, the default) cannot name the language it hears; it can only
decode badly. Whisper itself treats a segment whose average log-probability is below -1.0 as a
failed decoding, so a sample of the speech that decodes below that floor is taken for speech
the model does not understand, and refused with the setting and the install command to fix it.
Measured on espeak-ng speech: English about -0.6, French -1.2, Mandarin -1.5.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from core.config import Settings
from core.engine.asr import RATE, Recognizer, Transcript, get_recognizer, load_audio
from core.engine.leftovers import partial_path, work_dir
from core.engine.model import Limits, MediaInfo
from core.engine.probe import probe_media
from core.engine.transcript_formats import write_transcript
from core.errors import ErrorCode, VoiceoverError

CONFIDENCE_FLOOR = -1.0  # Whisper's log_prob_threshold: below it a decoding has failed
SAMPLE_S = 30.0  # the language check hears at most this much of the start


def probe_speech_media(path: Path, settings: Settings) -> MediaInfo:
    """The probed file, refused when it has no sound to hear."""
    media = probe_media(path, Limits.from_settings(settings))
    if not media.has_audio:
        raise VoiceoverError(ErrorCode.NO_AUDIO_STREAM, name=path.name)
    return media


def check_language(
    media: MediaInfo, settings: Settings, language: str | None = None
) -> Transcript | None:
    """Refuse speech the model cannot understand (an English-only model and other speech),
    from a quick pass over the start; the sample's transcript, or None for a multilingual
    model (it hears any language)."""
    recognizer = get_recognizer(settings)
    if not recognizer.model.english_only:
        return None
    if language and not language.lower().startswith("en"):
        _wrong_language(media, recognizer, f"you asked for {language}")
    with work_dir() as tmp:
        audio = load_audio(media, Path(tmp), settings.ffmpeg_timeout_s, SAMPLE_S)
    sample = recognizer.transcribe(audio, sample=True)
    judge(sample, media, recognizer)
    return sample


def judge(transcript: Transcript, media: MediaInfo, recognizer: Recognizer) -> None:
    """NO_SPEECH for silence; ASR_WRONG_LANGUAGE for speech an English model can't decode."""
    if not transcript.lines:
        raise VoiceoverError(ErrorCode.NO_SPEECH, name=media.path.name)
    if recognizer.model.english_only and transcript.confidence < CONFIDENCE_FLOOR:
        evidence = f"recognition confidence {transcript.confidence:.2f}, below {CONFIDENCE_FLOOR}"
        _wrong_language(media, recognizer, evidence)


def _wrong_language(media: MediaInfo, recognizer: Recognizer, evidence: str) -> None:
    raise VoiceoverError(
        ErrorCode.ASR_WRONG_LANGUAGE,
        name=media.path.name,
        model=recognizer.model.name,
        evidence=evidence,
    )


def transcribe_media(
    media: MediaInfo, settings: Settings, work: Path, language: str | None = None
) -> Transcript:
    """The whole transcript of a probed file, refused as `judge` says."""
    recognizer = get_recognizer(settings)
    if recognizer.model.english_only and language and not language.lower().startswith("en"):
        _wrong_language(media, recognizer, f"you asked for {language}")
    audio = load_audio(media, work, settings.ffmpeg_timeout_s)
    if recognizer.model.english_only:  # judged greedily: a retried decoding can look surer
        judge(recognizer.transcribe(audio[: int(SAMPLE_S * RATE)], sample=True), media, recognizer)
    transcript = recognizer.transcribe(audio, language)  # with Whisper's temperature fallback
    judge(transcript, media, recognizer)
    return transcript


def transcribe_file(
    path: Path, settings: Settings, out: Path | None = None, language: str | None = None
) -> Transcript:
    """A media file's transcript (probed and refused as `judge` says), also written to `out`
    (its extension names the format) when given; a failed write leaves no file."""
    info = probe_speech_media(path, settings)
    with work_dir() as tmp:
        transcript = transcribe_media(info, settings, Path(tmp), language)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = partial_path(out)
        try:
            write_transcript(partial, transcript)
            os.replace(partial, out)
        finally:
            with contextlib.suppress(OSError):
                partial.unlink()
    return transcript
