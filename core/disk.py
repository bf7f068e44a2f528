"""Free disk space: checked before an upload or a render is taken, and a full disk told as one.

`need_space({folder: bytes, ...}, reserve)` refuses (DISK_FULL, one log line, a count in the
process's `voiceover_disk_short` metric) when a filesystem would keep less than `reserve` bytes
free after the work; folders on one filesystem add up. `disk_full_of(exc)` turns an ENOSPC
(ours, or ffmpeg's "No space left on device") into the same refusal. Tests (and operators
rehearsing) can pretend a disk is smaller: VOICEOVER_DISK_FREE=<bytes> caps what is free.
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import sqlite3
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

from core.errors import ErrorCode, VoiceoverError
from core.words.numbers import human_size

FREE_OVERRIDE = "VOICEOVER_DISK_FREE"  # a cap on free bytes (the low-space tests' hook)
NO_SPACE_TEXT = "No space left on device"  # what ffmpeg (and strerror) say on ENOSPC
MB = 1_000_000
VIDEO_BYTES_PER_S = 750_000  # a 1080p H.264 encode, generously (6 Mbit/s)
AUDIO_BYTES_PER_S = 40_000  # the AAC track
WORK_BYTES_PER_S = 400_000  # the render's temporary audio (narration and mix as WAV)
SPEECH_BYTES_PER_S = 96_000  # what a render adds to the speech cache (float32, up to 24 kHz)
Reclaim = tuple[Path, Callable[[int], int]]  # derivable data's folder, and "free n bytes there"

log = logging.getLogger(__name__)
_counts: Counter[str] = Counter()
_lock = threading.Lock()


def free_bytes(folder: Path) -> int:
    """Bytes free to us on the filesystem holding `folder` (its nearest existing parent)."""
    path = folder.resolve()
    while not path.exists() and path != path.parent:
        path = path.parent
    free = shutil.disk_usage(path).free
    cap = os.environ.get(FREE_OVERRIDE, "").strip()
    return min(free, int(cap)) if cap.isdigit() else free


def _device(folder: Path) -> int:
    path = folder.resolve()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path.stat().st_dev


def shortfalls(needs: Mapping[Path, int], reserve: int) -> list[tuple[Path, int, int]]:
    """(folder, bytes needed there with the reserve, bytes free) for each filesystem short."""
    by_device: dict[int, tuple[Path, int]] = {}
    for folder, size in needs.items():
        dev = _device(folder)
        first, total = by_device.get(dev, (folder, 0))
        by_device[dev] = (first, total + max(0, size))
    short = []
    for folder, total in by_device.values():
        free = free_bytes(folder)
        if free < total + reserve:
            short.append((folder, total + reserve, free))
    return short


def need_space(
    needs: Mapping[Path, int], reserve: int, where: str, reclaim: Reclaim | None = None
) -> None:
    """DISK_FULL (logged once, counted under `where`) unless every filesystem in `needs` keeps
    `reserve` bytes free after taking its folders' bytes. With `reclaim` (the speech cache:
    derivable data), a shortfall on its filesystem is first freed there, then checked again."""
    short = shortfalls(needs, reserve)
    if short and reclaim is not None:
        folder, free_up = reclaim
        mine = [wanted - free for at, wanted, free in short if _device(at) == _device(folder)]
        if mine and free_up(max(mine)) > 0:
            short = shortfalls(needs, reserve)
    if short:
        folder, wanted, free = short[0]
        raise refuse(where, f"{folder}: {human_size(wanted)} needed, {human_size(free)} free")


def refuse(where: str, detail: str) -> VoiceoverError:
    """The DISK_FULL refusal, after its one log line and its count."""
    with _lock:
        _counts[where] += 1
    log.warning("disk short of space (%s): %s", where, detail)
    return VoiceoverError(ErrorCode.DISK_FULL)


def is_no_space(exc: BaseException) -> bool:
    """True for an ENOSPC (or a quota's EDQUOT), ours, SQLite's or reported by ffmpeg."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    if isinstance(exc, sqlite3.OperationalError):
        return getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or (
            "database or disk is full" in str(exc)
        )
    if isinstance(exc, VoiceoverError) and exc.code is ErrorCode.DISK_FULL:
        return True
    reason = getattr(exc, "fields", {}).get("reason")
    return isinstance(reason, str) and NO_SPACE_TEXT.lower() in reason.lower()


def disk_full_of(exc: BaseException, where: str) -> VoiceoverError | None:
    """The DISK_FULL refusal for a full disk met while working (None for anything else)."""
    if isinstance(exc, VoiceoverError) and exc.code is ErrorCode.DISK_FULL:
        return exc
    if not is_no_space(exc):
        return None
    return refuse(where, f"{type(exc).__name__}: {NO_SPACE_TEXT}")


def upload_check(folder: Path, size: int | None, reserve: int) -> None:
    """Before taking an upload of `size` bytes (None: unknown yet) into `folder` (the chat, a
    URL, tus, the HTTP API): DISK_FULL when it would leave less than `reserve` free."""
    need_space({folder: size or 0}, reserve, "upload")


def render_needs(
    out_dir: Path,
    inputs_bytes: int,
    seconds: float,
    copy_inputs_to: Path | None = None,
    speech_cache: Path | None = None,
) -> dict[Path, int]:
    """What a render of `seconds` writes: the output beside `out_dir` (at least the inputs'
    size, else an encode's), its work in TMPDIR, the inputs when they are fetched first, and
    its new sentences in the speech cache (when it is on)."""
    output = max(inputs_bytes, int(seconds * VIDEO_BYTES_PER_S)) + int(seconds * AUDIO_BYTES_PER_S)
    needs: dict[Path, int] = {out_dir: output}
    tmp = Path(tempfile.gettempdir())
    needs[tmp] = needs.get(tmp, 0) + int(seconds * WORK_BYTES_PER_S)
    if copy_inputs_to is not None:
        needs[copy_inputs_to] = needs.get(copy_inputs_to, 0) + inputs_bytes
    if speech_cache is not None:
        needs[speech_cache] = needs.get(speech_cache, 0) + int(seconds * SPEECH_BYTES_PER_S)
    return needs


def low_space(folders: Iterable[Path], reserve: int) -> list[str]:
    """One line per filesystem of `folders` with less than `reserve` free (for /readyz)."""
    lines = []
    for folder, _wanted, free in shortfalls(dict.fromkeys(folders, 0), reserve):
        lines.append(
            f"low disk space: {human_size(free)} free at {folder} (keeps {human_size(reserve)})"
        )
    return lines


class DiskCollector(Collector):
    """`voiceover_disk_short_total{where}`: work refused or stopped for want of disk space."""

    def collect(self) -> Iterator[CounterMetricFamily]:
        """The process's counts, at each scrape."""
        family = CounterMetricFamily(
            "voiceover_disk_short",
            "Uploads and renders refused for want of disk",
            labels=["where"],
        )
        with _lock:
            counts = dict(_counts)
        for where in ("upload", "render", *sorted(set(counts) - {"upload", "render"})):
            family.add_metric([where], counts.get(where, 0))
        yield family
