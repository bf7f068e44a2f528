"""ffmpeg dies with our process, what a killed process left behind is cleaned up, and Piper's
runtime (onnxruntime) leaves nothing of its own in TMPDIR or the home folder."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from core.engine.leftovers import PARTIAL_NAME, keep_newest, pid_alive, remove_stale_work

ROOT = Path(__file__).resolve().parent.parent
DEADLINE_S = 60.0  # generous: only a broken build waits this long
# A child that renders an endless generated input through run_ffmpeg, in the engine's own
# temporary folder, to a partial file named the engine's way.
CHILD = """
import sys
from pathlib import Path
from core.engine.ffmpeg import run_ffmpeg
from core.engine.leftovers import partial_path, work_dir
with work_dir() as tmp:
    (Path(tmp) / "narration.wav").write_bytes(b"RIFF")
    out = partial_path(Path(sys.argv[1]) / "out.mp4")
    run_ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-c:v", "libx264",
                "-preset", "ultrafast", "-f", "mp4", f"file:{out}"], timeout_s=3600)
"""
# A child that speaks a sentence with the real Piper voice, then dies by kill -9 (a crash).
SPEAKER = """
import os, signal
from core.engine.tts import Synthesizer
from core.engine.voices import discover_voices
assert len(Synthesizer(1).synthesize(discover_voices()[0], ["Hello there."])[0]) > 0
os.kill(os.getpid(), signal.SIGKILL)
"""


def wait_for(found: Callable[[], object], what: str) -> object:
    """Poll until `found()` is truthy (returning it), failing after DEADLINE_S."""
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        value = found()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"gave up waiting for {what}")


def ffmpeg_children(parent: int) -> list[int]:
    """Pids of running processes whose parent is `parent` and whose command line names ffmpeg."""
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError):
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == parent and b"ffmpeg" in (proc / "cmdline").read_bytes():
                pids.append(int(proc.name))
    return pids


@contextlib.contextmanager
def render_child(tmp_root: Path, out_dir: Path) -> Iterator[subprocess.Popen[bytes]]:
    """The child process running ffmpeg; anything left running is killed at the end."""
    env = {**os.environ, "TMPDIR": str(tmp_root), "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(out_dir)], env=env, cwd=ROOT)
    seen: list[int] = []
    try:
        yield child
    finally:
        seen += ffmpeg_children(child.pid)
        for pid in {child.pid, *seen}:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        child.wait()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_ffmpeg_dies_with_a_killed_process_and_its_work_is_removed(tmp_path: Path) -> None:
    tmp_root, out_dir = tmp_path / "tmp", tmp_path / "out"
    tmp_root.mkdir()
    out_dir.mkdir()
    with render_child(tmp_root, out_dir) as child:
        found = wait_for(lambda: ffmpeg_children(child.pid), "ffmpeg to start")
        assert isinstance(found, list)
        ffmpeg_pid = found[0]
        wait_for(lambda: list(out_dir.glob(".out.*.partial.mp4")), "the partial output")
        work = list(tmp_root.glob(f"voiceover-{child.pid}-*"))
        assert len(work) == 1 and (work[0] / "narration.wav").exists()
        try:
            os.kill(child.pid, signal.SIGKILL)
            child.wait()
            wait_for(lambda: not pid_alive(ffmpeg_pid), "ffmpeg to die with its parent")
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.kill(ffmpeg_pid, signal.SIGKILL)  # never leave an orphan behind
    live_dir = tmp_root / f"voiceover-{os.getpid()}-abc"
    live_dir.mkdir()
    live_partial = out_dir / f".other.{os.getpid()}.1.partial.mp4"
    live_partial.write_bytes(b"")
    assert remove_stale_work(tmp_root, out_dir) == 2
    assert sorted(p.name for p in tmp_root.iterdir()) == [live_dir.name]
    assert sorted(p.name for p in out_dir.iterdir()) == [live_partial.name]


def test_only_our_names_with_a_dead_pid_are_removed(tmp_path: Path) -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    dead, live = gone.pid, os.getpid()
    names = {
        f"voiceover-{dead}-x1": True,
        f"voiceover-{live}-x2": False,
        "voiceover-notes": False,
        f"other-{dead}-x3": False,
    }
    for name in names:
        (tmp_path / name).mkdir()
    files = {
        f".clip.{dead}.123.partial.mp4": True,
        f".clip.{live}.123.partial.mp4": False,
        f"clip.{dead}.partial.mp4": False,
        f".clip.{dead}.123.mp4": False,
        f"voiceover-{dead}-file": False,  # a file with a folder's name is not our folder
    }
    for name in files:
        (tmp_path / name).write_bytes(b"")
    assert remove_stale_work(tmp_path) == 2
    expected = {n for n, stale in (names | files).items() if not stale}
    assert {p.name for p in tmp_path.iterdir()} == expected
    assert PARTIAL_NAME.match(f".a.b.{dead}.1.partial")


def test_a_speaking_process_killed_leaves_tmpdir_and_home_empty(tmp_path: Path) -> None:
    tmp_root, home = tmp_path / "tmp", tmp_path / "home"
    tmp_root.mkdir()
    home.mkdir()
    env = {"TMPDIR": str(tmp_root), "HOME": str(home), "PYTHONPATH": str(ROOT)}
    env["PATH"] = os.environ.get("PATH", "/usr/bin:/bin")
    done = subprocess.run([sys.executable, "-c", SPEAKER], env=env, cwd=ROOT, check=False)
    assert done.returncode == -signal.SIGKILL  # it spoke (the assert held), then was killed
    # onnxruntime's telemetry would write TMPDIR/.ses and ~/.cache/Microsoft/… (core turns it off)
    assert list(tmp_root.rglob("*")) == []
    assert list(home.rglob("*")) == []


def test_a_cache_folder_keeps_its_newest_files_and_sweeps_dead_writers(tmp_path: Path) -> None:
    for n in range(5):
        (tmp_path / f"clip{n}.wav").write_bytes(b"x")
        os.utime(tmp_path / f"clip{n}.wav", ns=(n * 10**9, n * 10**9))
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    dead = tmp_path / f".clip9.{gone}.1.partial.wav"
    live = tmp_path / f".clip8.{os.getpid()}.1.partial.wav"  # being written: not counted
    for partial in (dead, live):
        partial.write_bytes(b"x")
    keep_newest(tmp_path, "*.wav", 2)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["clip3.wav", "clip4.wav", live.name]
    )
