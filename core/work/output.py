"""A finished render as its job keeps it and its owner is told it: one type from the render job
to the delivery and the result page (stored with the job as JSON: to_record / from_record)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.words.notes import Note


@dataclass(frozen=True)
class RenderOutput:
    """Where the result is (a media store key, a file path in older records, or a cloud URL),
    what it is, and what its owner is told with it."""

    key: str | None = None
    path: str | None = None
    url: str | None = None
    duration_s: float = 0.0
    width: int = 0
    height: int = 0
    size_bytes: int = 0
    project_url: str | None = None
    warning: Note | None = None
    voices: tuple[str, ...] = ()
    narration_s: float = 0.0
    sync: dict[str, Any] | None = None  # laid on the shots: paragraphs, shots, holds

    def to_record(self) -> dict[str, Any]:
        """As stored with the job."""
        record: dict[str, Any] = {
            "path": self.path,
            "url": self.url,
            "duration_s": self.duration_s,
            "width": self.width,
            "height": self.height,
            "size_bytes": self.size_bytes,
            "project_url": self.project_url,
            "warning": self.warning.to_record() if self.warning else None,
            "voices": list(self.voices),
            "narration_s": self.narration_s,
            "sync": self.sync,
        }
        if self.key is not None:
            record["key"] = self.key
        return record

    @classmethod
    def from_record(cls, record: Mapping[str, Any] | None) -> RenderOutput:
        """A stored output back (missing fields: none, zero)."""
        record = record or {}
        return cls(
            key=_text(record.get("key")),
            path=_text(record.get("path")),
            url=_text(record.get("url")),
            duration_s=float(record.get("duration_s") or 0.0),
            width=int(record.get("width") or 0),
            height=int(record.get("height") or 0),
            size_bytes=int(record.get("size_bytes") or 0),
            project_url=_text(record.get("project_url")),
            warning=Note.from_record(record.get("warning")),
            voices=tuple(str(v) for v in record.get("voices") or ()),
            narration_s=float(record.get("narration_s") or 0.0),
            sync=record.get("sync") if isinstance(record.get("sync"), dict) else None,
        )


def _text(value: Any) -> str | None:
    return str(value) if value else None
