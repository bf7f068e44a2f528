"""Word timings of our narration: from Piper's phoneme alignments of the very synthesis (the
voice model patched once), checked against an independent aligner, the recogniser's alignment
of the known words snapped to energy dips (core/engine/word_timings.py, also the fallback)."""

from __future__ import annotations

import hashlib
import json
import statistics
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from piper import SynthesisConfig

from core.config import Settings
from core.engine.aligned_voice import aligned_model, model_digest
from core.engine.asr import Word
from core.engine.lexicon import Lexicon
from core.engine.model import Limits, Script, ScriptCue, Segment, VoiceInfo
from core.engine.narration import Narration, NarrationBuilder
from core.engine.phoneme_words import TONE_MARKS, Clip, text_tokens
from core.engine.script_words import SpokenWords, aligned_segments, script_words
from core.engine.scripts import parse_script_text
from core.engine.speech_cache import CachedSpeech, SpeechCache
from core.engine.speech_units import spoken_text
from core.engine.tts import Synthesizer, VoiceCache, load_piper_voice, speak
from core.engine.voices import DEFAULT_VOICE_ID, installed_voices
from core.engine.word_timings import align, timed_segments
from tests.voice_repo import install_relabelled

TEXT = (
    "Meet Aurora, the desk lamp that follows the sun. At sunrise it glows a soft amber light, "
    "and by noon it matches the daylight outside."
)


@pytest.fixture(scope="module")
def joe() -> VoiceInfo:
    return next(v for v in installed_voices(None) if v.id == DEFAULT_VOICE_ID)


@pytest.fixture(scope="module")
def aligned_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("voices")


@pytest.fixture(scope="module")
def synth(joe: VoiceInfo, aligned_dir: Path) -> Iterator[Synthesizer]:
    """A synthesizer whose voice is loaded from its aligned copy (made here, once)."""
    spoken = Synthesizer(2, VoiceCache())
    spoken.preload(joe, aligned_dir, make=True)
    yield spoken
    spoken.close()


def _build(synth: Synthesizer, voice: VoiceInfo, script: Script, speed: float = 1.0) -> Narration:
    return NarrationBuilder(synth, voice, speed, 1.2, lambda _: None).build(script)


def test_the_aligned_model_says_the_same_bit_for_bit_and_tells_phoneme_lengths(
    joe: VoiceInfo, aligned_dir: Path, synth: Synthesizer
) -> None:
    path = aligned_model(joe.model_path, aligned_dir, make=False)
    assert path == aligned_dir / f"{model_digest(joe.model_path)}-aligned.onnx"
    kept = {p.name for p in aligned_dir.iterdir()}  # nothing partial left
    assert synth.gives_words(joe) and path.name in kept
    assert kept <= {path.name, "digests.json"}
    plain, aligned = (load_piper_voice(p, joe.config_path) for p in (joe.model_path, path))
    still = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0, normalize_audio=False)
    before, after = speak(plain, TEXT, still), speak(aligned, TEXT, still)
    assert np.array_equal(before.audio, after.audio) and before.units is None
    assert after.units is not None and len(after.units) == len(TEXT.split())
    assert after.units[-1][2] <= len(after.audio) / joe.sample_rate
    assert "onnx" not in sys.modules  # patched in a child process, never in this one


