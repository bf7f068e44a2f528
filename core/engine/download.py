"""One checked download for everything we install (voices, recognition models).

A file is streamed to disk while its size is held to what the listing promised and its
digests are computed; a mismatch raises BadDownload, and the caller removes its staging folder.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx

CHUNK_BYTES = 1 << 16


class BadDownload(Exception):
    """A downloaded file that is not what its listing promised."""


def stream_checked(
    http: httpx.Client,
    url: str,
    dest: Path,
    *,
    name: str,
    size: int,
    hashers: Mapping[str, Any],
    progress: Callable[[int], None] | None = None,
    source: str = "the listing",
) -> dict[str, str]:
    """Stream url to dest, refusing more or fewer than `size` bytes; the hashers' hex digests."""
    got = 0
    with http.stream("GET", url) as response, dest.open("wb") as out:
        response.raise_for_status()
        for chunk in response.iter_bytes(CHUNK_BYTES):
            got += len(chunk)
            if got > size:
                raise BadDownload(f"{name} is larger than {source} says")
            for hasher in hashers.values():
                hasher.update(chunk)
            out.write(chunk)
            if progress is not None:
                progress(got)
    if got != size:
        raise BadDownload(f"{name} is {got} bytes, {source} says {size}")
    return {key: hasher.hexdigest() for key, hasher in hashers.items()}


def move_into_place(staging: Path, target: Path) -> None:
    """Rename the verified folder to its own name; another install that won is fine too."""
    try:
        os.rename(staging, target)
    except OSError:
        if not target.is_dir():
            raise
