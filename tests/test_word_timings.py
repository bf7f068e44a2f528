"""Word timings of our narration (the recogniser's alignment of the known words) against an
independent aligner: Piper's own phoneme durations for the same audio."""

from __future__ import annotations

import statistics

import numpy as np
from piper import PiperVoice

from core.config import Settings
from core.engine.asr import Word
from core.engine.model import Segment
from core.engine.voices import DEFAULT_VOICE_ID, installed_voices
from core.engine.word_timings import align, timed_segments

TEXT = (
    "Meet Aurora, the desk lamp that follows the sun. At sunrise it glows a soft amber light, "
    "and by noon it matches the daylight outside."
)


def _piper_words() -> tuple[np.ndarray, int, list[float]]:
    """The text spoken by Piper with alignments: audio, rate, and each word's start."""
    voice = next(v for v in installed_voices(None) if v.id == DEFAULT_VOICE_ID)
    piper = PiperVoice.load(voice.model_path, voice.config_path, include_alignments=True)
    parts, starts, at = [], [], 0
    for chunk in piper.synthesize(TEXT, include_alignments=True):
        assert chunk.phoneme_alignments, "the voice gave no alignments"
        new_word = True
        for item in chunk.phoneme_alignments:
            if item.phoneme == " ":
                new_word = True
            elif item.phoneme.isalpha() or item.phoneme in "ˈˌ":
                if new_word:
                    starts.append(at / chunk.sample_rate)
                new_word = False
            at += item.num_samples
        parts.append(chunk.audio_float_array)
    return np.concatenate(parts), piper.config.sample_rate, starts


def test_word_starts_within_80_ms_of_piper_alignments(settings: Settings) -> None:
    audio, rate, truth = _piper_words()
    assert len(truth) == len(TEXT.split())
    seg = Segment(0.0, len(audio) / rate, TEXT)
    [timed] = timed_segments([seg], audio, rate, settings)
    ours = [start for _, start, _ in timed.words]
    assert [w for w, _, _ in timed.words] == TEXT.split()
    errors = [abs(a - b) for a, b in zip(ours, truth, strict=True)]
    assert statistics.median(errors) <= 0.08, list(zip(TEXT.split(), ours, truth, strict=True))


def test_words_the_recogniser_missed_are_placed_between_their_neighbours() -> None:
    heard = [Word("one", 0.0, 0.4), Word("four", 1.6, 2.0)]
    spans = align(["one", "two", "three", "four"], heard)
    assert spans[0] == (0.0, 0.4) and spans[3] == (1.6, 2.0)
    assert 0.4 <= spans[1][0] < spans[2][0] < 1.6


def test_chinese_is_timed_per_character(settings: Settings) -> None:
    seg = Segment(1.0, 3.0, "今天很好")
    [timed] = timed_segments([seg], np.zeros(22050 * 3, dtype=np.float32), 22050, settings)
    assert [w for w, _, _ in timed.words] == ["今", "天", "很", "好"]
    assert timed.words[0][1] == 1.0 and timed.words[-1][2] == 3.0
