"""`voiceover restore SRC`: a backup (core/backup.py) back into an empty DATA_DIR.

Refused unless DATA_DIR is empty (or absent): a restore never mixes with, or overwrites, a
live service's state. Every file and database is checked against the manifest (size and
SHA-256) and each database with `PRAGMA integrity_check` before anything is written; then the
files are copied in and the databases last, so a restore cut short leaves no database (and a
started service would not take half a state for a whole one). With an S3 media store the
bucket's keys are checked against the manifest's list (missing ones are reported).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.backups.backup import DATABASES, FILES, FORMAT, MANIFEST, MEDIA, BackupError
from core.config import Settings
from core.files import file_sha256
from core.media.s3 import S3MediaStore

IGNORED = frozenset({"lost+found"})  # a fresh volume's own folder: empty all the same


@dataclass
class Restored:
    """What a restore brought back, and the media keys it found missing in the bucket."""

    databases: int = 0
    files: int = 0
    bytes: int = 0
    missing_keys: list[str] = field(default_factory=list)


def read_manifest(src: Path) -> dict[str, Any]:
    """The backup's manifest (BackupError when SRC is not a finished backup)."""
    path = src / MANIFEST
    if not path.is_file():
        raise BackupError(f"{src} is not a finished backup (no {MANIFEST})")
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{src}/{MANIFEST} can't be read ({type(exc).__name__})") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{src} is a backup of format {manifest.get('format')}, not {FORMAT}")
    return manifest


def _source(src: Path, entry: dict[str, Any]) -> Path:
    rel = Path(str(entry["path"]))
    if rel.is_absolute() or ".." in rel.parts:
        raise BackupError(f"the manifest names a path outside the backup: {rel}")
    return src / (MEDIA if entry.get("media") else FILES) / rel


def verify(src: Path, manifest: dict[str, Any]) -> None:
    """Every listed file present with its size and hash; every database whole."""
    for entry in manifest["files"]:
        _check_file(_source(src, entry), entry)
    for entry in manifest["databases"]:
        path = src / DATABASES / Path(str(entry["name"])).name
        _check_file(path, entry)
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            verdict = db.execute("PRAGMA integrity_check").fetchone()[0]
        if verdict != "ok":
            raise BackupError(f"{path.name} fails SQLite's integrity check ({verdict})")


def _check_file(path: Path, entry: dict[str, Any]) -> None:
    if not path.is_file():
        raise BackupError(f"{path} is missing from the backup")
    if path.stat().st_size != entry["size"] or file_sha256(path) != entry["sha256"]:
        raise BackupError(f"{path} does not match the manifest (changed or damaged)")


def check_empty(data_dir: Path) -> None:
    """BackupError unless DATA_DIR is absent or an empty folder."""
    if not data_dir.exists():
        return
    if not data_dir.is_dir():
        raise BackupError(f"DATA_DIR {data_dir} is not a folder")
    found = sorted(p.name for p in data_dir.iterdir() if p.name not in IGNORED)
    if found:
        shown = ", ".join(found[:5]) + (", …" if len(found) > 5 else "")
        raise BackupError(
            f"DATA_DIR {data_dir} is not empty ({len(found)} entries: {shown}); restore only "
            "into an empty folder (move the old one aside first)"
        )


def restore(settings: Settings, src: Path) -> Restored:
    """Check the backup at `src`, then copy it into the empty DATA_DIR."""
    data_dir = settings.data_dir
    check_empty(data_dir)
    manifest = read_manifest(src)
    verify(src, manifest)
    data_dir.mkdir(parents=True, exist_ok=True)
    done = Restored()
    try:
        for entry in manifest["files"]:
            target = data_dir / str(entry["path"])
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(_source(src, entry), target)
            done.files += 1
            done.bytes += int(entry["size"])
        for entry in manifest["databases"]:
            name = Path(str(entry["name"])).name
            shutil.copyfile(src / DATABASES / name, data_dir / f".{name}.part")
        for entry in manifest["databases"]:  # all in place, then all renamed
            name = Path(str(entry["name"])).name
            (data_dir / f".{name}.part").replace(data_dir / name)
            done.databases += 1
    except BaseException:
        _empty(data_dir)
        raise
    if manifest.get("media_store") == "s3" and settings.storage_url:
        done.missing_keys = missing_in_bucket(settings, manifest["s3_keys"])
    return done


def _empty(data_dir: Path) -> None:
    """Remove what a failed restore wrote (the folder was empty before it)."""
    for entry in data_dir.iterdir():
        if entry.name in IGNORED:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def missing_in_bucket(settings: Settings, listed: list[dict[str, Any]]) -> list[str]:
    """The manifest's keys the bucket no longer holds with the same size."""
    now = {item["key"]: item["size"] for item in S3MediaStore.from_settings(settings).inventory()}
    return [item["key"] for item in listed if now.get(item["key"]) != item["size"]]
