"""Speech recognition: the checked model, transcripts of known speech, the Chinese refusal,
model installs from a loopback hub."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from core.config import Settings
from core.engine.asr import get_recognizer
from core.engine.asr_install import install_model
from core.engine.asr_models import BUNDLED_DIGESTS, MANIFEST, bundled_path, resolve_model
from core.engine.leftovers import work_dir
from core.engine.transcribe import check_language, probe_speech_media, transcribe_media
from core.engine.transcript_formats import write_transcript
from core.errors import ErrorCode, VoiceoverError
from tests.cli_helpers import voiceover
from tests.model_hub import model_hub
from tests.speech import (
    espeak_samples,
    piper_samples,
    talking_track,
    talking_video,
    word_error_rate,
)

LINES = [
    "Meet Aurora, the desk lamp that follows the sun.",
    "At sunrise it glows a soft amber light.",
    "Every evening it dims before you sleep.",
]
STARTS = [0.5, 4.5, 8.5]
PINYIN = "jin1 tian1 tian1 qi4 hen3 hao3, wo3 men qu4 gong1 yuan2 san4 bu4 ba. zhe4 shi4 yi2 ge4"


@pytest.fixture(scope="module")
def talking(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[float]]:
    """A 12 s video: three lines read by Piper at known onsets over a quiet tone."""
    spoken = piper_samples(LINES)
    track, onsets = talking_track(list(zip(STARTS, spoken, strict=True)), 12.0)
    return talking_video(tmp_path_factory.mktemp("talk") / "talk.mp4", track), onsets


@pytest.fixture(scope="module")
def chinese(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A video of Mandarin speech (espeak-ng, pinyin voice)."""
    track, _ = talking_track([(0.3, espeak_samples(PINYIN, "cmn-latn-pinyin"))], 6.0)
    return talking_video(tmp_path_factory.mktemp("zh") / "zh.mp4", track)


def _copied_model(tmp_path: Path) -> Path:
    """The bundled model copied with the manifest an install would write."""
    folder = tmp_path / "copy"
    shutil.copytree(bundled_path(), folder)
    files = [{"name": n, "size": s, "sha256": h} for n, (s, h) in BUNDLED_DIGESTS.items()]
    (folder / MANIFEST).write_text(json.dumps({"name": "tiny.en", "files": files}))
    return folder


def test_the_bundled_model_matches_the_digests_kept_in_code(settings: Settings) -> None:
    model = resolve_model(settings)
    assert model.path == bundled_path() and model.english_only
    assert get_recognizer(settings).model.name == "tiny.en"
    assert get_recognizer(settings) is get_recognizer(settings)  # one model per process


