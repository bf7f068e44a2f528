"""`voiceover backup DEST`: a consistent copy of the service's state while it runs.

The SQLite databases (service.db, local.db) are copied with SQLite's online backup API from one
connection holding one read transaction over both, so jobs, projects and the credit ledger come
from the same moment, whatever the service writes meanwhile. Then DATA_DIR's other files: the
local media store's keys (uploads/, results/, pins/) and the rest (the link key, voices, tus
uploads), each with its size and SHA-256 (computed while copying). Derivable data is left out:
DATA_DIR/cache (the speech cache) fills up again as renders speak. With an S3 media store
(STORAGE_URL) the bucket is not copied: its keys and sizes are listed, for `restore` to check.

Everything is written under a hidden `.<name>.<pid>.partial` folder beside DEST and renamed to
DEST at the end (the manifest is written last), so a backup killed half-way leaves no DEST at
all; the next backup removes such a folder when its process is gone.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from core.config import Settings
from core.engine.leftovers import pid_alive
from core.failpoints import pause_point
from core.files import file_sha256
from core.media.s3 import S3MediaStore

FORMAT = 1
MANIFEST = "manifest.json"
DATABASES = "databases"
MEDIA, FILES = "media", "files"
MEDIA_PREFIXES = ("uploads", "results", "pins")
SKIP_DIRS = frozenset({".staging"})  # files on their way in: not state
DERIVED_DIRS = frozenset({"cache"})  # DATA_DIR/cache: core.engine.speech_cache.FOLDER, rebuilt
SKIP_SUFFIXES = (".db", ".db-wal", ".db-shm", ".db-journal", ".part")
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore that can't be done, with the reason for the operator."""


def partial_dir(dest: Path) -> Path:
    """Where a backup to `dest` is written before its rename."""
    return dest.with_name(f".{dest.name}.{os.getpid()}.partial")


def remove_dead_partials(dest: Path) -> int:
    """Remove `.DEST.<pid>.partial` folders of backups whose process is gone."""
    removed = 0
    for entry in dest.parent.glob(f".{dest.name}.*.partial"):
        pid = entry.name[len(dest.name) + 2 : -len(".partial")]
        if pid.isdigit() and not pid_alive(int(pid)):
            shutil.rmtree(entry, ignore_errors=True)
            removed += 1
    return removed


def copy_hashed(source: Path, target: Path) -> tuple[int, str]:
    """Copy a file, returning its size and SHA-256 (of the bytes copied)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with source.open("rb") as reader, target.open("wb") as writer:
        while chunk := reader.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            writer.write(chunk)
        writer.flush()
        os.fsync(writer.fileno())
    return size, digest.hexdigest()


def database_names(data_dir: Path) -> list[str]:
    """The SQLite databases in DATA_DIR (service.db first)."""
    names = sorted(p.name for p in data_dir.glob("*.db") if p.is_file())
    return sorted(names, key=lambda n: n != "service.db")


def snapshot_databases(data_dir: Path, target: Path) -> list[dict[str, Any]]:
    """Copy every database with the online backup API, all from one read transaction."""
    names = database_names(data_dir)
    if not names:
        raise BackupError(f"no database in {data_dir} (is DATA_DIR right?)")
    target.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(data_dir / names[0], isolation_level=None, timeout=30)
    try:
        source.execute("PRAGMA busy_timeout=30000")
        aliases = ["main"]
        for i, name in enumerate(names[1:]):
            aliases.append(f"db{i}")
            source.execute(f"ATTACH DATABASE ? AS db{i}", (str(data_dir / name),))
        source.execute("BEGIN")
        for alias in aliases:  # a read snapshot of every database, taken now
            source.execute(f"SELECT count(*) FROM {alias}.sqlite_master").fetchone()
        out = []
        for alias, name in zip(aliases, names, strict=True):
            copy = sqlite3.connect(target / name)
            try:
                source.backup(copy, name=alias)
            finally:
                copy.close()
            out.append(_db_entry(target / name, name))
        source.execute("COMMIT")
    finally:
        source.close()
    return out


def _db_entry(path: Path, name: str) -> dict[str, Any]:
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())
    return {"name": name, "size": path.stat().st_size, "sha256": file_sha256(path)}


def state_files(data_dir: Path) -> Iterator[Path]:
    """DATA_DIR's files other than the databases and what is on its way in (relative)."""
    for folder, dirs, files in os.walk(data_dir):
        here = Path(folder)
        skip = SKIP_DIRS | DERIVED_DIRS if here == data_dir else SKIP_DIRS
        dirs[:] = sorted(d for d in dirs if d not in skip and not d.startswith("voiceover-"))
        for name in sorted(files):
            if name.endswith(SKIP_SUFFIXES) or ".partial" in name:
                continue
            yield (here / name).relative_to(data_dir)


def copy_state(data_dir: Path, target: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """Copy DATA_DIR's state files with their sizes and hashes; also the ones gone meanwhile."""
    entries, gone = [], []
    for rel in state_files(data_dir):
        media = rel.parts[0] in MEDIA_PREFIXES
        where = target / (MEDIA if media else FILES) / rel
        try:
            size, sha = copy_hashed(data_dir / rel, where)
        except FileNotFoundError:  # deleted by the service since it was listed
            gone.append(rel.as_posix())
            continue
        entries.append({"path": rel.as_posix(), "size": size, "sha256": sha, "media": media})
        pause_point("backup_copying")  # the crash test kills a backup here
    return entries, gone


def s3_keys(settings: Settings) -> list[dict[str, Any]]:
    """The S3 media store's keys with their sizes and ETags (listed, not copied)."""
    return S3MediaStore.from_settings(settings).inventory()


def backup(settings: Settings, dest: Path) -> dict[str, Any]:
    """Write a backup of DATA_DIR (and the media store's manifest) to `dest`; its manifest."""
    data_dir = settings.data_dir
    if dest.exists():
        raise BackupError(f"{dest} already exists; name a new folder")
    if not data_dir.is_dir():
        raise BackupError(f"DATA_DIR {data_dir} does not exist")
    dest.parent.mkdir(parents=True, exist_ok=True)
    remove_dead_partials(dest)
    work = partial_dir(dest)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    try:
        manifest = _write(settings, work)
        os.rename(work, dest)
        _sync_folder(dest.parent)  # the rename itself survives a power cut
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return manifest


def _sync_folder(folder: Path) -> None:
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _write(settings: Settings, work: Path) -> dict[str, Any]:
    started = time.time()
    databases = snapshot_databases(settings.data_dir, work / DATABASES)
    files, gone = copy_state(settings.data_dir, work)
    store = "s3" if settings.storage_url else "local"
    manifest = {
        "format": FORMAT,
        "created": started,
        "databases": databases,
        "files": files,
        "gone_while_copying": gone,
        "media_store": store,
        "s3_keys": s3_keys(settings) if store == "s3" else [],
    }
    part = work / f"{MANIFEST}.part"
    part.write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    with part.open("rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(part, work / MANIFEST)
    return manifest
