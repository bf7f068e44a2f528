"""The script's language picks the voice; an explicit request wins; no voice, no reading."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from core.cli import main
from core.engine.language_id import detect_language, detect_segments, dominant_language
from core.engine.model import Script, ScriptCue
from core.engine.voice_choice import choose_voice_for
from core.engine.voices import discover_voices
from core.errors import ErrorCode, VoiceoverError
from tests.voice_repo import install_relabelled

JOE = discover_voices(None)[0]
AMY = replace(JOE, id="en_US-amy-medium", name="amy", gender="female")
ZH = replace(JOE, id="zh_CN-test-medium", language="zh_CN", name="test", gender=None)
HUAYAN = replace(JOE, id="zh_CN-huayan-medium", language="zh_CN", name="huayan", gender="female")
CHINESE = "认识一下极光台灯，它会跟随太阳。日出时它发出柔和的琥珀色光。"
ENGLISH = "Meet Aurora, the desk lamp that follows the sun. At sunrise it glows a soft amber."


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (CHINESE, "zh"),
        ("你好", "zh"),
        (ENGLISH, "en"),
        ("Hello there", "en"),
        ("Guten Tag, wie geht es Ihnen heute?", "de"),
        ("Bonjour à tous, comment allez-vous ?", "fr"),
        ("Hola, ¿cómo estás? Hoy hace buen tiempo.", "es"),
    ],
)
def test_detect_language(text: str, language: str) -> None:
    found = detect_language(text)
    assert found is not None and found.language == language


def test_no_letters_is_undetermined() -> None:
    assert detect_language("12345 !!! 😀") is None
    assert dominant_language(["123", "..."]) == (None, {})


def test_segments_are_detected_one_by_one() -> None:
    found = detect_segments([ENGLISH, CHINESE, "42"])
    assert [f.language if f else None for f in found] == ["en", "zh", None]
    language, weights = dominant_language([ENGLISH, CHINESE, CHINESE])
    assert language == "zh" and set(weights) == {"en", "zh"}


def test_a_chinese_script_picks_the_chinese_voice() -> None:
    script = Script((ScriptCue(CHINESE),))
    assert choose_voice_for(script, [JOE, ZH]) == (ZH, None)
    assert choose_voice_for(CHINESE, [JOE, AMY, ZH, HUAYAN], gender="female") == (HUAYAN, None)
    assert choose_voice_for(ENGLISH, [JOE, ZH]) == (JOE, None)


def test_gender_picks_an_installed_voice_of_the_language() -> None:
    assert choose_voice_for(ENGLISH, [JOE, AMY, HUAYAN], gender="female") == (AMY, None)
    voice, note = choose_voice_for(ENGLISH, [JOE, HUAYAN], gender="female")
    assert voice == JOE and note is not None and "female" in str(note)  # never the Chinese one


def test_an_explicit_request_wins() -> None:
    assert choose_voice_for(CHINESE, [JOE, ZH], voice_id="en_US-joe-medium") == (JOE, None)
    assert choose_voice_for(CHINESE, [JOE, ZH], language="en") == (JOE, None)
    assert choose_voice_for(ENGLISH, [JOE, ZH], language="中文") == (ZH, None)


def test_no_voice_for_the_language_is_refused_with_the_install_command() -> None:
    with pytest.raises(VoiceoverError) as caught:
        choose_voice_for(CHINESE, [JOE])
    error = caught.value
    assert error.code is ErrorCode.NO_VOICE_FOR_LANGUAGE
    message = error.message("en")
    assert "Chinese" in message and "`voiceover voices install zh_CN-huayan-medium`" in message
    assert "/voices install zh_CN-huayan-medium" in message
    assert "voiceover voices install zh_CN-huayan-medium" in error.message("zh")
    with pytest.raises(VoiceoverError) as caught:
        choose_voice_for(ENGLISH, [JOE], language="ja")
    assert "voices available --language ja" in caught.value.message("en")


def test_unclear_text_falls_back_to_the_default_voice() -> None:
    assert choose_voice_for("2024 · 42 · 99%", [JOE, ZH]) == (JOE, None)
    assert choose_voice_for("OK", [JOE, ZH], default_id="en_US-joe-medium")[0] == JOE
    voice, note = choose_voice_for("Guten Tag", [JOE], gender="male")  # too short to be sure
    assert voice == JOE and str(note) == "The script may be in German; using joe (male)."
    assert note is not None and note.text("zh") == "脚本可能是德语，使用 joe（男声）。"


def test_a_mixed_script_is_noted() -> None:
    voice, note = choose_voice_for([CHINESE, CHINESE, ENGLISH], [JOE, ZH])
    assert voice == ZH and note is not None and "English" in str(note)
    assert "英语" in note.text("zh") and "English" not in note.text("zh")


def _render(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["render", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_render_refuses_a_chinese_script_without_a_chinese_voice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    code, _, err = _render(capsys, "--text", "你好！" + CHINESE, "--out", "out.mp4")
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("error 4104:")
    assert "Chinese" in lines[0] and "voiceover voices install zh_CN-huayan-medium" in lines[0]
    assert not (tmp_path / "out.mp4").exists()


def test_render_reads_a_chinese_script_with_the_chinese_voice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    install_relabelled(tmp_path / "data" / "voices", "zh_CN-test-medium")
    text = "你好！今天是2024年3月5日，价格¥129.5。"
    code, out, err = _render(capsys, "--text", text, "--out", "out.mp4", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["voice"] == "zh_CN-test-medium" and result["duration_s"] > 1
    # Captions keep the original characters: digits and symbols as written, no pinyin.
    captions = [s["text"] for s in result["segments"]]
    assert captions == ["你好！", "今天是2024年3月5日，价格¥129.5。"]
