"""Real renders with several voices: each speaker label, or each paragraph's language, read by
its own installed voice (relabelled copies of joe), labels never spoken or captioned; voices of
other sample rates resampled onto one track; the same from the CLI and from chat.

What each voice was asked to say is heard at Piper's own `synthesize` of each loaded voice (the
real Synthesizer and Piper run; the recording only listens)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from core.config import Settings
from core.engine.model import (
    Captions,
    Limits,
    RenderOptions,
    RenderRequest,
    Script,
    ScriptCue,
)
from core.engine.narration import NarrationBuilder, resample
from core.engine.render import render
from core.engine.scripts import parse_script_text
from core.engine.tts import VOICE_CACHE, get_synthesizer
from core.engine.voices import installed_voices
from core.errors import ErrorCode
from core.service import Service
from tests.chat_helpers import incoming
from tests.cli_helpers import voiceover
from tests.fakes import RecordingChat
from tests.voice_repo import JOE, install_relabelled

AMY, ZH = "en_US-amy-medium", "zh_CN-test-medium"
DIALOGUE = "A: Meet Aurora.\nB: What does it do?\nA: It follows the sun.\nB: Wow, that is neat."
LINES = ["Meet Aurora.", "What does it do?", "It follows the sun.", "Wow, that is neat."]
Heard = list[tuple[str, str]]


@pytest.fixture
def voices_dir(settings: Settings) -> Iterator[Path]:
    """amy (English, female) and a Chinese voice installed beside the bundled joe."""
    folder = settings.data_dir / "voices"
    for key in (AMY, ZH):
        install_relabelled(folder, key)
    installed_voices.cache_clear()
    yield folder
    installed_voices.cache_clear()


@pytest.fixture
def heard(monkeypatch: pytest.MonkeyPatch) -> Callable[[Settings], Heard]:
    """Listen to every installed voice: (voice id, text) for each text Piper is asked to say."""

    def listen(settings: Settings) -> Heard:
        said: Heard = []
        for voice in installed_voices(settings.voices_dir):
            piper = VOICE_CACHE.get(voice)  # loads it, as a render would
            spoken = piper.synthesize

            def recording(
                text: str, *args: Any, _id: str = voice.id, _say: Any = spoken, **kw: Any
            ) -> Any:
                said.append((_id, text))
                return _say(text, *args, **kw)

            monkeypatch.setattr(piper, "synthesize", recording)
        return said

    return listen


def by_voice(said: Heard) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for voice, text in said:
        out.setdefault(voice, []).append(text)
    return {voice: sorted(texts) for voice, texts in out.items()}


def test_two_speakers_two_voices_labels_never_spoken_or_captioned(
    settings: Settings, voices_dir: Path, heard: Callable[[Settings], Heard], tiny: Path
) -> None:
    said = heard(settings)
    script = parse_script_text(DIALOGUE, Limits.from_settings(settings))
    request = RenderRequest(
        out=settings.data_dir / "out.mp4",
        media=tiny,
        script=script,
        options=RenderOptions(captions=Captions.SOFT),
    )
    result = render(request, settings)
    assert by_voice(said) == {
        JOE.id: sorted([LINES[0], LINES[2]]),  # the first label: the main voice
        AMY: sorted([LINES[1], LINES[3]]),  # the next: another installed English voice
    }
    assert [(s.text, s.voice) for s in result.segments] == [
        (LINES[0], JOE.id),
        (LINES[1], AMY),
        (LINES[2], JOE.id),
        (LINES[3], AMY),
    ]
    assert result.voice == JOE.id
    assert result.subtitles is not None
    captions = result.subtitles.read_text(encoding="utf-8")
    assert all(line in captions for line in LINES)
    assert "A:" not in captions and "B:" not in captions


def test_speakers_get_the_voices_asked_for(
    settings: Settings, voices_dir: Path, heard: Callable[[Settings], Heard]
) -> None:
    said = heard(settings)
    script = parse_script_text(DIALOGUE, Limits.from_settings(settings))
    options = RenderOptions(speakers=(("A", "female"), ("B", "male")))
    result = render(
        RenderRequest(out=settings.data_dir / "o.mp4", script=script, options=options), settings
    )
    assert by_voice(said) == {
        AMY: sorted([LINES[0], LINES[2]]),
        JOE.id: sorted([LINES[1], LINES[3]]),
    }
    assert [s.voice for s in result.segments] == [AMY, JOE.id, AMY, JOE.id]


ENGLISH = "Meet Aurora, the desk lamp that follows the sun. It costs $129 on March 5, 2024."
CHINESE = "认识一下极光台灯，它会跟随太阳。它在2024年3月5日上市，售价¥129.5。"


def test_a_mixed_script_reads_each_paragraph_with_a_voice_of_its_language(
    settings: Settings, voices_dir: Path, heard: Callable[[Settings], Heard]
) -> None:
    said = heard(settings)
    script = parse_script_text(f"{ENGLISH}\n\n{CHINESE}", Limits.from_settings(settings))
    request = RenderRequest(out=settings.data_dir / "o.mp4", script=script)
    result = render(request, settings)
    voices = by_voice(said)
    assert set(voices) == {JOE.id, ZH}
    assert (
        "It costs one hundred twenty-nine dollars on March fifth, twenty twenty-four."
        in (voices[JOE.id])
    )
    assert "它在二零二四年三月五日上市，售价一百二十九点五元。" in voices[ZH]  # read as Chinese
    assert not any("认识" in text for text in voices[JOE.id])
    assert {s.voice for s in result.segments if "认识" in s.text or "2024年" in s.text} == {ZH}
    assert result.voice_note is None


def test_a_chinese_paragraph_without_a_chinese_voice_is_refused_before_speech(
    settings: Settings, heard: Callable[[Settings], Heard]
) -> None:
    installed_voices.cache_clear()  # only joe
    said = heard(settings)
    script = parse_script_text(f"{ENGLISH}\n\n{CHINESE}", Limits.from_settings(settings))
    with pytest.raises(Exception) as caught:
        render(RenderRequest(out=settings.data_dir / "o.mp4", script=script), settings)
    assert getattr(caught.value, "code", None) is ErrorCode.NO_VOICE_FOR_LANGUAGE
    assert said == [] and not (settings.data_dir / "o.mp4").exists()


def test_voices_of_other_sample_rates_are_resampled_onto_one_track(
    settings: Settings, voices_dir: Path
) -> None:
    config_path = voices_dir / AMY / f"{AMY}.onnx.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["audio"]["sample_rate"] = 16000  # a lower-rate voice (its samples taken as 16 kHz)
    config_path.write_text(json.dumps(config), encoding="utf-8")
    installed_voices.cache_clear()
    amy = next(v for v in installed_voices(settings.voices_dir) if v.id == AMY)
    synth = get_synthesizer(2)
    (alone,) = synth.synthesize(amy, [LINES[1]])
    builder = NarrationBuilder(synth, JOE, 1.0, 1.2, lambda pct: None)
    script = Script((ScriptCue(LINES[0]), ScriptCue(LINES[1])))
    narration = builder.build(script, cue_voices=[JOE, amy])
    assert narration.sample_rate == 22050  # the highest rate of the voices used
    joe_part, amy_part = narration.segments
    assert (joe_part.voice, amy_part.voice) == (JOE.id, AMY)
    # Piper's durations vary from run to run (±12% seen); unresampled it would be 27% shorter
    assert amy_part.end_s - amy_part.start_s == pytest.approx(len(alone) / 16000, rel=0.18)


def test_resample_keeps_pitch_and_length() -> None:
    t = np.arange(16000) / 16000
    tone = np.sin(2 * np.pi * 440 * t).astype(np.float32)
    up = resample(tone, 16000, 22050)
    assert len(up) == 22050 and up.dtype == np.float32
    crossings = np.count_nonzero(np.diff(np.signbit(up)))
    assert crossings == pytest.approx(880, abs=2)  # still 440 Hz over one second
    assert resample(tone, 16000, 16000) is tone


def test_cli_speaker_flags(tmp_path: Path) -> None:
    data = tmp_path / "data"
    install_relabelled(data / "voices", AMY)
    out = tmp_path / "out.mp4"
    done = voiceover(
        *("render", "--text", DIALOGUE, "--out", str(out)),
        *("--speaker", "A=female", "--speaker", "B=male", "--json"),
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    segments = json.loads(done.stdout)["segments"]
    assert [(s["text"], s["voice"]) for s in segments] == [
        (LINES[0], AMY),
        (LINES[1], JOE.id),
        (LINES[2], AMY),
        (LINES[3], JOE.id),
    ]
    refused = voiceover(
        *("render", "--text", DIALOGUE, "--out", str(out), "--speaker", "B=female"),
        cwd=tmp_path,
        data_dir=tmp_path / "only-joe",
    )
    assert refused.returncode == 2
    assert refused.stderr.startswith("error 4114: No installed voice can read speaker B")
    bad = voiceover(
        "render", "--text", DIALOGUE, "--out", str(out), "--speaker", "B", cwd=tmp_path
    )
    assert bad.returncode == 2 and "use LABEL=VOICE" in bad.stderr


@pytest.fixture
def service_settings(settings: Settings) -> Settings:
    """The chat's service on the test's settings (voices as each test installs them)."""
    installed_voices.cache_clear()
    return settings.model_copy(update={"http_port": 0})


async def test_chat_a_is_male_b_is_female_then_the_dialogue(
    service: Service,
    settings: Settings,
    voices_dir: Path,
    heard: Callable[[Settings], Heard],
    tiny: Path,
) -> None:
    said = heard(settings)
    chat = RecordingChat()
    await service.handle(incoming("A is female, B is male"), chat)
    assert "✅ Speakers' voices: A: female, B: male" in chat.texts[-1]
    await service.handle(incoming(DIALOGUE, files=(tiny,)), chat)
    await asyncio.wait_for(service.wait_idle(), 120)
    assert [r.kind for r in chat.results] == ["video"]
    assert by_voice(said) == {
        AMY: sorted([LINES[0], LINES[2]]),
        JOE.id: sorted([LINES[1], LINES[3]]),
    }


async def test_chat_a_speaker_no_voice_can_give_is_refused_before_any_credits(
    service: Service, tiny: Path
) -> None:
    chat = RecordingChat()
    await service.handle(incoming("B is female"), chat)  # no script yet: nothing to check
    await service.handle(incoming(DIALOGUE, files=(tiny,)), chat)
    refusal = chat.texts[-1]
    assert refusal.startswith("No installed voice can read speaker B as you asked (female")
    assert "/voices install en_US-" in refusal
    assert await service.store.fetchall("SELECT id FROM jobs") == []
    credits = await service.backend.credits("telegram:1")
    assert (credits.available, credits.frozen) == (100, 0)
    await service.handle(incoming("A用女声"), chat)  # with the script there: refused at once
    assert chat.texts[-1].startswith("No installed voice can read speaker A as you asked")
    await service.handle(incoming("A用女声", lang="zh"), chat)
    assert chat.texts[-1].startswith("没有已安装的声音能按要求（女声）朗读说话人 A")


async def test_chat_a_chinese_paragraph_no_voice_reads_is_refused_before_any_credits(
    service: Service, tiny: Path
) -> None:
    chat = RecordingChat()
    more = "At sunrise it glows a soft amber, and by noon it matches the daylight. Order today."
    script = f"{ENGLISH}\n\n{more}\n\n{CHINESE}"  # mostly English, a third Chinese
    await service.handle(incoming(script, files=(tiny,)), chat)
    refusal = chat.texts[-1]
    assert refusal.startswith("No installed voice speaks Chinese.")
    assert "/voices install zh_CN-huayan-medium" in refusal
    assert await service.store.fetchall("SELECT id FROM jobs") == []
    credits = await service.backend.credits("telegram:1")
    assert (credits.available, credits.frozen) == (100, 0)


def test_a_speakers_voice_that_fails_to_load_gives_way_and_says_so(
    settings: Settings, voices_dir: Path
) -> None:
    model = voices_dir / AMY / f"{AMY}.onnx"
    model.unlink()
    model.write_bytes(b"not an onnx model")  # installed, but it cannot load
    installed_voices.cache_clear()
    script = parse_script_text(DIALOGUE, Limits.from_settings(settings))
    result = render(RenderRequest(out=settings.data_dir / "o.mp4", script=script), settings)
    assert {s.voice for s in result.segments} == {JOE.id}  # the job is not lost
    assert result.warning is not None and f"{AMY} could not be loaded" in str(result.warning)
