"""run_ffmpeg and input_args with the real ffmpeg: progress, timeouts, failures, whitelists."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import av
import pytest

from core.engine.ffmpeg import build_command, child_env, input_args, kill_group, run_ffmpeg
from core.engine.model import Limits, MediaKind
from core.engine.probe import probe_media
from core.errors import ErrorCode, VoiceoverError
from tests import hostile
from tests.media import make_audio, make_image, make_video

LIMITS = Limits()
NULL_OUTPUT = ["-f", "null", "-"]


def running_with(marker: str) -> list[int]:
    """Pids of live processes whose command line contains `marker`."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().split(") ", 1)[1][0]
        except OSError:
            continue
        if marker.encode() in cmdline and state != "Z":
            pids.append(int(entry.name))
    return pids


def test_progress_is_monotone_and_reaches_100(clip: Path) -> None:
    info = probe_media(clip, LIMITS)
    seen: list[float] = []
    run_ffmpeg(
        ["-stats_period", "0.1", "-readrate", "3", *input_args(info), *NULL_OUTPUT],
        timeout_s=60,
        duration_s=info.duration_s,
        on_progress=seen.append,
    )
    assert len(seen) >= 3
    assert seen == sorted(set(seen))
    assert seen[-1] == 100.0 and 0 < seen[0] < 100


def test_timeout_kills_a_long_run_fast() -> None:
    marker = f"marker-{uuid.uuid4()}"
    started = time.monotonic()
    with pytest.raises(VoiceoverError) as caught:
        run_ffmpeg(
            [
                *("-f", "lavfi", "-i", "testsrc2=size=64x48", "-metadata"),
                f"comment={marker}",
                *NULL_OUTPUT,
            ],
            timeout_s=1.0,
        )
    assert caught.value.code is ErrorCode.TIMEOUT
    assert time.monotonic() - started < 6
    assert running_with(marker) == []


def test_kill_group_kills_children_too() -> None:
    marker = f"sleep-{uuid.uuid4().hex}"
    sleeper = [sys.executable, "-c", "import time; time.sleep(300)", marker]
    parent = f"import subprocess, time; subprocess.Popen({sleeper!r}); time.sleep(300)"
    proc = subprocess.Popen([sys.executable, "-c", parent, marker], start_new_session=True)
    deadline = time.monotonic() + 5
    while len(running_with(marker)) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(running_with(marker)) >= 2
    kill_group(proc)
    assert proc.wait(timeout=5) == -signal.SIGKILL
    deadline = time.monotonic() + 5
    while running_with(marker) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert running_with(marker) == []


def test_a_raising_progress_callback_stops_ffmpeg(clip: Path) -> None:
    marker = f"marker-{uuid.uuid4()}"
    info = probe_media(clip, LIMITS)

    def cancel(percent: float) -> None:
        raise KeyboardInterrupt  # how a caller cancels: any exception propagates

    with pytest.raises(KeyboardInterrupt):
        run_ffmpeg(
            [
                *("-stats_period", "0.1", "-readrate", "1"),
                *input_args(info),
                "-metadata",
                f"comment={marker}",
                *NULL_OUTPUT,
            ],
            timeout_s=60,
            duration_s=info.duration_s,
            on_progress=cancel,
        )
    assert running_with(marker) == []


def test_failure_reason_has_no_paths_of_ours(tmp_path: Path, clip: Path) -> None:
    info = probe_media(clip, LIMITS)
    missing = dataclasses.replace(info, path=tmp_path / "private-dir" / "upload-123.mp4")
    with pytest.raises(VoiceoverError) as caught:
        run_ffmpeg([*input_args(missing), *NULL_OUTPUT], timeout_s=30)
    error = caught.value
    assert error.code is ErrorCode.RENDER_FAILED
    reason = error.fields["reason"]
    assert reason and "upload-123" not in reason and "private-dir" not in reason
    assert "/" not in reason and str(tmp_path) not in error.message()


def test_bad_filter_reason_is_short(clip: Path) -> None:
    info = probe_media(clip, LIMITS)
    with pytest.raises(VoiceoverError) as caught:
        run_ffmpeg([*input_args(info), "-vf", "nosuchfilter", *NULL_OUTPUT], timeout_s=30)
    assert caught.value.code is ErrorCode.RENDER_FAILED
    assert 0 < len(caught.value.fields["reason"]) <= 160


def test_every_input_gets_the_protocol_whitelist() -> None:
    command = build_command(["-f", "wav", "-i", "file:/a.wav", "-i", "file:/b.wav", "out.wav"])
    assert command[1:3] == ["-nostdin", "-hide_banner"]
    assert "-y" in command and command[command.index("-progress") + 1] == "pipe:1"
    starts = [i for i, arg in enumerate(command) if arg == "-i"]
    assert len(starts) == 2
    for start in starts:
        assert command[start - 2 : start] == ["-protocol_whitelist", "file,pipe"]


