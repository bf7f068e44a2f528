"""Speech recognition with faster-whisper: int8 on the CPU, Silero VAD, one model per process.

Blocking: callers on an event loop run it with asyncio.to_thread (the engine's render already
runs in a worker thread). The media is decoded by our own ffmpeg pass (probed demuxer, protocol
whitelist) to 16 kHz mono floats; faster-whisper never opens the untrusted file itself.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from core.config import Settings
from core.engine.asr_models import AsrModel, resolve_model, verify_model
from core.engine.ffmpeg import input_args, run_ffmpeg
from core.engine.model import MediaInfo
from core.errors import ErrorCode, VoiceoverError

log = logging.getLogger(__name__)

RATE = 16_000
SPEECH_PAD_MS = 120  # VAD spans padded this much each side (the mute of a re-voice follows them)
MIN_SILENCE_MS = 300


@dataclass(frozen=True)
class Word:
    """One recognised word and when it was said."""

    text: str
    start_s: float
    end_s: float


@dataclass(frozen=True)
class Line:
    """One recognised stretch of speech (a Whisper segment)."""

    start_s: float
    end_s: float
    text: str
    words: tuple[Word, ...]
    avg_logprob: float = 0.0


@dataclass(frozen=True)
class Transcript:
    """What was said in a media file, with times, and where the speech was."""

    language: str
    duration_s: float
    lines: tuple[Line, ...]
    speech: tuple[tuple[float, float], ...]  # VAD spans, seconds
    model: str

    @property
    def text(self) -> str:
        """The whole transcript as one text."""
        return " ".join(line.text for line in self.lines).strip()

    @property
    def confidence(self) -> float:
        """The lines' average log-probability, weighted by their length (0 when empty)."""
        spans = [(max(0.01, ln.end_s - ln.start_s), ln.avg_logprob) for ln in self.lines]
        total = sum(d for d, _ in spans)
        return sum(d * p for d, p in spans) / total if total else 0.0


class Recognizer:
    """One loaded faster-whisper model (checked first), shared by every job in the process."""

    def __init__(self, model: AsrModel, threads: int) -> None:
        from faster_whisper import WhisperModel

        verify_model(model)
        started = time.perf_counter()
        self.model = model
        self._whisper = WhisperModel(
            str(model.path), device="cpu", compute_type="int8", cpu_threads=threads
        )
        self.load_seconds = time.perf_counter() - started
        self._lock = threading.Lock()

    def transcribe(
        self,
        audio: np.ndarray,
        language: str | None = None,
        *,
        sample: bool = False,
        retry: bool = True,
    ) -> Transcript:
        """Recognise 16 kHz mono audio; `sample`: a quick greedy pass for a language check;
        without `retry`, no second decoding at a higher temperature (our own clean speech)."""
        speech = speech_spans(audio)
        lang = "en" if self.model.english_only else language
        options: dict[str, Any] = {
            "language": lang,
            "beam_size": 1,
            "vad_filter": True,
            "vad_parameters": {"min_silence_duration_ms": MIN_SILENCE_MS},
            "word_timestamps": not sample,
            "condition_on_previous_text": False,
            "temperature": (0.0, 0.4, 0.8) if retry and not sample else (0.0,),
        }
        with self._lock:
            segments, info = self._whisper.transcribe(audio, **options)
            lines = tuple(_line(s) for s in segments)
        return Transcript(
            language=info.language,
            duration_s=round(len(audio) / RATE, 3),
            lines=lines,
            speech=speech,
            model=self.model.name,
        )


def _line(segment: Any) -> Line:
    words = tuple(
        Word(w.word.strip(), round(float(w.start), 3), round(float(w.end), 3))
        for w in (segment.words or ())
        if w.word.strip()
    )
    return Line(
        round(float(segment.start), 3),
        round(float(segment.end), 3),
        segment.text.strip(),
        words,
        float(segment.avg_logprob),
    )


def speech_spans(audio: np.ndarray) -> tuple[tuple[float, float], ...]:
    """Where Silero VAD (bundled with faster-whisper) hears speech, in seconds."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(min_silence_duration_ms=MIN_SILENCE_MS, speech_pad_ms=SPEECH_PAD_MS)
    stamps = get_speech_timestamps(audio, options, sampling_rate=RATE)
    return tuple((round(s["start"] / RATE, 3), round(s["end"] / RATE, 3)) for s in stamps)


_recognizers: dict[Path, Recognizer] = {}
_recognizers_lock = threading.Lock()


def get_recognizer(settings: Settings) -> Recognizer:
    """The process-wide recognizer for ASR_MODEL (loaded, after its check, on first use)."""
    model = resolve_model(settings)
    with _recognizers_lock:
        found = _recognizers.get(model.path)
        if found is None:
            found = _recognizers[model.path] = Recognizer(model, settings.cores)
            log.info("speech model %s loaded in %.1f s", model.name, found.load_seconds)
        return found


def load_audio(media: MediaInfo, work: Path, timeout_s: float, limit_s: float = 0.0) -> np.ndarray:
    """The media's first audio stream as 16 kHz mono float32 (only `limit_s` seconds if set)."""
    if not media.has_audio:
        raise VoiceoverError(ErrorCode.NO_AUDIO_STREAM, name=media.path.name)
    raw = work / "speech-16k.f32"
    cut = ["-t", f"{limit_s:.3f}"] if limit_s > 0 else []
    args = [*input_args(media), *cut, "-map", "0:a:0", "-vn", "-ac", "1", "-ar", str(RATE)]
    run_ffmpeg([*args, "-f", "f32le", f"file:{raw}"], timeout_s=timeout_s)
    try:
        return np.fromfile(raw, dtype=np.float32)
    finally:
        raw.unlink(missing_ok=True)
