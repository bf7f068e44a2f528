"""The voice catalog and installing from it, against a loopback copy of Piper's repository."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.cli import main
from core.engine.catalog import filter_catalog, parse_catalog, suggested_voice
from core.engine.voices import discover_voices
from tests.voice_repo import (
    CUT_MODEL,
    RepoServer,
    copy_tree_size,
)


@pytest.fixture
def env(tmp_path: Path, repo: RepoServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clean working folder whose settings point at the loopback repository; DATA_DIR."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("VOICES_BASE_URL", repo.base_url)
    monkeypatch.delenv("VOICES_DIR", raising=False)
    return tmp_path / "data"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run `voiceover ARGS` in-process: (exit status, stdout, stderr)."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def available(capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    code, out, _ = run(capsys, "voices", "available", "--json", *args)
    assert code == 0
    return [v["key"] for v in json.loads(out)]


def test_catalog_lists_and_filters(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    everything = available(capsys)
    assert "xx_XX-malformed-low" not in everything and len(everything) == 6
    assert available(capsys, "--language", "zh") == ["zh_CN-huayan-medium", "zh_CN-test-medium"]
    assert available(capsys, "--language", "Chinese", "--gender", "female") == [
        "zh_CN-huayan-medium"
    ]
    assert available(capsys, "--gender", "female") == ["en_US-amy-medium", "zh_CN-huayan-medium"]
    assert available(capsys, "--language", "en_GB") == ["en_GB-alan-medium"]
    code, out, _ = run(capsys, "voices", "available", "--language", "zh")
    assert code == 0 and "★ zh_CN-huayan-medium" in out and "female" in out


def test_install_verifies_and_the_voice_is_found(
    env: Path, repo: RepoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "voices", "install", "zh_CN-huayan-medium")
    assert code == 0, err
    assert "Installed zh_CN-huayan-medium" in out
    folder = env / "voices" / "zh_CN-huayan-medium"
    assert sorted(p.name for p in folder.iterdir()) == [
        "MODEL_CARD",
        "zh_CN-huayan-medium.onnx",
        "zh_CN-huayan-medium.onnx.json",
    ]
    assert [p.name for p in (env / "voices").iterdir()] == ["zh_CN-huayan-medium"]
    code, out, _ = run(capsys, "voices", "--json")
    rows = {row["id"]: row for row in json.loads(out)}
    assert rows["zh_CN-huayan-medium"]["gender"] == "female"  # from our table
    assert rows["zh_CN-huayan-medium"]["language"] == "zh_CN"
    assert "en_US-joe-medium" in rows  # the bundled voice stays
    code, out, _ = run(capsys, "voices", "install", "zh_CN-huayan-medium")
    assert code == 0 and "already installed" in out


def test_a_corrupt_file_is_refused_and_nothing_is_left(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "voices", "install", "de_DE-corrupt-medium")
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error 4112:") and "MD5" in lines[0]
    assert copy_tree_size(env / "voices") == 0
    assert list((env / "voices").iterdir()) == []


def test_an_interrupted_download_is_retried_then_refused_and_nothing_is_left(
    env: Path, repo: RepoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    before = len(repo.requests)
    code, _, err = run(capsys, "voices", "install", "fr_FR-cut-medium")
    assert repo.requests[before:].count(CUT_MODEL) == 2  # tried again once
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error 4112:") and "fr_FR-cut-medium" in err
    assert copy_tree_size(env / "voices") == 0


def test_an_unknown_key_downloads_nothing(
    env: Path, repo: RepoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    before = len(repo.requests)
    code, _, err = run(capsys, "voices", "install", "zh_CN-test-medium", "xx_XX-nobody-low")
    assert code == 2 and err.startswith("error 4111:") and "xx_XX-nobody-low" in err
    assert repo.requests[before:] == ["voices.json"]
    assert copy_tree_size(env / "voices") == 0


def test_remove(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "voices", "install", "en_US-amy-medium")[0] == 0
    code, out, _ = run(capsys, "voices", "remove", "en_US-amy-medium")
    assert code == 0 and "Removed en_US-amy-medium" in out
    assert not (env / "voices" / "en_US-amy-medium").exists()
    assert [v.id for v in discover_voices(env / "voices")] == ["en_US-joe-medium"]
    code, _, err = run(capsys, "voices", "remove", "en_US-amy-medium")
    assert code == 2 and err.startswith("error 4113:")
    code, _, err = run(capsys, "voices", "remove", "en_US-joe-medium")
    assert code == 2 and "bundled" in err


def test_an_unreachable_catalog_is_one_line(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VOICES_BASE_URL", "http://127.0.0.1:9/nothing")
    code, _, err = run(capsys, "voices", "available")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "catalog" in err


def test_parse_catalog_skips_unsafe_and_malformed_entries() -> None:
    good = {"size_bytes": 1, "md5_digest": "ab"}
    index = {
        "en_US-ok-low": {
            "name": "ok",
            "language": {"code": "en_US"},
            "files": {"en/en_US-ok-low.onnx": good},
        },
        "en_US-evil-low": {
            "name": "evil",
            "language": {"code": "en_US"},
            "files": {"../../etc/x.onnx": good},
        },
        "en_US-nomodel-low": {
            "name": "x",
            "language": {"code": "en_US"},
            "files": {"en/readme": good},
        },
        "../escape": {"name": "x", "language": {"code": "en_US"}, "files": {"en/x.onnx": good}},
    }
    assert [v.key for v in parse_catalog(index)] == ["en_US-ok-low"]
    assert filter_catalog(parse_catalog(index), language="de") == []


def test_suggested_voices_come_from_our_table() -> None:
    assert suggested_voice("zh") == "zh_CN-huayan-medium"
    assert suggested_voice("en", "female") == "en_US-amy-medium"
    assert suggested_voice("en_GB", "male") == "en_GB-alan-medium"
    assert suggested_voice("en_GB", "female") == "en_GB-alba-medium"
    for code in ("en", "zh", "de", "fr", "es"):
        assert suggested_voice(code, "male") and suggested_voice(code)
    assert suggested_voice("ja") is None
