"""The speech engine seam: what the narration, the render and the voice samples need of a
text-to-speech engine. Piper (core/engine/tts.py's Synthesizer) is the one implementation."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from core.engine.model import VoiceInfo
from core.engine.phoneme_words import Clip


class SpeechEngine(Protocol):
    """Loads voices, speaks sentences (one clip per sentence: its length is its timing, with
    its words' times when the voice is aligned) and lists the voices it has."""

    def preload(
        self, voice: VoiceInfo, aligned_dir: Path | None = None, make: bool = False
    ) -> None:
        """Load a voice now, so the first sentence does not wait for it (from its aligned
        copy in `aligned_dir` when there is one, made now when `make`)."""
        ...

    def gives_words(self, voice: VoiceInfo) -> bool:
        """Whether this voice's speech comes with its words' times."""
        ...

    def synthesize_timed(
        self,
        voice: VoiceInfo,
        sentences: Sequence[str],
        speed: float = 1.0,
        on_progress: Callable[[float], None] | None = None,
        deadline: float | None = None,
    ) -> list[Clip]:
        """One clip per sentence, in order: float32 mono audio (voice.sample_rate, -1..1) and
        its spoken words' times when the voice gives them."""
        ...

    def voices(self, extra_dir: Path | None = None) -> list[VoiceInfo]:
        """The voices this engine can speak with (its bundled ones, then those in extra_dir)."""
        ...
