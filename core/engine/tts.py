"""Piper speech synthesis: each voice loaded once per process, sentences spoken in parallel.

Measured on 2 cores (bench/bench_tts.py): short sentence-sized ONNX runs barely use a second
intra-op thread, so one shared single-threaded session per voice with one worker thread per
core (onnxruntime releases the GIL) beats one call with all cores on the whole text.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from pathlib import Path

import numpy as np
from piper import PiperVoice, SynthesisConfig

from core.engine.aligned_voice import aligned_folder
from core.engine.model import VoiceInfo
from core.engine.phoneme_words import TONE_VOICES, Clip, Unit, shifted, spoken_units
from core.engine.piper_text import (
    MAX_CHARS_PER_CALL,
    MAX_WORDS_PER_CALL,
    empty_audio,
    sound_bounds,
    split_long,
    trim_silence,
)
from core.engine.validate import SPEED_RANGE, check_range
from core.engine.voice_cache import (
    VOICE_CACHE,
    ReleasingSession,
    VoiceCache,
    load_piper_voice,
)
from core.engine.voices import discover_voices
from core.errors import ErrorCode, VoiceoverError

log = logging.getLogger(__name__)

MIN_SPEED, MAX_SPEED = SPEED_RANGE
# Piper rounds every phoneme up to whole frames, so speech length is not proportional to
# length_scale (0.5 gives only 1.55x faster speech). Measured on en_US-joe-medium over a
# 300-word script (speech length relative to length_scale 1): speed → length_scale.
SPEED_TO_LENGTH_SCALE = (
    (0.5, 2.35),
    (0.667, 1.68),
    (0.8, 1.37),
    (1.0, 1.0),
    (1.25, 0.72),
    (1.5, 0.55),
    (1.75, 0.38),
    (2.0, 0.25),
)


class Synthesizer:
    """Speaks sentences with Piper on a pool of `threads` workers."""

    def __init__(self, threads: int, cache: VoiceCache | None = None) -> None:
        self.threads = max(1, threads)
        self.cache = cache or VOICE_CACHE
        self.closed = False
        self.sentences_spoken = 0  # how many sentences Piper was asked to speak (all renders)
        self._count_lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="tts")

    @property
    def loads(self) -> int:
        """How many voice models this process has loaded."""
        return self.cache.loads

    def preload(
        self, voice: VoiceInfo, aligned_dir: Path | None = None, make: bool = False
    ) -> None:
        """Load `voice` now (e.g. at start-up) so the first render does not wait for it; with
        `aligned_dir`, from its patched copy there (made now when `make`: its speech then comes
        with word times, see core/engine/aligned_voice.py)."""
        self.cache.get(voice, aligned_dir, make)

    def gives_words(self, voice: VoiceInfo) -> bool:
        """Whether this voice's speech comes with its words' times (its model is aligned)."""
        return self.cache.aligned(voice)

    def synthesize(
        self,
        voice: VoiceInfo,
        sentences: Sequence[str],
        speed: float = 1.0,
        on_progress: Callable[[float], None] | None = None,
        deadline: float | None = None,
    ) -> list[np.ndarray]:
        """One float32 mono array (voice.sample_rate, -1..1) per sentence, in order (see
        synthesize_timed)."""
        timed = self.synthesize_timed(voice, sentences, speed, on_progress, deadline)
        return [clip.audio for clip in timed]

    def synthesize_timed(
        self,
        voice: VoiceInfo,
        sentences: Sequence[str],
        speed: float = 1.0,
        on_progress: Callable[[float], None] | None = None,
        deadline: float | None = None,
    ) -> list[Clip]:
        """One clip per sentence, in order: float32 mono audio (voice.sample_rate, -1..1) and,
        when the voice is aligned, its spoken words' times from this very synthesis.

        `on_progress` gets the percent done as pieces finish; if it raises (a cancel), the
        pieces not started yet are dropped and the exception propagates. At `deadline` (a
        time.monotonic() value) the same happens with VoiceoverError(TIMEOUT): only the pieces
        already being spoken run on, each bounded by split_long.
        """
        check_speed(speed)
        piper = self.cache.get(voice)
        with self._count_lock:
            self.sentences_spoken += len(sentences)
        config = SynthesisConfig(
            speaker_id=voice.speaker_id,
            length_scale=piper.config.length_scale * length_scale_for(speed),
            normalize_audio=False,  # Piper's raw level is steady across sentences; keep it
        )
        pieces = [(i, chunk) for i, text in enumerate(sentences) for chunk in split_long(text)]
        longest_first = sorted(range(len(pieces)), key=lambda k: -len(pieces[k][1]))
        last = set(longest_first[-self.threads :])  # each thread's last run releases memory
        futures: dict[int, Future[Clip]] = {
            k: self._pool.submit(speak, piper, pieces[k][1], config, k in last)
            for k in longest_first
        }
        _wait(list(futures.values()), on_progress, deadline)
        parts: list[list[Clip]] = [[] for _ in sentences]
        for k, (i, _) in enumerate(pieces):
            parts[i].append(futures[k].result())
        return [_trimmed(p, voice.sample_rate) for p in parts]

    def voices(self, extra_dir: Path | None = None) -> list[VoiceInfo]:
        """Piper's voices: the bundled one, then every Piper voice under extra_dir."""
        return discover_voices(extra_dir)

    def close(self) -> None:
        """Stop the worker threads (loaded voices stay in the process cache)."""
        self.closed = True
        self._pool.shutdown(wait=True, cancel_futures=True)


