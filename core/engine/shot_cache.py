"""The shots of every video detected here, kept under DATA_DIR/cache/shots by its content, so
that an edit of a render (or the same video sent again) never detects them twice.

A video's entry is named by the SHA-256 of its bytes and the detector's version. Hashing a big
file costs a read of it, so a second entry is named by the file's identity on disk (its
resolved path, device, inode, size, and modification and change times, as git's index does):
an edit of the same file finds its shots from a `stat` alone. Writes are atomic; the folder
keeps the newest MAX_ENTRIES entries; a failed write (a full disk) only means nothing is kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from collections.abc import Callable
from pathlib import Path

from core.engine.leftovers import keep_newest, partial_path
from core.engine.model import MediaInfo
from core.files import file_sha256

log = logging.getLogger(__name__)
DETECTOR = "shots-2"  # bump when detection (thresholds, passes) can find other cuts
FOLDER = ("cache", "shots")
MAX_ENTRIES = 4096

Detect = Callable[[MediaInfo, float], tuple[float, ...]]


def cached_shots(
    info: MediaInfo, data_dir: Path, detect: Detect, timeout_s: float
) -> tuple[float, ...]:
    """The cut times of the probed video: kept ones, else `detect`ed now (and kept)."""
    folder = data_dir.joinpath(*FOLDER)
    by_file = _identity(info.path)
    found = _load(folder / by_file) if by_file else None
    if found is not None:
        return found
    by_content = _digest(info.path)
    found = _load(folder / by_content)
    if found is None:
        found = detect(info, timeout_s)
        _store(folder, by_content, found)
    if by_file:
        _store(folder, by_file, found)
    return found


def _identity(path: Path) -> str | None:
    """The name of the entry for this file as it is on disk now (None if it cannot be read)."""
    try:
        st = path.stat()
    except OSError:
        return None
    facts = [DETECTOR, str(path.resolve()), st.st_dev, st.st_ino, st.st_size]
    facts += [st.st_mtime_ns, st.st_ctime_ns]
    return "f-" + hashlib.sha256(json.dumps(facts).encode()).hexdigest() + ".json"


def _digest(path: Path) -> str:
    """The name of the entry for these bytes."""
    return f"c-{DETECTOR}-{file_sha256(path)}.json"


def _load(path: Path) -> tuple[float, ...] | None:
    try:
        cuts = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(cuts, list) or not all(isinstance(c, int | float) for c in cuts):
        return None
    return tuple(float(c) for c in cuts)


def _store(folder: Path, name: str, cuts: tuple[float, ...]) -> None:
    path = folder / name
    partial = partial_path(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        partial.write_text(json.dumps(list(cuts)), encoding="utf-8")
        os.replace(partial, path)
        keep_newest(folder, "*.json", MAX_ENTRIES)
    except OSError:
        log.warning("could not keep the shots found", exc_info=True)
        with contextlib.suppress(OSError):
            partial.unlink()
