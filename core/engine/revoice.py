"""Re-voicing and captions from speech: what the video says becomes the script or the captions.

A re-voice reads the transcript (or the user's corrected SRT) at the original times with the
timed-cue machinery, and the original audio is muted, with short fades, where Silero VAD hears
speech, so music and effects between the lines survive. Captions from speech put the
transcript on screen and leave the audio as it was.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from core.config import Settings
from core.engine.asr import Transcript, load_audio, speech_spans
from core.engine.model import (
    Captions,
    CaptionStyle,
    MediaInfo,
    MixMode,
    RenderRequest,
    Script,
    ScriptCue,
    Segment,
)
from core.engine.narration import Narration
from core.engine.transcribe import transcribe_media
from core.engine.transcript_formats import transcript_cues
from core.errors import ErrorCode, VoiceoverError


def transcript_script(transcript: Transcript) -> Script:
    """The transcript as a timed script: one cue per caption-sized stretch of speech."""
    cues = transcript_cues(transcript)
    return Script(tuple(ScriptCue(c.text, c.start_s, c.end_s) for c in cues))


def prepare_revoice(
    request: RenderRequest, media: MediaInfo, settings: Settings, work: Path
) -> RenderRequest:
    """The request with the script to read (the transcript unless the user sent one) and the
    spans of original speech to mute."""
    language = request.options.language
    if request.script is not None and request.script.timed:
        audio = load_audio(media, work, settings.ffmpeg_timeout_s)
        return replace(request, mute_spans=speech_spans(audio))
    transcript = transcribe_media(media, settings, work, language)
    return replace(request, script=transcript_script(transcript), mute_spans=transcript.speech)


def hear(
    request: RenderRequest, settings: Settings, media: MediaInfo | None, work: Path
) -> tuple[RenderRequest, Narration | None]:
    """A request that needs the video's speech made ready: a re-voice gets its script and
    mute spans; captions from speech get a silent narration carrying the caption segments."""
    if not request.hears_speech:
        return request, None
    if media is None or not media.has_audio:
        name = media.path.name if media else "the video"
        raise VoiceoverError(ErrorCode.NO_AUDIO_STREAM, name=name)
    if request.options.revoice:
        return prepare_revoice(request, media, settings, work), None
    narration, _ = speech_captions(media, settings, work, request.options.language)
    return replace(request, options=replace(request.options, mix=MixMode.KEEP)), narration


def wants_words(request: RenderRequest) -> bool:
    """Whether our narration's words need times: asked for, or karaoke captions (captions
    from speech have the recogniser's already)."""
    karaoke = request.options.caption_style is CaptionStyle.KARAOKE
    burned = request.options.captions is Captions.BURN
    return not request.captions_only and (request.options.word_timings or (karaoke and burned))


def speech_captions(
    media: MediaInfo, settings: Settings, work: Path, language: str | None
) -> tuple[Narration, Transcript]:
    """Captions from what the video says, on a silent narration as long as the video."""
    transcript = transcribe_media(media, settings, work, language)
    segments = [
        Segment(c.start_s, c.end_s, c.text, c.start_s, words=c.words)
        for c in transcript_cues(transcript)
    ]
    rate = 22_050
    silence = np.zeros(int(round(media.duration_s * rate)), dtype=np.float32)
    return Narration(silence, rate, segments), transcript
