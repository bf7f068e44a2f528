"""Speech synthesis with the real bundled Piper voice: level, speed, order, trimming, loading."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import cast

import numpy as np
import pytest
from piper import AudioChunk, PiperVoice, SynthesisConfig

from core.engine.model import VoiceInfo
from core.engine.textnorm import normalize_for_speech
from core.engine.tts import (
    MAX_CHARS_PER_CALL,
    MAX_WORDS_PER_CALL,
    Synthesizer,
    VoiceCache,
    get_synthesizer,
    split_long,
    trim_silence,
)
from core.engine.voices import discover_voices
from core.errors import ErrorCode, VoiceoverError

LONG = (
    "By eight o'clock the avenues are full, a river of people and bicycles flowing past "
    "glass towers that catch the morning light."
)
MEDIUM = "Coffee shops open their shutters before sunrise."


@pytest.fixture(scope="module")
def joe() -> VoiceInfo:
    """The bundled voice."""
    return discover_voices(None)[0]


@pytest.fixture(scope="module")
def synth() -> Synthesizer:
    """The process-wide synthesizer on two workers."""
    return get_synthesizer(2)


def seconds(audio: np.ndarray, voice: VoiceInfo) -> float:
    """Length of `audio` in seconds."""
    return len(audio) / voice.sample_rate


def test_speech_is_float_mono_audible_and_within_range(synth: Synthesizer, joe: VoiceInfo) -> None:
    (audio,) = synth.synthesize(joe, [MEDIUM])
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert 1.5 < seconds(audio, joe) < 5.0
    assert float(np.max(np.abs(audio))) <= 1.0
    assert float(np.sqrt(np.mean(np.square(audio)))) > 0.02


def test_edges_are_trimmed_to_a_short_breath(synth: Synthesizer, joe: VoiceInfo) -> None:
    (audio,) = synth.synthesize(joe, [MEDIUM])
    frame = joe.sample_rate // 100
    rms = np.sqrt(np.mean(audio[: len(audio) // frame * frame].reshape(-1, frame) ** 2, axis=1))
    loud = np.flatnonzero(rms > rms.max() * 0.02)
    assert loud[0] * 0.01 <= 0.05 and (len(rms) - 1 - loud[-1]) * 0.01 <= 0.05


def test_trim_silence_keeps_30_ms_around_the_sound() -> None:
    rate = 20000
    tone = 0.5 * np.sin(np.linspace(0, 2 * np.pi * 220, rate // 2)).astype(np.float32)
    padded = np.concatenate([np.zeros(rate, np.float32), tone, np.zeros(rate, np.float32)])
    trimmed = trim_silence(padded, rate)
    assert abs(len(trimmed) / rate - 0.56) < 0.015
    assert len(trim_silence(np.zeros(rate, np.float32), rate)) == 0
    assert len(trim_silence(np.zeros(0, np.float32), rate)) == 0


def test_speed_scales_the_length_of_speech(synth: Synthesizer, joe: VoiceInfo) -> None:
    lengths = {
        speed: seconds(synth.synthesize(joe, [LONG], speed)[0], joe) for speed in (0.5, 1.0, 2.0)
    }
    assert 0.42 < lengths[2.0] / lengths[1.0] < 0.58
    assert 1.7 < lengths[0.5] / lengths[1.0] < 2.3


@pytest.mark.parametrize("speed", [0.49, 2.01, float("nan"), 0.0])
def test_a_speed_out_of_range_is_refused(synth: Synthesizer, joe: VoiceInfo, speed: float) -> None:
    with pytest.raises(VoiceoverError) as caught:
        synth.synthesize(joe, [MEDIUM], speed)
    assert caught.value.code is ErrorCode.BAD_OPTION and caught.value.fields["option"] == "speed"


def test_order_is_kept_when_sentences_run_in_parallel(synth: Synthesizer, joe: VoiceInfo) -> None:
    sentences = ["Yes.", LONG, "", MEDIUM, "Okay."]
    together = synth.synthesize(joe, sentences)
    alone = [synth.synthesize(joe, [s])[0] for s in sentences]
    assert len(together) == len(sentences)
    for joint, single in zip(together, alone, strict=True):
        assert (
            abs(seconds(joint, joe) - seconds(single, joe)) <= 0.15 * seconds(single, joe) + 0.05
        )
    short, long_, empty, medium, short2 = (seconds(a, joe) for a in together)
    assert empty == 0.0 and short < 1.0 and short2 < 1.0 and long_ > 2 * medium > 2.0


@pytest.mark.parametrize("blank", ["", "   ", "\n\t", "...", "[[ ]]"])
def test_blank_sentences_give_empty_audio(synth: Synthesizer, joe: VoiceInfo, blank: str) -> None:
    (audio,) = synth.synthesize(joe, [blank])
    assert audio.dtype == np.float32 and len(audio) == 0
    assert synth.synthesize(joe, []) == []


def test_raw_phoneme_markup_from_users_is_read_as_text(synth: Synthesizer, joe: VoiceInfo) -> None:
    assert normalize_for_speech("Say [[ h ə l oʊ ]] now.") == "Say h ə l oʊ now."
    words = " ".join(["word"] * 70)
    pieces = split_long(f"{words} [[ h ə l ˈoʊ ]] {words}")  # a lexicon's block stays whole
    assert sum(p.count("[[ h ə l ˈoʊ ]]") for p in pieces) == 1
    (audio,) = synth.synthesize(joe, ["[[ ]]] Hello [[there"])
    assert seconds(audio, joe) > 0.4


def test_a_very_long_sentence_is_spoken_in_bounded_pieces(
    synth: Synthesizer, joe: VoiceInfo
) -> None:
    words = ("one, two, three and four " * 40).split()
    pieces = split_long(" ".join(words))
    assert " ".join(pieces).split() == words
    assert all(
        len(p) <= MAX_CHARS_PER_CALL and len(p.split()) <= MAX_WORDS_PER_CALL for p in pieces
    )
    assert all(p.endswith(",") for p in pieces[:-1])  # broken after commas
    gibberish = split_long("x" * 1000)
    assert all(len(p) <= MAX_CHARS_PER_CALL for p in gibberish) and len(gibberish) == 4
    assert "".join(gibberish).replace(" ", "") == "x" * 1000
    (audio,) = synth.synthesize(joe, [" ".join(words[:64])])  # two pieces, one sentence
    assert 10.0 < seconds(audio, joe) < 40.0


def test_a_voice_is_loaded_once_and_shared(synth: Synthesizer, joe: VoiceInfo) -> None:
    assert get_synthesizer(2) is synth
    synth.preload(joe)
    loads = synth.loads
    synth.preload(joe)
    assert synth.loads == loads
    other = Synthesizer(1)  # a second synthesizer shares the process-wide cache
    try:
        started = time.perf_counter()
        other.synthesize(joe, ["Hello again."])
        assert time.perf_counter() - started < 2.0
        assert other.loads == synth.loads == loads
    finally:
        other.close()
    assert other.closed


def test_a_fresh_cache_loads_the_model_on_first_use_only(joe: VoiceInfo) -> None:
    cache = VoiceCache()
    fresh = Synthesizer(2, cache=cache)
    try:
        assert fresh.loads == 0
        fresh.synthesize(joe, ["One.", "Two."])
        first_load = cache.load_seconds
        fresh.synthesize(joe, ["Three."])
        assert fresh.loads == 1 and cache.load_seconds == first_load > 0.0
    finally:
        fresh.close()


def test_a_model_that_will_not_load_is_a_render_failure(joe: VoiceInfo, tmp_path: Path) -> None:
    junk = tmp_path / "en_US-junk-medium.onnx"
    junk.write_bytes(b"this is not an onnx model" * 100)
    broken = replace(joe, id="en_US-junk-medium", model_path=junk)
    cache = VoiceCache()
    synth = Synthesizer(1, cache=cache)
    with pytest.raises(VoiceoverError) as caught:
        synth.synthesize(broken, ["Hello."])
    synth.close()
    assert caught.value.code is ErrorCode.RENDER_FAILED
    assert "en_US-junk-medium" in caught.value.message("en") and cache.loads == 0


def test_progress_is_reported_as_sentences_finish(synth: Synthesizer, joe: VoiceInfo) -> None:
    seen: list[float] = []
    synth.synthesize(joe, ["One.", "Two words.", "Three more words."], on_progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 100.0 and len(seen) == 3


def test_a_progress_callback_that_raises_stops_synthesis(
    synth: Synthesizer, joe: VoiceInfo
) -> None:
    class Stop(Exception):
        pass

    def stop(percent: float) -> None:
        raise Stop

    many = [f"Sentence number {n} is here." for n in range(30)]
    started = time.perf_counter()
    synth.synthesize(joe, many)
    whole = time.perf_counter() - started
    started = time.perf_counter()
    with pytest.raises(Stop):
        synth.synthesize(joe, many, on_progress=stop)
    assert time.perf_counter() - started < whole / 2  # the rest was dropped, not spoken
    assert len(synth.synthesize(joe, ["Still works."])[0]) > 0


class GatedPiper:
    """The real Piper voice behind a gate: each piece waits at the gate, then is spoken."""

    def __init__(self, real: PiperVoice) -> None:
        self.real, self.config = real, real.config
        self.gate = threading.Event()
        self.calls = 0

    def synthesize(
        self, text: str, syn_config: SynthesisConfig, include_alignments: bool = False
    ) -> Iterable[AudioChunk]:
        """Count the piece, wait for the gate, then speak it."""
        self.calls += 1
        self.gate.wait(timeout=120)
        return self.real.synthesize(text, syn_config, include_alignments)


class GatedCache(VoiceCache):
    """A voice cache that hands out one gated voice."""

    def __init__(self, piper: GatedPiper) -> None:
        super().__init__()
        self.piper = piper

    def get(
        self, voice: VoiceInfo, aligned_dir: Path | None = None, make: bool = False
    ) -> PiperVoice:
        """The gated voice, whatever is asked for."""
        return cast(PiperVoice, self.piper)


def test_synthesis_stops_at_its_deadline_and_drops_the_rest(
    synth: Synthesizer, joe: VoiceInfo
) -> None:
    gated = GatedPiper(synth.cache.get(joe))
    one_worker = Synthesizer(1, cache=GatedCache(gated))
    try:
        with pytest.raises(VoiceoverError) as caught:  # the first piece is held at the gate
            one_worker.synthesize(joe, ["One.", "Two.", "Three."], deadline=time.monotonic())
        assert caught.value.code is ErrorCode.TIMEOUT and not gated.gate.is_set()
    finally:
        gated.gate.set()
        one_worker.close()  # waits for its thread: only the piece in progress was spoken
    assert gated.calls == 1
