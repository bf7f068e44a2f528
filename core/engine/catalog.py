"""Piper's voice repository: its index (voices.json), filtered, with our gender and licence table.

Everything here is synchronous (httpx); async callers run it with asyncio.to_thread.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

import httpx

from core.engine.voice_table import table_gender, voice_table
from core.engine.voices import normalize_gender, normalize_language
from core.errors import ErrorCode, VoiceoverError
from core.words.languages import language_name

INDEX_NAME = "voices.json"
VOICE_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]{0,127}$")  # also the folder it installs to
TIMEOUT_S = 30.0
MAX_INDEX_BYTES = 20_000_000


@dataclass(frozen=True)
class VoiceFile:
    """One file of a voice in the repository: its relative path, size and MD5."""

    path: str
    size_bytes: int
    md5: str

    @property
    def name(self) -> str:
        """The file's own name (the last part of its path)."""
        return self.path.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class CatalogVoice:
    """A voice the repository offers."""

    key: str  # e.g. "zh_CN-huayan-medium"
    name: str
    language: str  # ll_CC
    language_english: str
    quality: str
    num_speakers: int
    files: tuple[VoiceFile, ...]
    gender: str | None = None  # from our table
    licence: str | None = None  # from our table, only where the licence restricts use
    recommended: bool = False

    @property
    def language_code(self) -> str:
        """The two-letter language ("zh")."""
        return self.language.split("_")[0].lower()

    @property
    def size_bytes(self) -> int:
        """The download size of all its files."""
        return sum(f.size_bytes for f in self.files)

    def as_json(self) -> dict[str, Any]:
        """The voice as `voiceover voices available --json` prints it."""
        return {
            "key": self.key,
            "name": self.name,
            "language": self.language,
            "language_english": self.language_english,
            "quality": self.quality,
            "num_speakers": self.num_speakers,
            "gender": self.gender,
            "licence": self.licence,
            "recommended": self.recommended,
            "size_bytes": self.size_bytes,
        }


def suggested_voice(language: str, gender: str | None = None) -> str | None:
    """The voice key to suggest installing for a language (and gender, when one fits)."""
    code, region = normalize_language(language)
    keys = [k for k in voice_table() if k.split("_")[0].lower() == code]
    if region:
        keys = sorted(keys, key=lambda k: not k.startswith(f"{code}_{region}-"))
    if gender:
        keys = sorted(keys, key=lambda k: table_gender(k) != gender)
    return keys[0] if keys else None


def parse_catalog(index: dict[str, Any]) -> list[CatalogVoice]:
    """The voices of a parsed voices.json, sorted by key; malformed entries are skipped."""
    table = voice_table()
    voices = []
    for key, entry in index.items():
        try:
            voices.append(_entry(str(key), entry, table))
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
    return sorted(voices, key=lambda v: v.key)


def _entry(key: str, entry: dict[str, Any], table: dict[str, dict[str, str]]) -> CatalogVoice:
    """One index entry with our table's gender and licence note."""
    language = entry["language"]
    files = tuple(
        VoiceFile(str(path), int(info["size_bytes"]), str(info["md5_digest"]).lower())
        for path, info in entry["files"].items()
    )
    key = str(entry.get("key") or key)
    names = [f.name for f in files]
    unsafe = any(f.path.startswith("/") or ".." in f.path.split("/") for f in files)
    if not VOICE_KEY.match(key) or unsafe or len(set(names)) < len(names):
        raise ValueError(f"unsafe key or file names for {key}")
    if not any(name.endswith(".onnx") for name in names):
        raise ValueError(f"no model among the files of {key}")
    ours = table.get(key, {})
    return CatalogVoice(
        key=key,
        name=str(entry["name"]),
        language=str(language["code"]),
        language_english=str(language.get("name_english") or language_name(language["code"])),
        quality=str(entry.get("quality") or ""),
        num_speakers=int(entry.get("num_speakers") or 1),
        files=files,
        gender=ours.get("gender"),
        licence=ours.get("licence"),
        recommended=key in table,
    )


def fetch_catalog(base_url: str, client: httpx.Client | None = None) -> list[CatalogVoice]:
    """The repository's voices, from {base_url}/voices.json."""
    url = f"{base_url.rstrip('/')}/{INDEX_NAME}"
    try:
        with http_client(client) as http:
            response = http.get(url)
            response.raise_for_status()
            if len(response.content) > MAX_INDEX_BYTES:
                raise ValueError("the index is too large")
            index = response.json()
        if not isinstance(index, dict):
            raise ValueError("the index is not a JSON object")
    except (httpx.HTTPError, ValueError) as exc:
        reason = f"the voice catalog at {url} could not be read ({failure_reason(exc)})"
        raise VoiceoverError(ErrorCode.VOICE_INSTALL_FAILED, voice="list", reason=reason) from exc
    return parse_catalog(index)


def http_client(client: httpx.Client | None) -> AbstractContextManager[httpx.Client]:
    """The given client (left open), or a new one that follows redirects (Hugging Face does)."""
    if client is not None:
        return nullcontext(client)
    return httpx.Client(follow_redirects=True, timeout=TIMEOUT_S)


def failure_reason(exc: Exception) -> str:
    """A short reason for a failed request."""
    if isinstance(exc, httpx.HTTPStatusError):
        return f"HTTP {exc.response.status_code}"
    return str(exc) or type(exc).__name__


def filter_catalog(
    voices: Iterable[CatalogVoice], language: str | None = None, gender: str | None = None
) -> list[CatalogVoice]:
    """Voices of a language ("zh", "zh_CN", "Chinese") and/or gender, recommended ones first."""
    wanted_gender = normalize_gender(gender) if gender else None
    found = list(voices)
    if language:
        code, region = normalize_language(language)
        found = [v for v in found if v.language_code == code]
        if region:
            found = [v for v in found if v.language == f"{code}_{region}"]
    if wanted_gender:
        found = [v for v in found if v.gender == wanted_gender]
    order = list(voice_table())
    return sorted(found, key=lambda v: (v.language, order.index(v.key) if v.recommended else 1e9))


def find_voice(voices: Sequence[CatalogVoice], key: str) -> CatalogVoice:
    """The catalog voice with this key; VOICE_NOT_IN_CATALOG when there is none."""
    for voice in voices:
        if voice.key == key.strip():
            return voice
    raise VoiceoverError(ErrorCode.VOICE_NOT_IN_CATALOG, voice=key)
