"""Piper speech synthesis: each voice loaded once per process, sentences spoken in parallel.

Measured on 2 cores (bench/bench_tts.py): short sentence-sized ONNX runs barely use a second
intra-op thread, so one shared single-threaded session per voice with one worker thread per
core (onnxruntime releases the GIL) beats one call with all cores on the whole text.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any, cast

import numpy as np
import onnxruntime
from piper import PiperVoice, SynthesisConfig
from piper.config import PiperConfig

from core.engine.model import VoiceInfo
from core.engine.piper_text import (
    MAX_CHARS_PER_CALL,
    MAX_WORDS_PER_CALL,
    empty_audio,
    split_long,
    trim_silence,
)
from core.engine.validate import SPEED_RANGE, check_range
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


class VoiceCache:
    """Loaded Piper voices by model path, shared by every synthesizer in the process."""

    def __init__(self) -> None:
        self.loads = 0  # how many models were loaded from disk (each path at most once)
        self.load_seconds = 0.0
        self._voices: dict[Path, PiperVoice] = {}
        self._lock = threading.Lock()

    def get(self, voice: VoiceInfo) -> PiperVoice:
        """The loaded model of `voice`, loading it on first use (thread-safe)."""
        with self._lock:
            loaded = self._voices.get(voice.model_path)
            if loaded is None:
                started = time.perf_counter()
                try:
                    loaded = load_piper_voice(voice.model_path, voice.config_path)
                except Exception as exc:  # onnxruntime raises its own types for a bad model
                    log.warning("Cannot load voice %s: %s", voice.id, exc)
                    reason = f"the voice {voice.id} could not be loaded"
                    raise VoiceoverError(ErrorCode.RENDER_FAILED, reason=reason) from exc
                self.load_seconds += time.perf_counter() - started
                self.loads += 1
                self._voices[voice.model_path] = loaded
                log.info("Loaded voice %s in %.1f s", voice.id, time.perf_counter() - started)
            return loaded


class ReleasingSession:
    """A voice's ONNX session whose last runs of a synthesis hand its memory arena back.

    onnxruntime keeps the arena a long sentence needed (~250 MB for a 60-word piece) for the
    life of the process; a run marked in `releasing` shrinks it when it ends, so the mix, the
    final pass and the next job do not sit on top of it."""

    def __init__(self, session: onnxruntime.InferenceSession) -> None:
        self.session = session
        self.releasing = threading.local()
        self._shrink = onnxruntime.RunOptions()
        self._shrink.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")

    def run(self, output_names: Any, input_feed: Any, run_options: Any = None) -> Any:
        """session.run, shrinking the arena afterwards when this thread's run is marked."""
        if getattr(self.releasing, "on", False):
            run_options = self._shrink
        return self.session.run(output_names, input_feed, run_options)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.session, name)


def load_piper_voice(model_path: Path, config_path: Path) -> PiperVoice:
    """A Piper voice whose ONNX session runs single-threaded (parallelism is per sentence)."""
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(
        str(model_path), sess_options=options, providers=["CPUExecutionProvider"]
    )
    config = PiperConfig.from_dict(json.loads(config_path.read_text(encoding="utf-8")))
    return PiperVoice(session=cast(Any, ReleasingSession(session)), config=config)


VOICE_CACHE = VoiceCache()


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

    def preload(self, voice: VoiceInfo) -> None:
        """Load `voice` now (e.g. at start-up) so the first render does not wait for it."""
        self.cache.get(voice)

    def synthesize(
        self,
        voice: VoiceInfo,
        sentences: Sequence[str],
        speed: float = 1.0,
        on_progress: Callable[[float], None] | None = None,
        deadline: float | None = None,
    ) -> list[np.ndarray]:
        """One float32 mono array (voice.sample_rate, -1..1) per sentence, in order.

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
        futures: dict[int, Future[np.ndarray]] = {
            k: self._pool.submit(speak, piper, pieces[k][1], config, k in last)
            for k in longest_first
        }
        _wait(list(futures.values()), on_progress, deadline)
        parts: list[list[np.ndarray]] = [[] for _ in sentences]
        for k, (i, _) in enumerate(pieces):
            parts[i].append(futures[k].result())
        rate = voice.sample_rate
        return [trim_silence(np.concatenate(p) if p else empty_audio(), rate) for p in parts]

    def voices(self, extra_dir: Path | None = None) -> list[VoiceInfo]:
        """Piper's voices: the bundled one, then every Piper voice under extra_dir."""
        return discover_voices(extra_dir)

    def close(self) -> None:
        """Stop the worker threads (loaded voices stay in the process cache)."""
        self.closed = True
        self._pool.shutdown(wait=True, cancel_futures=True)


def _wait(
    futures: list[Future[np.ndarray]],
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


def speak(
    piper: PiperVoice, text: str, config: SynthesisConfig, release: bool = False
) -> np.ndarray:
    """One piece of text as float32 audio (Piper may split it into several chunks); `release`:
    the session's memory arena is handed back after it (see ReleasingSession)."""
    session = getattr(piper, "session", None)
    marks = session.releasing if isinstance(session, ReleasingSession) else threading.local()
    marks.on = release
    try:
        chunks = [chunk.audio_float_array for chunk in piper.synthesize(text, syn_config=config)]
    finally:
        marks.on = False
    return np.concatenate(chunks).astype(np.float32, copy=False) if chunks else empty_audio()


_SYNTHESIZERS: dict[int, Synthesizer] = {}
_SYNTHESIZERS_LOCK = threading.Lock()


def get_synthesizer(threads: int) -> Synthesizer:
    """The process-wide synthesizer for `threads` workers (voices are loaded once per process)."""
    with _SYNTHESIZERS_LOCK:
        synth = _SYNTHESIZERS.get(threads)
        if synth is None or synth.closed:
            synth = _SYNTHESIZERS[threads] = Synthesizer(threads)
        return synth


_LISTEN: list[Synthesizer] = []


def listen_synthesizer() -> Synthesizer:
    """The edit page's one-worker synthesizer: its own thread beside the renders' pool (the
    loaded voices shared), so a Listen never queues behind a render's sentences."""
    with _SYNTHESIZERS_LOCK:
        if not _LISTEN or _LISTEN[0].closed:
            _LISTEN[:] = [Synthesizer(1)]
        return _LISTEN[0]


__all__ = ["MAX_CHARS_PER_CALL", "MAX_WORDS_PER_CALL", "split_long", "trim_silence"]  # here too
