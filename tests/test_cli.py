"""The `voiceover` command as a user runs it: exit codes, JSON, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.media import make_video

ROOT = Path(__file__).resolve().parents[1]


def voiceover(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the real entry point in a clean environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DISCORD_"))}
    env["DATA_DIR"] = str(cwd / "data")
    return subprocess.run(
        [sys.executable, "-m", "core.cli", *args],
        cwd=cwd,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_render_json(tmp_path: Path) -> None:
    clip = make_video(tmp_path / "clip.mov", seconds=3)
    script = tmp_path / "script.srt"
    script.write_text(
        "1\n00:00:00,200 --> 00:00:01,500\nHello.\n\n2\n00:00:01,600 --> 00:00:02,900\nGoodbye.\n",
        encoding="utf-8",
    )
    options = ["--out", "out.mp4", "--captions", "soft", "--music-volume", "35%", "--json"]
    proc = voiceover("render", str(clip), "--script", str(script), *options, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    keys = {"output", "duration_s", "width", "height", "video_copied", "voice", "segments"}
    assert keys | {"drift_s", "timings_s"} <= set(data)
    assert data["video_copied"] is True and Path(data["output"]).exists()
    assert [s["text"] for s in data["segments"]] == ["Hello.", "Goodbye."]
    assert len(data["drift_s"]) == 2


def test_bad_input_exits_2_with_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(os.urandom(4096))
    proc = voiceover("render", str(bad), "--text", "Hi.", "--out", "o.mp4", cwd=tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error 4201:")
    assert "Traceback" not in proc.stderr and not (tmp_path / "o.mp4").exists()


def test_bad_setting_is_named(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "core.cli", "voices"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT), "MAX_FPS": "-3"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and "MAX_FPS" in proc.stderr and "Traceback" not in proc.stderr


def test_voices_lists_the_bundled_voice(tmp_path: Path) -> None:
    proc = voiceover("voices", "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    voices = json.loads(proc.stdout)
    assert voices[0]["id"] == "en_US-joe-medium" and voices[0]["gender"] == "male"


@pytest.mark.parametrize(
    ("kind", "script", "code"),
    [
        ("file", "1\n999:59:58,000 --> 999:59:59,000\nHi.\n", 4109),
        ("file", "1\n1:00:00,000 --> 1:00:02,000\nHello.\n", 4109),
        ("text", "[999:59:58] Hi there.", 4109),
        ("file", "a" * 1_900_000, 4108),
        ("text", "Meet " + "x" * 500 + " today.", 4108),
        ("file", "word " * 19_000, 4110),  # at least 31:40 however fast it is read
    ],
)
def test_scripts_over_the_limits_exit_2_with_one_line(
    tmp_path: Path, kind: str, script: str, code: int
) -> None:
    source = ["--text", script]
    if kind == "file":
        (tmp_path / "script.txt").write_text(script, encoding="utf-8")
        source = ["--script", "script.txt"]
    proc = voiceover("render", *source, "--out", "o.mp4", cwd=tmp_path)
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert len(lines) == 1 and lines[0].startswith(f"error {code}:")
    assert "Traceback" not in proc.stderr and not (tmp_path / "o.mp4").exists()
