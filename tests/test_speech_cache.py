"""The speech cache: an edit that leaves the narration alone synthesises nothing, a changed
sentence only itself (counted by the real synthesizer's own counter), and kept audio is the
very audio of the last render. Real Piper, real ffmpeg, real files."""

from __future__ import annotations

import asyncio
import os
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from core.config import Settings
from core.engine.model import (
    Aspect,
    Captions,
    RenderOptions,
    RenderRequest,
    RenderResult,
    Script,
    ScriptCue,
)
from core.engine.narration import Narration, NarrationBuilder
from core.engine.phoneme_words import Clip
from core.engine.render import render
from core.engine.speech_cache import SUFFIX, CachedSpeech, SpeechCache, speech_cache, with_cache
from core.engine.tts import get_synthesizer
from core.engine.voices import installed_voices
from core.service import Service
from tests import analysis
from tests.chat_helpers import SEED, incoming
from tests.fakes import RecordingChat
from tests.media import make_audio

SCRIPT = Script((ScriptCue("Meet Aurora. It glows at dawn."), ScriptCue("Try it today.")))
EDITED = Script((ScriptCue("Meet Aurora. It glows at noon."), ScriptCue("Try it today.")))


def _render(settings: Settings, out: Path, media: Path, **options: object) -> RenderResult:
    music = options.pop("music", None)
    request = RenderRequest(
        out=out,
        media=media,
        script=SCRIPT,
        music=music,  # type: ignore[arg-type]
        options=RenderOptions(**options),  # type: ignore[arg-type]
    )
    return render(request, settings)


def _spoken(settings: Settings) -> int:
    return get_synthesizer(settings.tts_threads).sentences_spoken


@pytest.mark.parametrize(
    "edit",
    [
        {"captions": Captions.BURN},  # "burn the captions"
        {"aspect": Aspect.PORTRAIT},  # "make it 9:16"
        {"music_volume": 0.2, "music": "tone"},  # "music at 20%"
    ],
    ids=["burn", "9:16", "music"],
)
def test_an_option_only_edit_synthesises_nothing(
    settings: Settings, tiny: Path, tmp_path: Path, edit: dict[str, object]
) -> None:
    if edit.get("music") == "tone":
        edit = {**edit, "music": make_audio(tmp_path / "music.wav", seconds=4)}
    first_spoken = _spoken(settings)
    first = _render(settings, tmp_path / "first.mp4", tiny)
    assert _spoken(settings) - first_spoken == 3  # three sentences, spoken once
    before = _spoken(settings)
    second = _render(settings, tmp_path / "second.mp4", tiny, **edit)
    assert _spoken(settings) == before  # nothing synthesised for the edit
    assert [(s.start_s, s.end_s, s.text) for s in second.segments] == [
        (s.start_s, s.end_s, s.text) for s in first.segments
    ]
    if "music" not in edit:  # the same narration, the same mix: the very same audio
        a = analysis.audio_samples(first.output)
        b = analysis.audio_samples(second.output)
        assert a.shape == b.shape and np.array_equal(a, b)


def test_a_changed_sentence_synthesises_only_itself(settings: Settings) -> None:
    cache = speech_cache(settings)
    assert cache is not None
    synth = get_synthesizer(settings.tts_threads)
    voice = installed_voices(settings.voices_dir)[0]

    def build(script: Script) -> Narration:
        speech = CachedSpeech(synth, cache)
        return NarrationBuilder(speech, voice, 1.0, 1.2, lambda pct: None).build(script)

    first = build(SCRIPT)
    before = synth.sentences_spoken
    second = build(EDITED)
    assert synth.sentences_spoken - before == 1
    assert (cache.hits, cache.misses) == (2, 4)  # 3 misses at first, then 2 kept + 1 new
    for n in (0, 2):  # the unchanged sentences: the very same samples, wherever they now sit
        assert _same_samples(_clip(first, n), _around(second, n))
    assert not np.array_equal(_clip(first, 1)[:1000], _clip(second, 1)[:1000])
    again = build(EDITED)
    assert synth.sentences_spoken - before == 1 and np.array_equal(again.samples, second.samples)


def test_a_slower_edit_speaks_again(settings: Settings) -> None:
    cache = speech_cache(settings)
    assert cache is not None
    synth = get_synthesizer(settings.tts_threads)
    voice = installed_voices(settings.voices_dir)[0]
    script = Script((ScriptCue("Slowly now."),))
    for speed, spoken in ((1.0, 1), (1.0, 0), (0.8, 1)):
        before = synth.sentences_spoken
        NarrationBuilder(CachedSpeech(synth, cache), voice, speed, 1.2, lambda p: None).build(
            script
        )
        assert synth.sentences_spoken - before == spoken, speed


