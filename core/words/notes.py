"""Notes for the user (why a voice was chosen, a voice that gave way) as data: a key of the
bilingual NOTE_TEXTS table and its fields, turned into words in the user's language by the chat
and into English for the CLI."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from core.words.text import Bilingual, Blank, field_record, field_value, localized, pick

NOTE_TEXTS: dict[str, Bilingual] = {
    "plain": Bilingual("{text}", "{text}"),  # a note from before notes were data (English)
    "joined": Bilingual("{first} {second}", "{first}{second}"),
    "voice_missing": Bilingual(
        "No {what} voice is installed; using {voice}.", "没有安装{what}，改用 {voice}。"
    ),
    "voice_not_gender": Bilingual(
        "{voice} is not a {gender} voice; using it as you asked.",
        "{voice} 不是{gender}，仍按你的要求使用。",
    ),
    "language_unsure": Bilingual(
        "The script may be in {language}; using {voice}.", "脚本可能是{language}，使用 {voice}。"
    ),
    "mixed_languages": Bilingual(
        "Parts of the script look like {languages}; {voice} reads it all.",
        "脚本中有部分内容像是{languages}，全部由 {voice} 朗读。",
    ),
    "mixed_parts": Bilingual(
        "Parts of the script look like {languages}; {voice} reads them.",
        "脚本中有部分内容像是{languages}，这些部分由 {voice} 朗读。",
    ),
    "voice_fallback": Bilingual(
        "The voice {failed} could not be loaded, so {used} read the script instead.",
        "声音 {failed} 无法加载，改由 {used} 朗读脚本。",
    ),
}


@dataclass(frozen=True)
class Note:
    """Something the user should know, as data: a NOTE_TEXTS key and its fields (a field may be
    an Bilingual pair or another Note); str() gives the English text (the CLI's)."""

    key: str
    fields: Mapping[str, Any] = field(default_factory=dict)

    def text(self, language: str = "en") -> str:
        """The note in the user's language."""
        template = NOTE_TEXTS.get(self.key, NOTE_TEXTS["plain"])
        values = {name: _localized(value, language) for name, value in self.fields.items()}
        return pick(template, language).format_map(Blank(values))

    def __str__(self) -> str:
        return self.text("en")

    def then(self, other: Note | None) -> Note:
        """This note followed by another."""
        return self if other is None else Note("joined", {"first": self, "second": other})

    def to_record(self) -> dict[str, Any]:
        """The note as JSON-able data (stored with a render and its job)."""
        return {"key": self.key, "fields": {k: _field_record(v) for k, v in self.fields.items()}}

    @classmethod
    def from_record(cls, record: Any) -> Note | None:
        """A stored note back (an old plain-text one, too); None when there is none."""
        if isinstance(record, str) and record:
            return cls("plain", {"text": record})
        if not isinstance(record, Mapping) or "key" not in record:
            return None
        fields = {k: _field_value(v) for k, v in dict(record.get("fields") or {}).items()}
        return cls(str(record["key"]), fields)


def join_notes(*notes: Note | None) -> Note | None:
    """The notes given, one after another (None when there are none)."""
    present = [note for note in notes if note is not None]
    if not present:
        return None
    joined = present[0]
    for note in present[1:]:
        joined = joined.then(note)
    return joined


def _localized(value: Any, language: str) -> Any:
    return value.text(language) if isinstance(value, Note) else localized(value, language)


def _field_record(value: Any) -> Any:
    return {"note": value.to_record()} if isinstance(value, Note) else field_record(value)


def _field_value(value: Any) -> Any:
    if isinstance(value, Mapping) and "note" in value:
        return Note.from_record(value["note"])
    return field_value(value)
