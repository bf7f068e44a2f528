"""Loaded Piper voices, one per model per process: each ONNX session single-threaded (the
parallelism is per sentence), its memory arena handed back after a synthesis' last runs, and
loaded from the model's patched copy, which also tells each phoneme's length, whenever that copy
exists (core/engine/aligned_voice.py: the same audio, so one session serves both)."""

from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path
from typing import Any, cast

import onnxruntime
from piper import PiperVoice
from piper.config import PiperConfig

from core.engine.aligned_voice import aligned_model
from core.engine.model import VoiceInfo
from core.errors import ErrorCode, VoiceoverError

log = logging.getLogger(__name__)


class VoiceCache:
    """Loaded Piper voices by model path, shared by every synthesizer in the process."""

    def __init__(self) -> None:
        self.loads = 0  # how many models were loaded from disk
        self.load_seconds = 0.0
        self._voices: dict[Path, PiperVoice] = {}
        self._aligned: set[Path] = set()  # model paths loaded from their patched copy
        self._lock = threading.Lock()

    def get(
        self, voice: VoiceInfo, aligned_dir: Path | None = None, make: bool = False
    ) -> PiperVoice:
        """The loaded model of `voice`, loading it on first use (thread-safe). With
        `aligned_dir`, its patched copy there is loaded instead when it exists (made first when
        `make`), replacing a copy loaded without alignments."""
        with self._lock:
            loaded = self._voices.get(voice.model_path)
            if loaded is not None and (aligned_dir is None or self.aligned(voice)):
                return loaded
            source = None
            if aligned_dir is not None:
                source = aligned_model(voice.model_path, aligned_dir, make)
            if loaded is not None and source is None:
                return loaded
            loaded = self._load(voice, source or voice.model_path)
            if source is not None:
                self._aligned.add(voice.model_path)
            return loaded

    def aligned(self, voice: VoiceInfo) -> bool:
        """Whether `voice` is loaded from its patched copy (its speech comes with alignments)."""
        return voice.model_path in self._aligned

    def _load(self, voice: VoiceInfo, model: Path) -> PiperVoice:
        started = time.perf_counter()
        try:
            loaded = load_piper_voice(model, voice.config_path)
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
