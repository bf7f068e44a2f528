"""Names and folders of ours for users' files: a user's name made safe to show, a random name
to store under, an owner's folder, and deleting only what is ours."""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from pathlib import Path

NAME_MAX_CHARS = 100
UNSAFE_NAME_CHARS = re.compile(r"[^\w .()\[\]+-]")
PLAIN_SUFFIX = re.compile(r"^\.[a-z0-9]{1,5}$")


def safe_name(raw: str | None, fallback: str = "file") -> str:
    """A user's file name fit for messages and disk: no folders, controls, leading dots or
    dashes, odd characters or excess length (`fallback` when nothing is left)."""
    name = unicodedata.normalize("NFKC", raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = UNSAFE_NAME_CHARS.sub("_", name).strip(" .-_")
    if len(name) > NAME_MAX_CHARS:
        stem, dot, suffix = name.rpartition(".")
        keep = NAME_MAX_CHARS - len(suffix) - 1
        name = f"{stem[:keep]}.{suffix}" if dot and 0 < len(suffix) <= 8 else name[:NAME_MAX_CHARS]
    return name or fallback


def stored_name(name: str) -> str:
    """A random name of ours keeping only a plain lowercase suffix of the user's name."""
    suffix = Path(name).suffix.lower()
    return secrets.token_hex(12) + (suffix if PLAIN_SUFFIX.match(suffix) else "")


def owner_digest(owner: str) -> str:
    """An owner as a name for folders and keys (a hash: user ids never become paths)."""
    return hashlib.sha256(owner.encode()).hexdigest()[:24]


def file_sha256(path: Path) -> str:
    """A file's SHA-256 (hex), read in chunks."""
    with path.open("rb") as reader:
        return hashlib.file_digest(reader, "sha256").hexdigest()
