"""Piper voices that tell how long each phoneme lasts: the model's per-phoneme duration tensor
(its one Ceil output) marked as a graph output, as piper.patch_voice_with_alignment does.

The patched model computes exactly what the original does (the same audio bit for bit with the
noise off, at the same speed: tests/test_word_timings.py checks), so once made it is THE model
every synthesis of that voice loads, and its alignments cost nothing. Patching needs the onnx
package; it runs once per model, in a child process (onnx never enters a render's process),
and is written atomically to DATA_DIR/cache/voices/<SHA-256 of the model>-aligned.onnx: a
derivable file (backups skip DATA_DIR/cache). A model that cannot be patched gets a
`<sha>-unaligned` marker and its narration's words come from the recogniser instead.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

from core.engine.leftovers import partial_path, remove_stale_work
from core.files import file_sha256

log = logging.getLogger(__name__)
FOLDER = ("cache", "voices")
PATCH_TIMEOUT_S = 300.0
CANNOT_PATCH, ALREADY_PATCHED = 3, 4  # the child's exit statuses besides 0
DIGESTS = "digests.json"  # the models' SHA-256 by path, size and modification time


def aligned_folder(data_dir: Path) -> Path:
    """Where the patched models of a data folder are kept."""
    return data_dir.joinpath(*FOLDER)


def model_digest(model: Path, folder: Path | None = None) -> str:
    """The SHA-256 of a model file, remembered per path, size and modification time: in this
    process, and in `folder` for the next ones (a cold render then hashes nothing)."""
    stat = model.stat()
    key = f"{model.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    digest = _SEEN.get(key)
    if digest is None and folder is not None:
        digest = _known(folder).get(key)
    if digest is None:
        digest = file_sha256(model)
        if folder is not None:
            _remember(folder, {**_known(folder), key: digest})
    _SEEN[key] = digest
    return digest


_SEEN: dict[str, str] = {}


def _known(folder: Path) -> dict[str, str]:
    """The digests remembered in `folder` (none when unreadable)."""
    try:
        data = json.loads((folder / DIGESTS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _remember(folder: Path, known: dict[str, str]) -> None:
    """Keep the digests in `folder` (atomically; a failed write only loses the note)."""
    path = folder / DIGESTS
    staged = partial_path(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        staged.write_text(json.dumps(known), encoding="utf-8")
        os.replace(staged, path)
    except OSError:
        with contextlib.suppress(OSError):
            staged.unlink(missing_ok=True)


def aligned_model(model: Path, folder: Path, make: bool) -> Path | None:
    """The patched copy of `model` in `folder`: made now when `make` and not made yet; None
    when it does not exist (and is not to be made) or the model cannot be patched."""
    if not make and not folder.is_dir():
        return None  # nothing made here yet: no hashing on the fast path
    digest = model_digest(model, folder)
    out = folder / f"{digest}-aligned.onnx"
    if out.is_file():
        return out
    marker = folder / f"{digest}-unaligned"
    if not make or marker.exists():
        return None
    try:
        return _make(model, folder, out, marker)
    except OSError as exc:  # a full disk or a folder we cannot write: the recogniser times it
        log.warning("no aligned copy of %s: %s", model.name, exc.strerror or exc)
        return None


def _make(model: Path, folder: Path, out: Path, marker: Path) -> Path | None:
    """Patch `model` into `out` in a child process (nothing left behind when it fails)."""
    folder.mkdir(parents=True, exist_ok=True)
    remove_stale_work(folder)
    staged = partial_path(out)
    status = _patch_in_child(model, staged)
    if status == 0 and staged.is_file():
        os.replace(staged, out)
        return out
    with contextlib.suppress(OSError):
        staged.unlink(missing_ok=True)
    if status == ALREADY_PATCHED:  # the model gives alignments as it is
        with contextlib.suppress(FileExistsError):
            out.symlink_to(model.resolve())
        return out
    if status == CANNOT_PATCH:
        marker.touch()
    log.warning("voice model %s gives no alignments (status %s)", model.name, status)
    return None


def _patch_in_child(model: Path, out: Path) -> int | None:
    """Run patch() in a fresh interpreter; its exit status (None when it ran out of time)."""
    argv = [sys.executable, "-m", "core.engine.aligned_voice", str(model), str(out)]
    try:
        done = subprocess.run(
            argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=PATCH_TIMEOUT_S
        )
    except subprocess.TimeoutExpired:
        return None
    if done.returncode not in (0, CANNOT_PATCH, ALREADY_PATCHED):
        log.warning("patching %s failed: %s", model.name, done.stderr.decode()[-300:])
    return done.returncode


def patch(model: str, out: str) -> int:
    """Write `model` with its phoneme durations as an output to `out` (the child's work)."""
    import onnx
    from piper.patch_voice_with_alignment import add_alignment_output

    loaded = onnx.load(model)
    try:
        add_alignment_output(loaded)
    except ValueError as exc:
        already = "already marked" in str(exc)
        return ALREADY_PATCHED if already else CANNOT_PATCH
    onnx.save(loaded, out)
    return 0


if __name__ == "__main__":
    sys.exit(patch(sys.argv[1], sys.argv[2]))
