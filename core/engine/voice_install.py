"""Installing and removing Piper voices in VOICES_DIR.

Every file of a voice is streamed into a hidden staging folder beside the voices, its size and
MD5 checked against the catalog, and the voice is then moved into place with one rename: a
failed, interrupted or corrupt download leaves nothing behind. Synchronous (httpx); async callers
run it with asyncio.to_thread.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import httpx

from core.config import Settings
from core.engine.catalog import (
    VOICE_KEY,
    CatalogVoice,
    VoiceFile,
    failure_reason,
    fetch_catalog,
    find_voice,
    http_client,
)
from core.engine.download import BadDownload, move_into_place, stream_checked
from core.engine.voices import DEFAULT_VOICE_ID, discover_voices, installed_voices
from core.errors import ErrorCode, VoiceoverError

ATTEMPTS = 2  # a dropped connection is tried once more; a wrong size or checksum is not
Downloaded = Callable[[int, int], None]
"""A download progress callback: (bytes done, bytes in all)."""


_BadFile = BadDownload  # a downloaded file that is not what the catalog promised


def install_dir(voices_dir: Path, key: str) -> Path:
    """Where the voice `key` lives once installed (one folder per voice)."""
    if not VOICE_KEY.match(key):
        raise VoiceoverError(ErrorCode.VOICE_NOT_IN_CATALOG, voice=key)
    return voices_dir / key


def is_installed(voices_dir: Path, key: str) -> bool:
    """Whether the voice `key` was installed from the catalog into voices_dir."""
    return install_dir(voices_dir, key).is_dir()


def install_from_catalog(
    key: str, settings: Settings, progress: Downloaded | None = None
) -> tuple[CatalogVoice, Path | None]:
    """Find `key` in the catalog and install it into VOICES_DIR (the path; None when it already
    was installed); the list of installed voices is read again afterwards."""
    voice = find_voice(fetch_catalog(settings.voices_base_url), key)
    return voice, install_listed(voice, settings, progress)


def install_listed(
    voice: CatalogVoice, settings: Settings, progress: Downloaded | None = None
) -> Path | None:
    """Install a catalog voice into VOICES_DIR (None when it already is there)."""
    if is_installed(settings.voices_path, voice.key):
        return None
    path = install_voice(voice, settings.voices_base_url, settings.voices_path, progress=progress)
    installed_voices.cache_clear()
    return path


def install_voice(
    voice: CatalogVoice,
    base_url: str,
    voices_dir: Path,
    progress: Downloaded | None = None,
    client: httpx.Client | None = None,
) -> Path:
    """Download, verify and move `voice` into voices_dir/KEY; VOICE_INSTALL_FAILED on failure."""
    target = install_dir(voices_dir, voice.key)
    if target.is_dir():
        return target
    voices_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{voice.key}.", suffix=".partial", dir=voices_dir))
    try:
        done = 0
        with http_client(client) as http:
            for file in voice.files:
                url = f"{base_url.rstrip('/')}/{file.path}"
                done = _fetch(http, url, staging / file.name, file, done, voice, progress)
        _check_usable(staging, voice.key)
        move_into_place(staging, target)
    except (httpx.HTTPError, OSError, _BadFile) as exc:
        reason = failure_reason(exc) if isinstance(exc, httpx.HTTPError) else str(exc)
        raise VoiceoverError(
            ErrorCode.VOICE_INSTALL_FAILED, voice=voice.key, reason=reason
        ) from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # gone already after a successful rename
    return target


def _fetch(
    http: httpx.Client,
    url: str,
    dest: Path,
    file: VoiceFile,
    done: int,
    voice: CatalogVoice,
    progress: Downloaded | None,
) -> int:
    """_download, tried again from the start after a dropped connection (not a bad file)."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return _download(http, url, dest, file, done, voice, progress)
        except httpx.TransportError:
            if attempt == ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def _download(
    http: httpx.Client,
    url: str,
    dest: Path,
    file: VoiceFile,
    done: int,
    voice: CatalogVoice,
    progress: Downloaded | None,
) -> int:
    """Stream one file to dest, checking its size and MD5; the running byte count."""
    hashers = {"md5": hashlib.md5(usedforsecurity=False)}
    shown = None if progress is None else (lambda got: progress(done + got, voice.size_bytes))
    digests = stream_checked(
        http, url, dest, name=file.name, size=file.size_bytes, hashers=hashers, progress=shown,
        source="the catalog",
    )  # fmt: skip
    if digests["md5"] != file.md5:
        raise _BadFile(f"{file.name} does not match its MD5 checksum")
    return done + file.size_bytes


def _check_usable(folder: Path, key: str) -> None:
    """Refuse files that verified but do not make a Piper voice (no model, or a bad config)."""
    found = [v for v in discover_voices(folder) if v.model_path.parent == folder]
    if not found:
        raise _BadFile(f"the files of {key} are not a usable Piper voice")


def remove_voice(voices_dir: Path, key: str) -> list[Path]:
    """Delete the voice `key` from voices_dir (its folder, or its .onnx and .onnx.json)."""
    key = key.strip().split(":")[0]
    target = install_dir(voices_dir, key)
    if target.is_dir():
        shutil.rmtree(target)
        return [target]
    removed = []
    if voices_dir.is_dir():
        for model in voices_dir.rglob(f"{key}.onnx"):
            for path in (model, model.with_name(model.name + ".json")):
                if path.is_file() or path.is_symlink():
                    path.unlink()
                    removed.append(path)
    if not removed:
        bundled = " (the bundled voice cannot be removed)" if key == DEFAULT_VOICE_ID else ""
        raise VoiceoverError(
            ErrorCode.VOICE_NOT_INSTALLED, voice=key, folder=str(voices_dir), reason=bundled
        )
    return removed