@pytest.mark.parametrize("case", ["untimed", "timed", "pause"])
def test_word_starts_within_80_ms_of_the_recogniser_alignment(
    synth: Synthesizer, joe: VoiceInfo, settings: Settings, case: str
) -> None:
    sentences = TEXT.replace(". ", ".\n").splitlines()
    scripts = {
        "untimed": parse_script_text(TEXT, Limits()),
        # the first cue (~2.0 s at length_scale 1.3) overruns the second's start 1.8 s on, so it is
        # re-spoken faster (2.1 s on left it 4 ms short on CI's machine)
        "timed": Script(tuple(ScriptCue(s, 1.0 + 1.8 * n) for n, s in enumerate(sentences))),
        # one cue of two sentences with a second of silence between them
        "pause": Script((ScriptCue(" [pause 1s] ".join(sentences), 0.7),)),
    }
    timed = case == "timed"
    narration = _build(synth, joe, scripts[case], 1.3 if timed else 1.0)  # Piper's length_scale
    assert (narration.segments[0].speedup > 1.0) is timed
    ours = aligned_segments(narration.segments, narration.spoken)
    assert [w for s in ours for w, _, _ in s.words] == TEXT.split()
    bare = [replace(s, words=()) for s in ours]
    theirs = timed_segments(bare, narration.samples, narration.sample_rate, settings)
    starts = [a for s in ours for _, a, _ in s.words]
    truth = [a for s in theirs for _, a, _ in s.words]
    errors = [abs(a - b) for a, b in zip(starts, truth, strict=True)]
    assert statistics.median(errors) <= 0.08, list(zip(TEXT.split(), starts, truth, strict=True))
    if case == "pause":  # the silence is inside the one segment's words
        words = ours[0].words
        at = [w for w, _, _ in words].index("At")
        assert words[at][1] - words[at - 1][2] >= 1.0
    offset = narration.segments[0].start_s  # without the track's offsets the test would fail
    unplaced = [abs(a - offset - b) for a, b in zip(starts, truth, strict=True)]
    assert statistics.median(unplaced) > 0.08


def test_a_segment_without_alignments_is_timed_by_the_recogniser_alone(
    synth: Synthesizer, joe: VoiceInfo, settings: Settings
) -> None:
    narration = _build(synth, joe, parse_script_text(TEXT, Limits()))
    aligned = aligned_segments(narration.segments, narration.spoken)
    first, second = aligned_segments(narration.segments, (narration.spoken[0], None))
    assert first == aligned[0] and not second.words  # as a voice that cannot be patched
    _, heard = timed_segments([first, second], narration.samples, narration.sample_rate, settings)
    assert [w for w, _, _ in heard.words] == aligned[1].text.split()
    errors = [abs(a[1] - b[1]) for a, b in zip(heard.words, aligned[1].words, strict=True)]
    assert statistics.median(errors) <= 0.08


def test_a_script_word_spans_the_words_it_is_spoken_as() -> None:
    text = "Dr. Smith paid 1,250 dollars — today."
    said = text_tokens(spoken_text(text, "en", Lexicon()))  # Doctor … one thousand … fifty …
    assert len(said) == 10
    tokens = tuple((w, n * 0.5, n * 0.5 + 0.4) for n, w in enumerate(said))
    words = script_words(text, SpokenWords(tokens, "en", Lexicon()))
    assert [w for w, _, _ in words] == text.split()
    assert words[0][1:] == (0.0, 0.4)  # Dr. → Doctor
    assert words[3][1:] == (1.5, 3.9)  # 1,250 → from "one" to "fifty"
    assert words[5][1] == words[5][2] == words[4][2]  # the dash says nothing
    assert words[4][1:] == (4.0, 4.4) and words[6][1:] == (4.5, 4.9)


def test_chinese_is_timed_per_character_from_its_syllables(
    synth: Synthesizer, aligned_dir: Path, tmp_path: Path
) -> None:
    install_relabelled(tmp_path, "zh_CN-test-medium")
    (zh,) = [v for v in installed_voices(tmp_path) if v.id == "zh_CN-test-medium"]
    synth.preload(zh, aligned_dir)  # the same model file: its aligned copy exists already
    text = "今天很好，我有3个苹果。"
    narration = _build(synth, zh, parse_script_text(text, Limits()))
    (spoken,) = narration.spoken
    assert spoken is not None
    assert [t for t, _, _ in spoken.tokens] == list("今天很好我有三个苹果")  # one per syllable
    [seg] = aligned_segments(narration.segments, narration.spoken)
    assert [w for w, _, _ in seg.words] == list(text)
    starts = [a for _, a, _ in seg.words]
    assert starts == sorted(starts) and seg.start_s <= starts[0] and seg.words[-1][2] <= seg.end_s
    assert seg.words[6][2] - seg.words[6][1] > 0.05  # "3", said 三
    assert seg.words[4][1] == seg.words[4][2]  # the comma says nothing


