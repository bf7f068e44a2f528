"""Piper is the one SpeechEngine: the narration, the render and the samples reach speech
through that protocol (core/engine/speech.py), which lists its voices too."""

from __future__ import annotations

from pathlib import Path

from core.engine.speech import SpeechEngine
from core.engine.tts import get_synthesizer
from core.engine.voices import DEFAULT_VOICE_ID, discover_voices


def test_piper_lists_its_voices_as_the_voice_folder_does(tmp_path: Path) -> None:
    engine: SpeechEngine = get_synthesizer(1)
    voices = engine.voices(tmp_path)
    assert [v.id for v in voices] == [v.id for v in discover_voices(tmp_path)]
    assert DEFAULT_VOICE_ID in {v.id for v in voices}