def test_input_args_force_the_demuxer_and_a_file_url(clip: Path, tmp_path: Path) -> None:
    info = probe_media(hostile.option_named(tmp_path, "-i.mp4", clip), LIMITS)
    args = input_args(info)
    assert args[args.index("-f") + 1] == "mov"
    assert args[-2:] == ["-i", f"file:{(tmp_path / '-i.mp4').resolve()}"]
    out = tmp_path / "--help.mp4"
    run_ffmpeg([*args, "-t", "1", "-c", "copy", f"file:{out}"], timeout_s=30)
    with av.open(str(out)) as container:
        assert container.duration is not None and 0.5 < container.duration / 1e6 <= 1.1


@pytest.mark.parametrize(
    "name", ["v.avi", "v.mkv", "i.jpg", "i.webp", "i.gif", "a.mp3", "a.wav", "a.m4a", "a.aac"]
)
def test_forced_demuxer_reads_every_accepted_format(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    maker = {
        "v": lambda: make_video(path, seconds=1, size="64x48"),
        "i": lambda: make_image(path, size="64x48"),
        "a": lambda: make_audio(path, seconds=1),
    }[name[0]]
    info = probe_media(maker(), LIMITS)
    out = tmp_path / "out.nut"
    run_ffmpeg([*input_args(info), "-t", "1", f"file:{out}"], timeout_s=30)
    with av.open(str(out)) as container:
        assert len(container.streams) == 1 + (name[0] == "v")


@pytest.mark.parametrize("suffix", [".png", ".jpg", ".webp", ".gif"])
def test_loop_image_makes_a_still_last(tmp_path: Path, suffix: str) -> None:
    made = make_image(tmp_path / f"still{suffix}", size="64x48")
    info = probe_media(made.rename(tmp_path / "100%d upload"), LIMITS)  # our names, any shape
    assert info.kind is MediaKind.IMAGE
    out = tmp_path / "still.mp4"
    run_ffmpeg(
        [
            "-framerate",
            "10",
            *input_args(info, loop_image=True),
            *("-t", "2", "-c:v", "libx264", "-preset", "ultrafast"),
            f"file:{out}",
        ],
        timeout_s=30,
        duration_s=2,
    )
    with av.open(str(out)) as container:
        assert container.streams.video[0].frames == 20


@pytest.mark.parametrize("forced", ["mov", "hls", "concat"])
def test_a_playlist_never_leaks_even_with_a_forged_probe(
    tmp_path: Path, clip: Path, forced: str
) -> None:
    secret = tmp_path / "secret.ts"
    secret.write_text("TOPSECRET-4711\n" * 100)
    playlist = hostile.hls_playlist(tmp_path / "upload.mp4", f"file://{secret}")
    if forced == "concat":
        playlist = hostile.concat_script(tmp_path / "upload.mp4", secret)
    forged = dataclasses.replace(
        probe_media(clip, LIMITS), path=playlist, demuxer=forced, kind=MediaKind.VIDEO
    )
    out = tmp_path / "out.mkv"
    with pytest.raises(VoiceoverError) as caught:
        run_ffmpeg([*input_args(forged), "-c", "copy", f"file:{out}"], timeout_s=30)
    assert caught.value.code is ErrorCode.RENDER_FAILED
    if forced != "mov":  # refused by the format whitelist (EINVAL), before any demuxing
        assert caught.value.fields["reason"].endswith("Invalid argument")
    assert not out.exists() or b"TOPSECRET" not in out.read_bytes()


@pytest.mark.parametrize(
    "source",
    [
        "{base}/clip.mp4",
        "tcp://127.0.0.1:{port}",
        "concat:{clip}|{clip}",
        "subfile,,start,0,end,0,,:{clip}",
        "crypto:{clip}",
    ],
)
def test_only_file_and_pipe_protocols_open(clip: Path, source: str) -> None:
    with hostile.counting_http_server() as (base, hits):
        url = source.format(base=base, port=base.rsplit(":", 1)[1], clip=clip)
        with pytest.raises(VoiceoverError) as caught:
            run_ffmpeg(["-i", url, "-t", "0.5", *NULL_OUTPUT], timeout_s=30)
        assert caught.value.code is ErrorCode.RENDER_FAILED
        assert hits == []


def test_children_never_see_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    monkeypatch.setenv("LINK_SECRET", "s3")
    monkeypatch.setenv("NEMO_TOKEN", "t")
    env = child_env()
    assert not {"TELEGRAM_BOT_TOKEN", "LINK_SECRET", "NEMO_TOKEN"} & env.keys()
    assert env.get("PATH") == os.environ["PATH"]
