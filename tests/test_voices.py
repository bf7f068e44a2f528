"""Voice discovery (the bundled Piper voice and a folder of more) and choosing a voice."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from core.engine.model import VoiceInfo
from core.engine.voices import choose_voice, discover_voices, normalize_language
from core.errors import ErrorCode, VoiceoverError
from core.words.notes import Note

BUNDLED = discover_voices(None)[0]


def test_the_bundled_voice_is_found_with_its_config() -> None:
    voices = discover_voices(None)
    assert [v.id for v in voices] == ["en_US-joe-medium"]
    joe = voices[0]
    assert (joe.language, joe.name, joe.quality, joe.gender) == ("en_US", "joe", "medium", "male")
    assert joe.sample_rate == 22050
    assert joe.model_path.is_file() and joe.config_path.is_file()
    assert joe.speaker_id is None and joe.language_code == "en"


def _add_voice(folder: Path, stem: str, edit: dict[str, Any], drop: tuple[str, ...] = ()) -> None:
    """A voice named `stem` in `folder`: the joe model (symlinked) and its config, edited."""
    config = json.loads(BUNDLED.config_path.read_text(encoding="utf-8"))
    for key in drop:
        config.pop(key, None)
    config.update(edit)
    (folder / f"{stem}.onnx").symlink_to(BUNDLED.model_path)
    (folder / f"{stem}.onnx.json").write_text(json.dumps(config), encoding="utf-8")


@pytest.fixture
def voices_dir(tmp_path: Path) -> Path:
    """A voices folder: good voices, a multi-speaker one, and broken ones."""
    folder = tmp_path / "voices"
    (folder / "de").mkdir(parents=True)
    german = {"language": {"code": "de_DE"}, "dataset": "kerstin"}
    _add_voice(folder / "de", "de_DE-kerstin-low", {**german, "audio": {"sample_rate": 16000}})
    unnamed = {"gender": "female", "dataset": "", "audio": {"sample_rate": 22050}}
    _add_voice(folder, "fr_FR-robot-high", unnamed, drop=("language",))
    speakers = {"num_speakers": 3, "speaker_id_map": {"p9": 2, "p1": 0, "p2": 1}}
    genders = {"gender": {"p1": "female", "p2": "男"}, "language": {"code": "en_GB"}}
    _add_voice(folder, "en_GB-vctk-medium", {**speakers, **genders, "dataset": "vctk"})
    _add_voice(folder, "en_US-joe-medium", {})  # the same id as the bundled voice
    _add_voice(folder, "es_ES-norate-medium", {"audio": {"quality": "medium"}})
    (folder / "it_IT-nojson-medium.onnx").symlink_to(BUNDLED.model_path)
    (folder / "pl_PL-badjson-medium.onnx").symlink_to(BUNDLED.model_path)
    (folder / "pl_PL-badjson-medium.onnx.json").write_text("{not json", encoding="utf-8")
    (folder / "nl_NL-empty-low.onnx").write_bytes(b"")
    (folder / "nl_NL-empty-low.onnx.json").write_text("{}", encoding="utf-8")
    return folder


def test_a_voices_folder_adds_voices_and_skips_broken_ones(
    voices_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="core.engine.voices"):
        voices = discover_voices(voices_dir)
    by_id = {v.id: v for v in voices}
    assert voices[0].id == "en_US-joe-medium" and voices[0].model_path == BUNDLED.model_path
    assert list(by_id) == [
        "en_US-joe-medium",
        "de_DE-kerstin-low",
        "en_GB-vctk-medium:p1",
        "en_GB-vctk-medium:p2",
        "en_GB-vctk-medium:p9",
        "fr_FR-robot-high",
    ]
    kerstin = by_id["de_DE-kerstin-low"]
    assert (kerstin.language, kerstin.name, kerstin.gender) == ("de_DE", "kerstin", "female")
    assert (kerstin.quality, kerstin.sample_rate) == ("low", 16000)  # name, then config
    robot = by_id["fr_FR-robot-high"]  # language and quality from the file name
    assert (robot.language, robot.quality, robot.name, robot.gender) == (
        "fr_FR",
        "high",
        "robot",
        "female",
    )
    vctk = [by_id[f"en_GB-vctk-medium:{s}"] for s in ("p1", "p2", "p9")]
    assert [(v.speaker, v.speaker_id, v.gender) for v in vctk] == [
        ("p1", 0, "female"),
        ("p2", 1, "male"),
        ("p9", 2, None),
    ]
    assert all(v.language == "en_GB" and v.language_code == "en" for v in vctk)
    logged = caplog.text
    for broken in ("es_ES-norate", "it_IT-nojson", "pl_PL-badjson", "nl_NL-empty"):
        assert broken in logged
    assert "already taken" in logged


def test_a_missing_voices_folder_gives_only_the_bundled_voice(tmp_path: Path) -> None:
    assert [v.id for v in discover_voices(tmp_path / "nowhere")] == ["en_US-joe-medium"]


def _voice(vid: str, gender: str | None, speaker: str | None = None) -> VoiceInfo:
    language, name, quality = vid.split(":")[0].split("-")
    return VoiceInfo(
        id=vid,
        language=language,
        name=name,
        quality=quality,
        gender=gender,
        model_path=Path(f"/v/{vid}.onnx"),
        config_path=Path(f"/v/{vid}.onnx.json"),
        sample_rate=22050,
        speaker=speaker,
    )


JOE = _voice("en_US-joe-medium", "male")
AMY = _voice("en_US-amy-low", "female")
ALBA = _voice("en_GB-alba-medium", "female")
KERSTIN = _voice("de_DE-kerstin-low", "female")
THORSTEN = _voice("de_DE-thorsten-high", "male")
MYSTERY = _voice("fr_FR-mystery-medium", None)
ALL = [JOE, AMY, ALBA, KERSTIN, THORSTEN, MYSTERY]


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        ({}, JOE),
        ({"voice_id": "de_DE-thorsten-high"}, THORSTEN),
        ({"voice_id": "EN_US-AMY-LOW"}, AMY),
        ({"voice_id": "kerstin"}, KERSTIN),
        ({"voice_id": "en_US-amy-low", "language": "German"}, AMY),  # the id wins
        ({"language": "English"}, JOE),
        ({"language": "en"}, JOE),
        ({"language": "en-gb"}, ALBA),
        ({"language": "English", "gender": "female"}, AMY),
        ({"language": "英语", "gender": "女声"}, AMY),
        ({"language": "de", "gender": "male"}, THORSTEN),
        ({"language": "Deutsch"}, KERSTIN),
        ({"language": "德语", "gender": "男"}, THORSTEN),
        ({"gender": "female"}, AMY),
        ({"gender": "woman"}, AMY),
        ({"language": "French"}, MYSTERY),
    ],
)
def test_choose_voice_meets_exact_requests_without_a_note(
    request_: dict[str, str], expected: VoiceInfo
) -> None:
    chosen, note = choose_voice(ALL, **request_)
    assert (chosen.id, note) == (expected.id, None)


def test_a_region_falls_back_to_the_language_with_a_note() -> None:
    voice, note = choose_voice(ALL, language="en_GB", gender="male")
    assert (voice, str(note)) == (JOE, "No English (en_GB) voice is installed; using joe (male).")
    assert note is not None and note.text("zh") == "没有安装英语（en_GB）声音，改用 joe（男声）。"


@pytest.mark.parametrize(
    ("voices", "request_", "expected", "note"),
    [
        (
            [JOE, KERSTIN],
            {"language": "English", "gender": "female"},
            JOE,
            "No female English voice is installed; using joe (male).",
        ),
        (
            [JOE, KERSTIN],
            {"gender": "female"},
            JOE,
            "No female English voice is installed; using joe (male).",
        ),
        (
            [JOE, KERSTIN],
            {"language": "de", "gender": "male"},
            KERSTIN,
            "No male German voice is installed; using kerstin (female).",
        ),
        (
            [JOE, MYSTERY],
            {"language": "fr", "gender": "male"},
            MYSTERY,
            "No male French voice is installed; using mystery.",
        ),
        (
            ALL,
            {"voice_id": "amy", "gender": "male"},
            AMY,
            "amy (female) is not a male voice; using it as you asked.",
        ),
    ],
)
def test_choose_voice_explains_what_it_could_not_meet(
    voices: list[VoiceInfo], request_: dict[str, str], expected: VoiceInfo, note: str
) -> None:
    chosen, said = choose_voice(voices, **request_)
    assert (chosen, str(said)) == (expected, note)
    assert said is not None and not any(c.isascii() and c.isalpha() for c in _zh(said))


def _zh(note: Note) -> str:
    """A note's Chinese text without the voice names (the letters it may keep)."""
    text = note.text("zh")
    for name in ("joe", "kerstin", "mystery", "amy"):
        text = text.replace(name, "")
    return text