def test_every_syllable_has_one_tone_mark(
    synth: Synthesizer, aligned_dir: Path, tmp_path: Path
) -> None:
    install_relabelled(tmp_path, "zh_CN-test-medium")
    (zh,) = [v for v in installed_voices(tmp_path) if v.id == "zh_CN-test-medium"]
    synth.preload(zh, aligned_dir)
    (clip,) = synth.synthesize_timed(zh, ["认识一下极光台灯，它会跟随太阳。"])
    assert clip.units is not None and len(clip.units) == 14
    assert all(sum(c in TONE_MARKS for c in p) == 1 for p, _, _ in clip.units)


def test_the_speech_cache_keeps_the_words(
    synth: Synthesizer, joe: VoiceInfo, tmp_path: Path
) -> None:
    cache = SpeechCache(tmp_path / "speech", 10_000_000)
    cached = CachedSpeech(synth, cache)
    (first,) = cached.synthesize_timed(joe, ["Meet Aurora."])
    (again,) = cached.synthesize_timed(joe, ["Meet Aurora."])
    assert cache.hits == 1 and again.units == first.units and first.units
    key = cache.key(joe, 1.0, "Hello there.")
    cache.store(key, Clip(np.zeros(100, dtype=np.float32)))  # kept by a voice without words
    (spoken,) = cached.synthesize_timed(joe, ["Hello there."])
    assert spoken.units is not None and len(spoken.units) == 2 and len(spoken.audio) > 100


def test_a_model_that_cannot_be_patched_is_marked_and_not_tried_again(tmp_path: Path) -> None:
    model = tmp_path / "plain.onnx"
    build = (
        "import onnx, onnx.helper as h, sys\n"
        "x = h.make_tensor_value_info('x', onnx.TensorProto.FLOAT, [1])\n"
        "y = h.make_tensor_value_info('y', onnx.TensorProto.FLOAT, [1])\n"
        "g = h.make_graph([h.make_node('Relu', ['x'], ['y'])], 'g', [x], [y])\n"
        "onnx.save(h.make_model(g, opset_imports=[h.make_opsetid('', 13)]), sys.argv[1])\n"
    )
    subprocess.run([sys.executable, "-c", build, str(model)], check=True, timeout=120)
    folder = tmp_path / "voices"
    assert aligned_model(model, folder, make=True) is None
    kept = sorted(p.name for p in folder.iterdir())
    assert kept == sorted([f"{model_digest(model)}-unaligned", "digests.json"])
    assert aligned_model(model, folder, make=True) is None  # not tried again


def test_a_model_is_hashed_once_and_its_digest_remembered(tmp_path: Path) -> None:
    model, folder = tmp_path / "m.onnx", tmp_path / "voices"
    model.write_bytes(b"model bytes")
    digest = model_digest(model, folder)
    assert digest == hashlib.sha256(b"model bytes").hexdigest()
    note = folder / "digests.json"
    (key,) = json.loads(note.read_text())
    note.write_text(json.dumps({key: "remembered"}))  # a new process reads it, hashes nothing
    code = (
        "import sys; from pathlib import Path; from core.engine.aligned_voice import model_digest"
        "; print(model_digest(Path(sys.argv[1]), Path(sys.argv[2])))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, str(model), str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert run.stdout.strip() == "remembered"


def test_a_folder_that_cannot_be_written_only_means_no_aligned_copy(
    joe: VoiceInfo, tmp_path: Path
) -> None:
    (tmp_path / "voices").write_text("not a folder")  # every write fails, as on a full disk
    assert aligned_model(joe.model_path, tmp_path / "voices", make=True) is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["voices"]


def test_words_the_recogniser_missed_are_placed_between_their_neighbours() -> None:
    heard = [Word("one", 0.0, 0.4), Word("four", 1.6, 2.0)]
    spans = align(["one", "two", "three", "four"], heard)
    assert spans[0] == (0.0, 0.4) and spans[3] == (1.6, 2.0)
    assert 0.4 <= spans[1][0] < spans[2][0] < 1.6


def test_chinese_without_alignments_is_spread_per_character(settings: Settings) -> None:
    seg = Segment(1.0, 3.0, "今天很好")
    [timed] = timed_segments([seg], np.zeros(22050 * 3, dtype=np.float32), 22050, settings)
    assert [w for w, _, _ in timed.words] == ["今", "天", "很", "好"]
    assert timed.words[0][1] == 1.0 and timed.words[-1][2] == 3.0
