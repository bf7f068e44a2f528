"""Piper speech synthesis: each voice loaded once per process, sentences spoken in parallel.

Measured on 2 cores (bench/bench_tts.py): short sentence-sized ONNX runs barely use a second
intra-op thread, so one shared single-threaded session per voice with one worker thread per
core (onnxruntime releases the GIL) beats one call with all cores on the whole text.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from pathlib import Path

import numpy as np
import onnxruntime
from piper import PiperVoice, SynthesisConfig
from piper.config import PiperConfig

from core.engine.model import VoiceInfo
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
KEEP_SILENCE_S = 0.03  # natural breath kept at each end of a sentence
FRAME_S = 0.01  # silence is judged on 10 ms frames
SILENCE_RATIO = 0.02  # a frame quieter than 2% of the loudest frame's RMS is silence
SILENCE_FLOOR = 1e-3
MAX_WORDS_PER_CALL = 60  # longer sentences are spoken in pieces (bounded memory, better balance)
MAX_CHARS_PER_CALL = 400
BREAK_AFTER = (",", ";", ":", "—", "–", "，", "；", "：")
_BRACKETS = re.compile(r"[\[\]]+")
# Piper reads [[ ... ]] as raw phonemes: only the lexicon writes them (normalisation drops the
# brackets of the script), and a block is never cut in two.
_PHONEME_BLOCK = re.compile(r"(\[\[[^\[\]]{1,200}\]\])")
_TOKEN = re.compile(r"\[\[[^\[\]]*\]\]\S*|\S+")


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


def load_piper_voice(model_path: Path, config_path: Path) -> PiperVoice:
    """A Piper voice whose ONNX session runs single-threaded (parallelism is per sentence)."""
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(
        str(model_path), sess_options=options, providers=["CPUExecutionProvider"]
    )
    config = PiperConfig.from_dict(json.loads(config_path.read_text(encoding="utf-8")))
    return PiperVoice(session=session, config=config)


VOICE_CACHE = VoiceCache()


class Synthesizer:
    """Speaks sentences with Piper on a pool of `threads` workers."""

    def __init__(self, threads: int, cache: VoiceCache | None = None) -> None:
        self.threads = max(1, threads)
        self.cache = cache or VOICE_CACHE
        self.closed = False
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
        config = SynthesisConfig(
            speaker_id=voice.speaker_id,
            length_scale=piper.config.length_scale * length_scale_for(speed),
            normalize_audio=False,  # Piper's raw level is steady across sentences; keep it
        )
        pieces = [(i, chunk) for i, text in enumerate(sentences) for chunk in split_long(text)]
        longest_first = sorted(range(len(pieces)), key=lambda k: -len(pieces[k][1]))
        futures: dict[int, Future[np.ndarray]] = {
            k: self._pool.submit(speak, piper, pieces[k][1], config) for k in longest_first
        }
        _wait(list(futures.values()), on_progress, deadline)
        parts: list[list[np.ndarray]] = [[] for _ in sentences]
        for k, (i, _) in enumerate(pieces):
            parts[i].append(futures[k].result())
        rate = voice.sample_rate
        return [trim_silence(np.concatenate(p) if p else _empty(), rate) for p in parts]

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


def speak(piper: PiperVoice, text: str, config: SynthesisConfig) -> np.ndarray:
    """One piece of text as float32 audio (Piper may split it into several chunks)."""
    chunks = [chunk.audio_float_array for chunk in piper.synthesize(text, syn_config=config)]
    return np.concatenate(chunks).astype(np.float32, copy=False) if chunks else _empty()


def _clean(text: str) -> str:
    """Spaces collapsed, and brackets dropped except around well-formed phoneme blocks."""
    parts = _PHONEME_BLOCK.split(text)
    kept = [p if n % 2 else _BRACKETS.sub(" ", p) for n, p in enumerate(parts)]
    return " ".join("".join(kept).split())


def split_long(text: str) -> list[str]:
    """The text cleaned for Piper, in pieces of bounded size (after commas where possible)."""
    cleaned = _clean(text)
    if not cleaned:
        return []
    if len(cleaned) <= MAX_CHARS_PER_CALL and cleaned.count(" ") < MAX_WORDS_PER_CALL:
        return [cleaned]
    step = MAX_CHARS_PER_CALL // 4
    words = [
        piece
        for word in _TOKEN.findall(cleaned)
        for piece in (
            [word]
            if word.startswith("[[")
            else [word[i : i + step] for i in range(0, len(word), step)]
        )
    ]
    pieces: list[list[str]] = [[]]
    for word in words:
        current = pieces[-1]
        size = sum(len(w) + 1 for w in current)
        if len(current) >= MAX_WORDS_PER_CALL or size + len(word) > MAX_CHARS_PER_CALL:
            pieces.append(current := [])
        current.append(word)
        if word.endswith(BREAK_AFTER) and len(current) >= MAX_WORDS_PER_CALL // 2:
            pieces.append([])
    return [" ".join(piece) for piece in pieces if piece]


def trim_silence(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """The audio without leading/trailing silence, keeping ~30 ms at each end."""
    frame = max(1, int(sample_rate * FRAME_S))
    count = len(audio) // frame
    if count == 0:
        return audio
    framed = audio[: count * frame].reshape(count, frame)
    rms = np.sqrt(np.mean(np.square(framed, dtype=np.float64), axis=1))
    loud = np.flatnonzero(rms > max(SILENCE_FLOOR, float(rms.max()) * SILENCE_RATIO))
    if loud.size == 0:
        return _empty()
    keep = int(sample_rate * KEEP_SILENCE_S)
    start = max(0, int(loud[0]) * frame - keep)
    end = min(len(audio), (int(loud[-1]) + 1) * frame + keep)
    return np.ascontiguousarray(audio[start:end], dtype=np.float32)


def _empty() -> np.ndarray:
    return np.zeros(0, dtype=np.float32)


_SYNTHESIZERS: dict[int, Synthesizer] = {}
_SYNTHESIZERS_LOCK = threading.Lock()


def get_synthesizer(threads: int) -> Synthesizer:
    """The process-wide synthesizer for `threads` workers (voices are loaded once per process)."""
    with _SYNTHESIZERS_LOCK:
        synth = _SYNTHESIZERS.get(threads)
        if synth is None or synth.closed:
            synth = _SYNTHESIZERS[threads] = Synthesizer(threads)
        return synth
