"""`voiceover voices sample`: a short sample in the voice's language, as Ogg/Opus, cached."""

from __future__ import annotations

from pathlib import Path

import av
import pytest

from core.cli import main
from core.config import Settings
from core.engine.sample import sample_cache_path, sample_text
from core.engine.voices import installed_voices
from tests.voice_repo import install_relabelled


def _duration(path: Path) -> float:
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        assert stream.codec_context.name == "opus"
        frames = sum(frame.samples for frame in container.decode(stream))
        return frames / stream.codec_context.sample_rate


def test_sample_is_real_ogg_opus_and_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    assert main(["voices", "sample", "en_US-joe-medium", "--out", "sample.ogg"]) == 0
    out = tmp_path / "sample.ogg"
    assert out.read_bytes()[:4] == b"OggS" and out.stat().st_size > 1000
    assert 1.5 < _duration(out) < 15
    settings = Settings(_env_file=None, data_dir=tmp_path / "data")  # type: ignore[call-arg]
    joe = installed_voices(settings.voices_dir)[0]
    cached = sample_cache_path(settings, joe)
    assert cached.is_file()
    stamp = cached.stat().st_mtime_ns
    assert main(["voices", "sample", "en_US-joe-medium", "--out", "again.ogg"]) == 0
    assert cached.stat().st_mtime_ns == stamp  # rendered once
    assert (tmp_path / "again.ogg").read_bytes() == out.read_bytes()
    capsys.readouterr()


def test_sample_is_in_the_voices_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    install_relabelled(tmp_path / "data" / "voices", "zh_CN-test-medium")
    assert sample_text("zh_CN").startswith("你好")
    assert main(["voices", "sample", "zh_CN-test-medium", "--out", "zh.ogg"]) == 0
    assert _duration(tmp_path / "zh.ogg") > 1.0
    assert main(["voices", "sample", "xx_XX-nobody-low", "--out", "no.ogg"]) == 2
    assert "4105" in capsys.readouterr().err
