"""Errors: a refusal or failure as a code from the table and the fields its message needs,
stored with a job and read back. Codes are in core/error_codes.py, texts in core/words/."""

from __future__ import annotations

from typing import Any

from core.error_codes import ErrorCode
from core.words.errors import message_for
from core.words.numbers import human_size
from core.words.text import field_record, field_value

__all__ = ["ErrorCode", "VoiceoverError", "from_record", "to_record", "too_large"]


class VoiceoverError(Exception):
    """A refusal or failure with a code from the table and the fields its message needs."""

    def __init__(self, code: ErrorCode, **fields: Any) -> None:
        self.code = code
        self.fields = fields
        super().__init__(f"{int(code)} {self.message('en')}")

    def message(self, language: str = "en", /) -> str:
        """The one-line message for the user, in their language (English fallback)."""
        return message_for(self.code, language, **self.fields)


def to_record(err: VoiceoverError) -> dict[str, Any]:
    """An error as stored (a job's or a render's): its code and its message fields."""
    return {"code": int(err.code), "fields": {k: field_record(v) for k, v in err.fields.items()}}


def from_record(record: dict[str, Any] | None, default: ErrorCode) -> VoiceoverError:
    """A stored error back (`default` when none was stored or its code is unknown)."""
    record = record or {}
    try:
        code = ErrorCode(int(record.get("code", default)))
    except ValueError:
        code = default
    fields = {k: field_value(v) for k, v in dict(record.get("fields") or {}).items()}
    return VoiceoverError(code, **fields)


def too_large(name: str, size: int, limit: int, *, at_least: bool = False) -> VoiceoverError:
    """FILE_TOO_LARGE for `name` ("over" the size when only a lower bound is known)."""
    shown = f"over {human_size(size)}" if at_least else human_size(size)
    return VoiceoverError(ErrorCode.FILE_TOO_LARGE, name=name, size=shown, limit=human_size(limit))