def test_the_configured_default_voice_is_used_when_nothing_is_asked() -> None:
    assert choose_voice(ALL, default_id="en_US-amy-low") == (AMY, None)
    assert choose_voice(ALL, default_id="gone")[0] == JOE  # unknown default: the first voice
    assert choose_voice(ALL, gender="male", default_id="de_DE-kerstin-low") == (THORSTEN, None)


def test_an_unknown_voice_id_is_refused() -> None:
    with pytest.raises(VoiceoverError) as caught:
        choose_voice(ALL, voice_id="en_US-nobody-high")
    assert caught.value.code is ErrorCode.UNKNOWN_VOICE
    assert "en_US-nobody-high" in caught.value.message("en")


@pytest.mark.parametrize("language", ["zh", "Chinese", "中文", "zh-CN", "klingon"])
def test_a_language_no_voice_speaks_is_refused_with_the_languages_there_are(
    language: str,
) -> None:
    with pytest.raises(VoiceoverError) as caught:
        choose_voice(ALL, language=language, gender="female")
    error = caught.value
    assert error.code is ErrorCode.NO_VOICE_FOR_LANGUAGE
    spoken = "klingon" if language == "klingon" else "Chinese"
    assert error.message("en") == (
        f"No installed voice speaks {spoken}. Installed languages: English, French, German."
    )
    spoken_zh = "klingon" if language == "klingon" else "中文"
    assert error.message("zh") == (
        f"没有可朗读 {spoken_zh} 的已安装声音。已安装语言：英语、法语、德语。"
    )


def test_a_gender_that_is_not_one_is_refused() -> None:
    with pytest.raises(VoiceoverError) as caught:
        choose_voice(ALL, gender="robot")
    assert caught.value.code is ErrorCode.BAD_OPTION
    assert caught.value.fields["option"] == "gender"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("en", ("en", None)),
        ("en-us", ("en", "US")),
        ("EN_us", ("en", "US")),
        ("English", ("en", None)),
        ("英语", ("en", None)),
        ("中文", ("zh", None)),
        ("Mandarin", ("zh", None)),
        ("zh_CN", ("zh", "CN")),
        (" français ", ("fr", None)),
    ],
)
def test_language_names_and_codes_are_understood(
    typed: str, expected: tuple[str, str | None]
) -> None:
    assert normalize_language(typed) == expected
