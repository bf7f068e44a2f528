"""The speech engine seam: what the narration, the render and the voice samples need of a
text-to-speech engine. Piper (core/engine/tts.py's Synthesizer) is the one implementation."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from core.engine.model import VoiceInfo


class SpeechEngine(Protocol):
    """Loads voices, speaks sentences (one clip per sentence: its length is its timing) and
    lists the voices it has."""

    def preload(self, voice: VoiceInfo) -> None:
        """Load a voice now, so the first sentence does not wait for it."""
        ...

    def synthesize(
        self,
        voice: VoiceInfo,
        sentences: Sequence[str],
        speed: float = 1.0,
        on_progress: Callable[[float], None] | None = None,
        deadline: float | None = None,
    ) -> list[np.ndarray]:
        """One float32 mono clip (voice.sample_rate, -1..1) per sentence, in order."""
        ...

    def voices(self, extra_dir: Path | None = None) -> list[VoiceInfo]:
        """The voices this engine can speak with (its bundled ones, then those in extra_dir)."""
        ...