@pytest.mark.parametrize("damage", ["truncate", "flip"])
def test_a_changed_or_truncated_model_is_refused_in_one_line(
    tmp_path: Path, talking: tuple[Path, list[float]], damage: str
) -> None:
    folder = _copied_model(tmp_path)
    model_bin = folder / "model.bin"
    data = bytearray(model_bin.read_bytes())
    if damage == "truncate":
        data = data[: len(data) // 2]
    else:
        data[5000] ^= 0x01
    model_bin.write_bytes(bytes(data))
    out = tmp_path / "t.srt"
    proc = voiceover(
        "transcribe", str(talking[0]), "--out", str(out), cwd=tmp_path, ASR_MODEL=str(folder)
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error 4130"), proc.stderr
    assert "model.bin" in lines[0] and not out.exists()
    assert "loaded" not in proc.stderr  # never handed to CTranslate2


def test_transcript_of_known_speech(
    settings: Settings, talking: tuple[Path, list[float]], tmp_path: Path
) -> None:
    video, onsets = talking
    media = probe_speech_media(video, settings)
    with work_dir() as tmp:
        transcript = transcribe_media(media, settings, Path(tmp))
    assert transcript.language == "en"
    assert word_error_rate(" ".join(LINES), transcript.text) <= 0.2, transcript.text
    srt = write_transcript(tmp_path / "t.srt", transcript).read_text()
    starts = [
        float(b.split(" --> ")[0].replace(",", ".").split(":")[-1])
        for b in srt.split("\n")
        if " --> " in b
    ]
    assert len(starts) == 3
    assert all(abs(s - o) <= 0.5 for s, o in zip(starts, onsets, strict=True)), (starts, onsets)
    data = json.loads(write_transcript(tmp_path / "t.json", transcript).read_text())
    words = [w for seg in data["segments"] for w in seg["words"]]
    assert len(words) >= 20 and all(w["end_s"] >= w["start_s"] for w in words)
    assert (tmp_path / "t.vtt").exists() is False
    vtt = write_transcript(tmp_path / "t.vtt", transcript).read_text()
    assert vtt.startswith("WEBVTT") and "00:00:04." in vtt
    txt = write_transcript(tmp_path / "t.txt", transcript).read_text()
    assert len(txt.strip().splitlines()) == 3


def test_transcribe_cli_writes_the_format_of_the_extension(
    tmp_path: Path, talking: tuple[Path, list[float]]
) -> None:
    out = tmp_path / "out" / "talk.json"
    proc = voiceover("transcribe", str(talking[0]), "--out", str(out), "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["lines"] == 3 and summary["language"] == "en"
    assert json.loads(out.read_text())["segments"][1]["words"][0]["start_s"] > 4.0
    bad = voiceover("transcribe", str(talking[0]), "--out", str(tmp_path / "t.doc"), cwd=tmp_path)
    assert bad.returncode == 2 and "error 4106" in bad.stderr


def test_chinese_speech_with_the_english_model_is_refused(
    settings: Settings, chinese: Path, tmp_path: Path
) -> None:
    media = probe_speech_media(chinese, settings)
    with pytest.raises(VoiceoverError) as caught:
        check_language(media, settings)
    assert caught.value.code is ErrorCode.ASR_WRONG_LANGUAGE
    text = caught.value.message()
    assert "ASR_MODEL" in text and "voiceover models install" in text
    assert "ASR_MODEL" in caught.value.message("zh") and "语音" in caught.value.message("zh")
    proc = voiceover("transcribe", str(chinese), "--out", str(tmp_path / "z.srt"), cwd=tmp_path)
    assert proc.returncode == 2 and "error 4133" in proc.stderr


def test_models_install_verifies_and_is_loaded(settings: Settings) -> None:
    with model_hub() as hub:
        s = settings.model_copy(update={"asr_models_base_url": hub})
        seen: list[tuple[int, int]] = []
        path = install_model("base.en", s, lambda done, total: seen.append((done, total)))
        assert install_model("base.en", s) is None  # already there
    assert path == s.models_path / "base.en" and (path / MANIFEST).is_file()
    assert not (path / "README.md").exists()
    assert seen[-1][0] == seen[-1][1] > 75_000_000
    model = resolve_model(s.model_copy(update={"asr_model": "base.en"}))
    assert model.path == path and model.english_only
    assert [n for n, _, _ in model.digests] == sorted(BUNDLED_DIGESTS)


@pytest.mark.parametrize("name", ["small", "tiny"])
def test_models_install_of_a_corrupt_file_leaves_nothing(settings: Settings, name: str) -> None:
    with model_hub() as hub:
        s = settings.model_copy(update={"asr_models_base_url": hub})
        with pytest.raises(VoiceoverError) as caught:
            install_model(name, s)
    assert caught.value.code is ErrorCode.ASR_MODEL_INSTALL_FAILED
    assert list(s.models_path.iterdir()) == []
    with pytest.raises(VoiceoverError) as missing:
        resolve_model(s.model_copy(update={"asr_model": name}))
    assert missing.value.code is ErrorCode.ASR_MODEL_MISSING
    assert f"voiceover models install {name}" in missing.value.message()
