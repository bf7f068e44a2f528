"""The `voiceover` command as a user runs it: exit codes, JSON, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.cli_helpers import cli_command, cli_env, voiceover
from tests.loopback import free_port
from tests.media import make_video
from tests.voice_repo import install_relabelled


def test_render_json(tmp_path: Path) -> None:
    clip = make_video(tmp_path / "clip.mov", seconds=3)
    script = tmp_path / "script.srt"
    script.write_text(
        "1\n00:00:00,200 --> 00:00:01,500\nHello.\n\n2\n00:00:01,600 --> 00:00:02,900\nGoodbye.\n",
        encoding="utf-8",
    )
    proc = voiceover(
        "render",
        str(clip),
        *("--script", str(script)),
        *("--out", "out.mp4"),
        *("--captions", "soft"),
        *("--music-volume", "35%"),
        "--json",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert {
        "output",
        "duration_s",
        "width",
        "height",
        "video_copied",
        "voice",
        "segments",
        "drift_s",
        "timings_s",
    } <= set(data)
    assert data["video_copied"] is True and Path(data["output"]).exists()
    assert [s["text"] for s in data["segments"]] == ["Hello.", "Goodbye."]
    assert len(data["drift_s"]) == 2
    for seg in data["segments"]:  # timed from the voice's alignments, inside their segment
        [word] = seg["words"]
        assert word["text"] == seg["text"] and set(word) == {"text", "start_s", "end_s"}
        assert seg["start_s"] <= word["start_s"] < word["end_s"] <= seg["end_s"]
    assert list((tmp_path / "data" / "cache" / "voices").glob("*-aligned.onnx"))


def test_render_json_words_of_chinese_per_character(tmp_path: Path) -> None:
    install_relabelled(tmp_path / "data" / "voices", "zh_CN-test-medium")
    clip = make_video(tmp_path / "clip.mov", seconds=3)
    text = "今天很好，我有3个苹果。"
    proc = voiceover(
        "render", str(clip), "--text", text, "--out", "zh.mp4", "--json", cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    [seg] = json.loads(proc.stdout)["segments"]
    assert [w["text"] for w in seg["words"]] == list(text)
    starts = [w["start_s"] for w in seg["words"]]
    assert starts == sorted(starts) and starts[0] < starts[-1] <= seg["end_s"]


def test_bad_input_exits_2_with_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(os.urandom(4096))
    proc = voiceover("render", str(bad), "--text", "Hi.", "--out", "o.mp4", cwd=tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error 4201:")
    assert "Traceback" not in proc.stderr and not (tmp_path / "o.mp4").exists()


def test_bad_setting_is_named(tmp_path: Path) -> None:
    proc = voiceover("voices", cwd=tmp_path, timeout=120, MAX_FPS="-3")
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


def test_a_bad_log_level_is_named_in_one_line(tmp_path: Path) -> None:
    proc = voiceover("voices", cwd=tmp_path, LOG_LEVEL="loud")
    assert proc.returncode == 2
    [line] = proc.stderr.strip().splitlines()
    assert line.startswith("error: setting LOG_LEVEL:") and "DEBUG, INFO, WARNING" in line


@pytest.mark.parametrize(
    ("level", "shown", "hidden"),
    [
        (None, "INFO core.delivery.links: link server on", "DEBUG "),
        ("warning", None, "INFO "),
        ("DEBUG", "DEBUG ", None),
    ],
)
def test_log_level_is_honoured(
    tmp_path: Path, level: str | None, shown: str | None, hidden: str | None
) -> None:
    extra = {"HTTP_PORT": "0"} | ({"LOG_LEVEL": level} if level else {})
    proc = voiceover("chat", cwd=tmp_path, **extra)  # an empty stdin: start, then stop
    assert proc.returncode == 0, proc.stderr
    if shown is not None:
        assert shown in proc.stderr
    if hidden is not None:
        assert hidden not in proc.stderr


def test_serve_keeps_serving_links_while_telegram_is_unreachable(tmp_path: Path) -> None:
    env = cli_env(
        tmp_path / "data",
        LOG_LEVEL="INFO",
        HTTP_PORT=str(port := free_port()),
        TELEGRAM_BOT_TOKEN="123:SECRET-never-logged",
        TELEGRAM_BASE_URL=f"http://127.0.0.1:{free_port()}/bot",
    )
    proc = subprocess.Popen(
        cli_command("serve"),
        cwd=tmp_path,
        env=env,
        text=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert proc.stderr is not None
    seen = []
    try:
        while not any("Telegram is unreachable" in line for line in seen[-1:]):
            line = proc.stderr.readline()
            assert line, f"serve ended: {''.join(seen)}"
            seen.append(line)
        link = f"http://127.0.0.1:{port}/r/{'0' * 32}?e=1&s={'0' * 64}"
        assert httpx.get(link).status_code == 403  # the link server still answers
    finally:
        proc.terminate()  # SIGTERM, as a process manager stops it
        rest = proc.communicate(timeout=60)[1]
    assert proc.returncode == 0, rest
    text = "".join(seen) + rest
    assert "Traceback" not in text and "SECRET-never-logged" not in text
