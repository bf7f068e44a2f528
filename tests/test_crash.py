"""kill -9 of the service in every job state, then a restart: the job finishes and is delivered
once, and nothing is left behind (temp work, partial files, pinned inputs, ffmpeg processes)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from core.failpoints import PAUSE_AT, PAUSE_MARK
from tests.cli_helpers import cli_command, cli_env, voiceover
from tests.fakes import tree_files

SCRIPT = "Welcome to the tour. This clip shows the test pattern, and then a little more."
STATES = ["queued", "claimed", "probe", "speech", "mix", "encode", "deliver"]


def service_env(root: Path) -> dict[str, str]:
    """What the service runs with besides cli_env: its own TMPDIR, one job slot."""
    return {"TMPDIR": str(root / "tmp"), "HTTP_PORT": "0", "MAX_CONCURRENT_JOBS": "1"}


def ffmpegs_under(root: Path) -> list[int]:
    """Live ffmpeg processes whose command line names a file under root."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError, ValueError):
            continue
        if "ffmpeg" in cmdline and str(root) in cmdline and state != "Z":
            found.append(int(proc.name))
    return found


def wait_until(check: object, limit_s: float, what: str) -> None:
    """Poll `check()` (a generous deadline: it only guards against a hang)."""
    deadline = time.monotonic() + limit_s
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


@pytest.mark.parametrize("state", STATES)
def test_kill_in_each_state_then_restart_finishes_once_and_leaves_nothing(
    tiny: Path, tmp_path: Path, state: str
) -> None:
    (tmp_path / "tmp").mkdir()
    mark = tmp_path / "paused"
    failpoint = {PAUSE_AT: state, PAUSE_MARK: str(mark)}
    first = subprocess.Popen(
        cli_command("chat"),
        stdin=subprocess.PIPE,
        text=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=tmp_path,
        env=cli_env(tmp_path / "data", **service_env(tmp_path), **failpoint),
    )
    assert first.stdin is not None
    first.stdin.write(f"{tiny} {SCRIPT}\n")
    first.stdin.flush()  # stdin stays open: the chat waits for more
    wait_until(mark.exists, 180, f"the service never reached {state}")
    os.kill(first.pid, signal.SIGKILL)
    first.wait(30)
    first.stdin.close()
    wait_until(lambda: not ffmpegs_under(tmp_path), 30, "ffmpeg outlived the killed service")

    again = voiceover("chat", cwd=tmp_path, **service_env(tmp_path))
    assert again.returncode == 0, again.stderr[-2000:]
    assert again.stdout.count("/r/") == 1, again.stdout  # delivered, and only once
    with sqlite3.connect(tmp_path / "data" / "service.db") as db:
        rows = db.execute("SELECT status, delivered IS NOT NULL FROM jobs").fetchall()
    assert rows == [("done", 1)]
    assert ffmpegs_under(tmp_path) == []
    leftovers = [p.name for p in (tmp_path / "tmp").iterdir() if p.name.startswith("voiceover")]
    assert leftovers == []  # no voiceover-<pid>-* work of the dead process
    data = tmp_path / "data"
    assert [p for p in tree_files(data) if ".part" in p.name] == []
    assert tree_files(data / "pins") == []
