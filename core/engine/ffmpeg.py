"""The one safe way to run ffmpeg on untrusted media: argv lists, whitelists, progress, timeouts.

Every ffmpeg run in the project goes through `run_ffmpeg`, which adds `-nostdin`, a protocol
whitelist before every input, `-progress pipe:1`, and a wall-clock timeout that kills the whole
process group; on Linux ffmpeg also dies with our process (PR_SET_PDEATHSIG). Inputs that came
from users are named with `input_args`, which forces the demuxer found by probing and refers to
the file as a `file:` URL of an absolute path we chose.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

import imageio_ffmpeg

from core.disk import NO_SPACE_TEXT
from core.engine.model import MediaInfo, MediaKind
from core.engine.probe_worker import ALLOWED_DEMUXERS
from core.errors import ErrorCode, VoiceoverError

PROTOCOL_WHITELIST = "file,pipe"
BASE_ARGS = ("-nostdin", "-hide_banner", "-nostats", "-loglevel", "error", "-y")
PROGRESS_ARGS = ("-progress", "pipe:1")
STDERR_KEEP_BYTES = 16_384
REASON_MAX_CHARS = 160
# Environment variables a child never needs and must never see (tokens, keys, passwords).
SECRET_ENV = re.compile(r"TOKEN|SECRET|PASSWORD|PASSWD|KEY|CREDENTIAL|AUTH|COOKIE", re.I)
# Things in ffmpeg's messages that could reveal our paths or addresses.
PATH_PATTERN = re.compile(r"(?:file:)?(?:/[^\s'\":,\[\]]+)+")
LOG_PREFIX = re.compile(r"^\[[^\]]*@ 0x[0-9a-f]+\]\s*")


@lru_cache(maxsize=1)
def ffmpeg_exe() -> str:
    """The ffmpeg binary (imageio-ffmpeg's)."""
    return str(imageio_ffmpeg.get_ffmpeg_exe())


def _load_prctl() -> Callable[..., int] | None:
    """libc's prctl on Linux (looked up once, before any fork), else None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl: Callable[..., int] = ctypes.CDLL(None, use_errno=True).prctl
        return prctl
    except (OSError, AttributeError):
        return None


_PRCTL = _load_prctl()
PR_SET_PDEATHSIG = 1


def die_with_parent() -> Callable[[], None] | None:
    """A preexec_fn that makes the child get SIGKILL when we die (Linux; None elsewhere).

    Without it a child outlives a `kill -9` of our process and keeps rendering as an orphan.
    The signal fires when the *thread* that forked exits, not only the process: that is fine
    here because the thread that starts ffmpeg (or the probe) is the one that waits for it to end
    (run_ffmpeg and subprocess.run return only after the child is gone). If we died between the
    fork and the prctl, the parent pid has already changed: the child kills itself.
    """
    prctl = _PRCTL
    if prctl is None:
        return None
    parent = os.getpid()

    def preexec() -> None:
        prctl(PR_SET_PDEATHSIG, ctypes.c_ulong(signal.SIGKILL), 0, 0, 0)
        if os.getppid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)

    return preexec


def child_env() -> dict[str, str]:
    """The environment for a child that handles untrusted data: ours minus anything secret."""
    return {name: value for name, value in os.environ.items() if not SECRET_ENV.search(name)}


def input_args(info: MediaInfo, *, loop_image: bool = False) -> list[str]:
    """Safe input options for a probed file: forced demuxer (-f), protocol whitelist, file: URL.

    With `loop_image`, a still image repeats forever (through the image2 demuxer, which takes
    `-framerate` for every image codec, GIF included): the caller must bound the output (`-t`).
    The protocol whitelist itself is added by `run_ffmpeg` in front of every `-i`.
    """
    args = ["-format_whitelist", ",".join(ALLOWED_DEMUXERS)]
    if loop_image and info.kind is MediaKind.IMAGE:
        args += ["-f", "image2", "-pattern_type", "none", "-loop", "1", "-c:v", info.vcodec]
    else:
        args += ["-f", info.demuxer]
    return [*args, "-i", f"file:{info.path.resolve()}"]


def with_protocol_whitelist(args: Iterable[str]) -> list[str]:
    """`args` with `-protocol_whitelist file,pipe` in front of every `-i`."""
    result: list[str] = []
    for arg in args:
        if arg == "-i":
            result += ["-protocol_whitelist", PROTOCOL_WHITELIST]
        result.append(arg)
    return result


def build_command(args: list[str]) -> list[str]:
    """The full argv for one run: binary, fixed safety options, progress pipe, then `args`."""
    return [ffmpeg_exe(), *BASE_ARGS, *PROGRESS_ARGS, *with_protocol_whitelist(args)]


def failure_reason(stderr: str, returncode: int) -> str:
    """A short reason for a failed run, without any file path of ours."""
    if returncode < 0:
        return f"ffmpeg was stopped by signal {-returncode}"
    lines = [LOG_PREFIX.sub("", line).strip() for line in stderr.splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        return f"ffmpeg exited with status {returncode}"
    reason = PATH_PATTERN.sub("<file>", lines[-1]).rstrip(".")
    return reason[:REASON_MAX_CHARS]


class _ProgressParser:
    """Turns `-progress` lines into a monotone percent for the callback."""

    def __init__(self, duration_s: float | None, on_progress: Callable[[float], None] | None):
        self.duration_s = duration_s
        self.on_progress = on_progress
        self.percent = 0.0

    def feed(self, line: str) -> None:
        """Handle one `key=value` line from ffmpeg's progress output."""
        key, _, value = line.strip().partition("=")
        if key == "progress" and value == "end":
            self._report(100.0)
        elif key == "out_time_us" and self.duration_s and value.lstrip("-").isdigit():
            self._report(min(99.9, int(value) / 1e6 / self.duration_s * 100))

    def _report(self, percent: float) -> None:
        if self.on_progress is not None and percent > self.percent:
            self.percent = percent
            self.on_progress(round(percent, 1))


def _drain(stream: Iterable[bytes], tail: bytearray) -> None:
    """Read a pipe to its end, keeping only its last STDERR_KEEP_BYTES bytes."""
    for chunk in stream:
        tail += chunk
        if len(tail) > 2 * STDERR_KEEP_BYTES:
            del tail[:-STDERR_KEEP_BYTES]


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Kill the process and everything it started (it leads its own session)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def _supervise(
    proc: subprocess.Popen[bytes], timeout_s: float, parser: _ProgressParser
) -> tuple[int, bool, str]:
    """Feed progress lines to `parser` until ffmpeg ends or the deadline kills its group.

    Returns (exit status, whether the deadline struck, the tail of stderr)."""
    timed_out = threading.Event()

    def on_timeout() -> None:
        timed_out.set()
        kill_group(proc)

    watchdog = threading.Timer(timeout_s, on_timeout)
    stderr_tail = bytearray()
    drainer = threading.Thread(target=_drain, args=(proc.stderr, stderr_tail), daemon=True)
    watchdog.start()
    drainer.start()
    try:
        assert proc.stdout is not None
        for raw in proc.stdout:
            parser.feed(raw.decode("utf-8", "replace"))
        returncode = proc.wait()
    finally:
        watchdog.cancel()
        if proc.poll() is None:  # the callback raised: stop ffmpeg before propagating
            kill_group(proc)
            proc.wait()
        drainer.join(timeout=5)
    stderr = stderr_tail[-STDERR_KEEP_BYTES:].decode("utf-8", "replace")
    return returncode, timed_out.is_set(), stderr


def own_session() -> dict[str, Any]:
    """Popen options for a child of ours: its own session (a stop signal sent to our whole
    process group, as systemd and Ctrl-C do, reaches only us: we finish the work we took, with
    its child), and SIGKILL when we die (die_with_parent)."""
    return {"start_new_session": True, "preexec_fn": die_with_parent()}


def run_ffmpeg(
    args: list[str],
    *,
    timeout_s: float,
    duration_s: float | None = None,
    on_progress: Callable[[float], None] | None = None,
) -> None:
    """Run ffmpeg with -nostdin, -hide_banner, -y, a protocol whitelist and -progress pipe:1.

    Reports percent (0–100) from out_time vs duration_s; kills the whole process group on
    timeout (VoiceoverError TIMEOUT) or when `on_progress` raises (the exception propagates,
    which is how a caller cancels); on failure raises VoiceoverError(RENDER_FAILED, reason=...).
    Blocking: call it from a worker thread, never on the event loop.
    """
    proc = subprocess.Popen(
        build_command(args),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=child_env(),
        **own_session(),  # its preexec_fn runs only prctl and getppid
    )
    parser = _ProgressParser(duration_s, on_progress)
    returncode, timed_out, stderr = _supervise(proc, timeout_s, parser)
    if returncode != 0 and timed_out:
        raise VoiceoverError(ErrorCode.TIMEOUT, seconds=timeout_s)
    if returncode != 0:
        full = NO_SPACE_TEXT.lower() in stderr.lower()  # its last line may be a later one
        reason = NO_SPACE_TEXT if full else failure_reason(stderr, returncode)
        raise VoiceoverError(ErrorCode.RENDER_FAILED, reason=reason)
