"""`voiceover models install NAME`: a faster-whisper model into DATA_DIR/models/NAME.

The hub lists the model's files with their sizes and digests (SHA-256 for large files, the
git blob SHA-1 for small ones). Each file is streamed into a hidden staging folder and checked
against both; the verified digests go into the manifest that every later load checks
(core/engine/asr_models.py), and the folder is moved into place with one rename. A failed,
interrupted or corrupt download leaves nothing behind. Synchronous (httpx).
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from core.config import Settings
from core.engine.asr_models import MANIFEST, REPOS, write_manifest
from core.engine.catalog import failure_reason, http_client
from core.engine.download import BadDownload, move_into_place, stream_checked
from core.errors import ErrorCode, VoiceoverError

# Whisper models converted for faster-whisper (MIT), by name.
SKIP = frozenset({".gitattributes", "README.md"})
MAX_FILE_BYTES = 4_000_000_000
Downloaded = Callable[[int, int], None]


@dataclass(frozen=True)
class HubFile:
    """One file of a model as the hub lists it."""

    path: str
    size: int
    sha256: str | None  # large (LFS) files
    git_sha1: str | None  # small files: the git blob id


_BadFile = BadDownload  # a download that is not what the hub listed


def install_model(
    name: str,
    settings: Settings,
    progress: Downloaded | None = None,
    client: httpx.Client | None = None,
) -> Path | None:
    """Download, verify and move the model into DATA_DIR/models/NAME (None: already there)."""
    repo = REPOS.get(name)
    if repo is None:
        known = ", ".join(REPOS)
        reason = f"unknown model (known: {known})"
        raise VoiceoverError(ErrorCode.ASR_MODEL_INSTALL_FAILED, name=name, reason=reason)
    target = settings.models_path / name
    if (target / MANIFEST).is_file():
        return None
    settings.models_path.mkdir(parents=True, exist_ok=True)
    folder = settings.models_path
    staging = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".partial", dir=folder))
    base = settings.asr_models_base_url.rstrip("/")
    try:
        with http_client(client) as http:
            files = list_files(http, base, repo)
            total, done, rows = sum(f.size for f in files), 0, []
            for file in files:
                url = f"{base}/{repo}/resolve/main/{file.path}"
                sha, done = _download(http, url, staging / file.path, file, done, total, progress)
                rows.append((file.path, file.size, sha))
        _check_usable(staging)
        write_manifest(staging, name, rows)
        move_into_place(staging, target)
    except (httpx.HTTPError, OSError, ValueError, KeyError, _BadFile) as exc:
        reason = failure_reason(exc) if isinstance(exc, httpx.HTTPError) else str(exc)
        raise VoiceoverError(ErrorCode.ASR_MODEL_INSTALL_FAILED, name=name, reason=reason) from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def list_files(http: httpx.Client, base: str, repo: str) -> list[HubFile]:
    """The model's files from the hub's tree listing (flat; README and git files left out)."""
    response = http.get(f"{base}/api/models/{repo}/tree/main")
    response.raise_for_status()
    return [_hub_file(row) for row in response.json() if _wanted(row)]


def _wanted(row: dict[str, Any]) -> bool:
    path = str(row.get("path", ""))
    return row.get("type") == "file" and path not in SKIP and "/" not in path


def _hub_file(row: dict[str, Any]) -> HubFile:
    path, size = str(row["path"]), int(row["size"])
    if not path or path.startswith(".") or size < 0 or size > MAX_FILE_BYTES:
        raise _BadFile(f"the hub lists an unusable file {path!r}")
    lfs = row.get("lfs") or {}
    sha256 = str(lfs["oid"]) if lfs.get("oid") else None
    return HubFile(path, size, sha256, None if sha256 else str(row.get("oid") or ""))


def _download(
    http: httpx.Client,
    url: str,
    dest: Path,
    file: HubFile,
    done: int,
    total: int,
    progress: Downloaded | None,
) -> tuple[str, int]:
    """Stream one file to dest, checking size and digest; its SHA-256 and the running count."""
    blob = hashlib.sha1(f"blob {file.size}\0".encode(), usedforsecurity=False)
    hashers = {"sha256": hashlib.sha256(), "blob": blob}
    shown = None if progress is None else (lambda got: progress(done + got, total))
    digests = stream_checked(
        http, url, dest, name=file.path, size=file.size, hashers=hashers, progress=shown,
        source="the hub",
    )  # fmt: skip
    if file.sha256 is not None and digests["sha256"] != file.sha256:
        raise _BadFile(f"{file.path} does not match its SHA-256")
    if file.sha256 is None and digests["blob"] != file.git_sha1:
        raise _BadFile(f"{file.path} does not match its checksum")
    return digests["sha256"], done + file.size


def _check_usable(folder: Path) -> None:
    """Refuse files that verified but are not a CTranslate2 Whisper model."""
    if not (folder / "model.bin").is_file() or not (folder / "config.json").is_file():
        raise _BadFile("the files are not a faster-whisper model (no model.bin or config.json)")