def _wait(
    futures: list[Future[Clip]],
    on_progress: Callable[[float], None] | None,
    deadline: float | None,
) -> None:
    """Wait for every piece, reporting progress; on an exception or at the deadline, cancel the
    pieces not started yet (TIMEOUT for the deadline)."""
    timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
    try:
        for done, _ in enumerate(as_completed(futures, timeout=timeout), start=1):
            if on_progress is not None:
                on_progress(100.0 * done / len(futures))
    except BaseException as exc:
        for future in futures:
            future.cancel()
        if isinstance(exc, TimeoutError):
            log.warning("Speech synthesis stopped at its deadline")
            raise VoiceoverError(ErrorCode.TIMEOUT) from exc
        raise


def check_speed(speed: float) -> None:
    """Refuse a speaking speed outside 0.5–2.0."""
    check_range("speed", speed, SPEED_RANGE)


def length_scale_for(speed: float) -> float:
    """Piper's length_scale that makes speech `speed` times as fast as normal."""
    speeds, scales = zip(*SPEED_TO_LENGTH_SCALE, strict=True)
    return float(np.interp(speed, speeds, scales))


def _trimmed(parts: Sequence[Clip], rate: int) -> Clip:
    """A sentence's pieces joined, the silence at both ends trimmed (its words moved with it)."""
    audio = np.concatenate([p.audio for p in parts]) if parts else empty_audio()
    units: list[Unit] | None = [] if parts and all(p.units is not None for p in parts) else None
    at = 0
    for part in parts:
        if units is not None and part.units is not None:
            units += shifted(part.units, at / rate, (at + len(part.audio)) / rate)
        at += len(part.audio)
    start, end = sound_bounds(audio, rate)
    trimmed = np.ascontiguousarray(audio[start:end], dtype=np.float32)
    if units is None:
        return Clip(trimmed)
    return Clip(trimmed, shifted(units, -start / rate, len(trimmed) / rate))


def speak(piper: PiperVoice, text: str, config: SynthesisConfig, release: bool = False) -> Clip:
    """One piece of text as float32 audio (Piper may split it into several chunks) with its
    words' times when the model gives alignments; `release`: the session's memory arena is
    handed back after it (see ReleasingSession)."""
    session = getattr(piper, "session", None)
    marks = session.releasing if isinstance(session, ReleasingSession) else threading.local()
    marks.on = release
    tones = str(getattr(piper.config, "espeak_voice", "")).startswith(TONE_VOICES)
    audio: list[np.ndarray] = []
    units: list[Unit] | None = []
    at = 0
    try:
        for chunk in piper.synthesize(text, syn_config=config, include_alignments=True):
            aligned = chunk.phoneme_alignments
            if aligned is None or units is None:
                units = None
            else:
                pairs = [(a.phoneme, int(a.num_samples)) for a in aligned]
                units += spoken_units(pairs, chunk.sample_rate, at, tones)
            audio.append(chunk.audio_float_array)
            at += len(chunk.audio_float_array)
    finally:
        marks.on = False
    joined = np.concatenate(audio).astype(np.float32, copy=False) if audio else empty_audio()
    return Clip(joined, tuple(units) if units is not None and audio else None)


_SYNTHESIZERS: dict[int, Synthesizer] = {}
_SYNTHESIZERS_LOCK = threading.Lock()


def get_synthesizer(threads: int) -> Synthesizer:
    """The process-wide synthesizer for `threads` workers (voices are loaded once per process)."""
    with _SYNTHESIZERS_LOCK:
        synth = _SYNTHESIZERS.get(threads)
        if synth is None or synth.closed:
            synth = _SYNTHESIZERS[threads] = Synthesizer(threads)
        return synth


def preload_voice(voice: VoiceInfo, threads: int, data_dir: Path) -> None:
    """Load `voice` for the process's synthesizer of `threads` workers, from its aligned copy
    under `data_dir` once that copy exists (core/engine/aligned_voice.py)."""
    get_synthesizer(threads).preload(voice, aligned_folder(data_dir))


_LISTEN: list[Synthesizer] = []


def listen_synthesizer() -> Synthesizer:
    """The edit page's one-worker synthesizer: its own thread beside the renders' pool (the
    loaded voices shared), so a Listen never queues behind a render's sentences."""
    with _SYNTHESIZERS_LOCK:
        if not _LISTEN or _LISTEN[0].closed:
            _LISTEN[:] = [Synthesizer(1)]
        return _LISTEN[0]


__all__ = [  # kept importable here
    "MAX_CHARS_PER_CALL",
    "MAX_WORDS_PER_CALL",
    "VOICE_CACHE",
    "VoiceCache",
    "load_piper_voice",
    "split_long",
    "trim_silence",
]