def _same_samples(a: np.ndarray, b: np.ndarray) -> bool:
    """The same sound within 0.1 s of where it was, at most scaled by one gain. The new sentence
    before it varies from run to run (Piper samples noise), and with it the rounding of the
    segments' starts, their trimmed edges and the narration's peak. A different sentence
    correlates far below this."""
    core = a[2205:-2205].astype(np.float64)
    if len(core) < 8_000 or len(b) < len(a):
        return False
    scores = np.correlate(b.astype(np.float64), core, mode="valid")  # every shift up to 0.1 s
    energy = np.sqrt(np.convolve(b.astype(np.float64) ** 2, np.ones(len(core)), mode="valid"))
    best = float(np.max(scores / (energy * np.linalg.norm(core) + 1e-12)))
    return best > 0.9999


def _clip(narration: Narration, n: int) -> np.ndarray:
    seg, rate = narration.segments[n], narration.sample_rate
    start = int(round(seg.start_s * rate))
    return narration.samples[start : start + int((seg.end_s - seg.start_s) * rate) - 1]


def _around(narration: Narration, n: int) -> np.ndarray:
    """Segment n of the narration with 0.1 s more on each side."""
    seg, rate = narration.segments[n], narration.sample_rate
    start = max(0, int(round(seg.start_s * rate)) - 2205)
    return narration.samples[start : int(round(seg.end_s * rate)) + 2205]


def test_keys_follow_every_input(settings: Settings, tmp_path: Path) -> None:
    voice = installed_voices(settings.voices_dir)[0]
    cache = SpeechCache(tmp_path / "c", 10_000)
    base = cache.key(voice, 1.0, "Hello.")
    assert cache.key(voice, 1.0, "Hello.") == base
    assert len({base, cache.key(voice, 1.1, "Hello."), cache.key(voice, 1.0, "Hello!")}) == 3
    config = tmp_path / "voice.onnx.json"
    config.write_bytes(voice.config_path.read_bytes())
    copy = replace(voice, config_path=config)
    other = cache.key(copy, 1.0, "Hello.")
    config.write_text(config.read_text().replace("{", '{"x": 1, ', 1))
    os.utime(config, ns=(1, 1))  # the voice's config changed: its sentences are said again
    assert cache.key(copy, 1.0, "Hello.") != other


def test_the_folder_stays_bounded_least_recently_used_first(tmp_path: Path) -> None:
    cache = SpeechCache(tmp_path / "speech", max_bytes=4 * 1000 * 3)
    for n in range(5):
        cache.store(f"k{n}", Clip(np.full(1000, n, dtype=np.float32)))
        os.utime(tmp_path / "speech" / f"k{n}{SUFFIX}", ns=(n * 10**9, n * 10**9))
    assert cache.load("k0") is not None  # used now: the most recent
    dead = tmp_path / "speech" / f".k9.{2**22 + 7}.1.partial{SUFFIX}"  # a killed writer's
    dead.write_bytes(b"\0" * 8)
    cache.trim()
    names = sorted(p.name for p in (tmp_path / "speech").iterdir())
    assert names == [f"k0{SUFFIX}", f"k3{SUFFIX}", f"k4{SUFFIX}"]
    loaded = cache.load("k4")
    assert loaded is not None and loaded.audio.dtype == np.float32 and np.all(loaded.audio == 4)


def test_a_failed_write_loses_only_the_copy(tmp_path: Path) -> None:
    (tmp_path / "speech").write_text("not a folder")  # every write fails, as on a full disk
    cache = SpeechCache(tmp_path / "speech", max_bytes=1000)
    cache.store("k", Clip(np.zeros(10, dtype=np.float32)))
    assert cache.load("k") is None and cache.misses == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["speech"]


def test_speech_cache_mb_0_turns_it_off(settings: Settings) -> None:
    synth = get_synthesizer(settings.tts_threads)
    off = settings.model_copy(update={"speech_cache_mb": 0})
    assert with_cache(synth, off) is synth
    assert isinstance(with_cache(synth, settings), CachedSpeech)


async def test_a_chat_edit_reuses_the_narration(
    service: Service, service_settings: Settings, tiny: Path
) -> None:
    chat = RecordingChat()
    await service.handle(incoming(SEED, files=(tiny,)), chat)
    await asyncio.wait_for(service.wait_idle(), 180)
    before = _spoken(service_settings)
    await service.handle(incoming("burn the captions"), chat)
    await asyncio.wait_for(service.wait_idle(), 180)
    assert len(chat.results) == 2 and "✅ Captions: burned in" in chat.all_text
    assert _spoken(service_settings) == before  # the second render said nothing again
    await service.handle(incoming("slower"), chat)
    await asyncio.wait_for(service.wait_idle(), 180)
    assert len(chat.results) == 3 and _spoken(service_settings) > before  # a new speed: spoken
