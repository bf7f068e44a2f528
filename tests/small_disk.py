"""A real small filesystem for the disk-full tests: a tmpfs of a few megabytes, mounted (as
root, which CI is) under the test's folder and filled on demand."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def small_tmpfs(path: Path, size_mb: int) -> Iterator[Path]:
    """A tmpfs of `size_mb` MB at `path` for the block; a clear failure when it can't be had."""
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_mb}m,mode=0755", "tmpfs", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"this test mounts a {size_mb} MB tmpfs and needs root: {done.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)


def fill(folder: Path, leave: int = 0) -> Path:
    """A file taking every free byte of `folder`'s filesystem but `leave`."""
    stats = os.statvfs(folder)
    filler = folder / "filler.bin"
    size = stats.f_bavail * stats.f_frsize - leave
    with filler.open("wb") as handle:
        os.posix_fallocate(handle.fileno(), 0, max(1, size))
    return filler
