"""Temporary work named after the process that owns it, and removal of what dead ones left.

Every temporary folder the engine makes is `voiceover-<pid>-…` (in TMPDIR) and every partial
output is `.<stem>.<pid>.<ns>.partial<suffix>` (beside the final file). A process killed with
SIGKILL cannot clean up after itself, so `remove_stale_work` deletes the folders and partial
files whose pid is no longer a running process. Several of our processes may share TMPDIR: the
work of a live one is never touched (a reused pid only keeps a leftover a little longer).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

WORK_DIR_NAME = re.compile(r"^voiceover-(?P<pid>\d+)-")
PARTIAL_NAME = re.compile(r"^\..*\.(?P<pid>\d+)\.\d+\.partial(?:\.[A-Za-z0-9]{1,8})?$")


def work_dir_prefix() -> str:
    """The prefix of this process's temporary folders: `voiceover-<pid>-`."""
    return f"voiceover-{os.getpid()}-"


def work_dir() -> tempfile.TemporaryDirectory[str]:
    """A new temporary folder for one job, named after this process (removed on exit)."""
    return tempfile.TemporaryDirectory(prefix=work_dir_prefix())


def partial_path(out: Path) -> Path:
    """Where to write `out` before renaming it: hidden, with this process's pid in its name."""
    return out.with_name(f".{out.stem}.{os.getpid()}.{time.monotonic_ns()}.partial{out.suffix}")


def pid_alive(pid: int) -> bool:
    """True when a process with this pid exists (ours or another user's); zombies count dead."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError, IndexError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    return True


def _stale(match: re.Match[str] | None) -> bool:
    return match is not None and not pid_alive(int(match["pid"]))


def remove_stale_work(tmp_root: Path, *extra_dirs: Path) -> int:
    """Delete `voiceover-<pid>-*` folders in `tmp_root` and `.*.<pid>.*.partial*` files there and
    in `extra_dirs` whose process is gone; return how many entries were removed."""
    removed = 0
    for folder in (tmp_root, *extra_dirs):
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    if folder == tmp_root and _stale(WORK_DIR_NAME.match(entry.name)):
                        shutil.rmtree(entry.path)
                        removed += 1
                elif _stale(PARTIAL_NAME.match(entry.name)):
                    os.unlink(entry.path)
                    removed += 1
            except OSError:
                continue  # gone meanwhile, or not ours to remove
    return removed


def keep_newest(folder: Path, pattern: str, count: int) -> None:
    """Trim a cache folder: the newest `count` files matching `pattern` stay (files being
    written, hidden, are not counted), and dead processes' partial files go."""
    remove_stale_work(folder)
    dated = []
    for path in folder.glob(pattern):
        if path.name.startswith("."):
            continue
        with contextlib.suppress(OSError):  # another process may have removed it meanwhile
            dated.append((path.stat().st_mtime_ns, path))
    dated.sort(reverse=True)
    for _, old in dated[count:]:
        with contextlib.suppress(OSError):
            old.unlink()
