"""Notes and error fields as data: bilingual pairs and nested notes survive being stored, and
read in the user's language."""

from __future__ import annotations

import json

from core.errors import ErrorCode, VoiceoverError, from_record, to_record
from core.words.notes import Note, join_notes
from core.words.text import Bilingual

JOE = Bilingual("joe (male)", "joe（男声）")


def test_a_note_reads_in_english_and_chinese_after_a_round_trip() -> None:
    fallback = Note("voice_fallback", {"failed": "en_US-amy-medium", "used": "en_US-joe-medium"})
    unsure = Note("language_unsure", {"language": Bilingual("German", "德语"), "voice": JOE})
    joined = join_notes(None, fallback, unsure)
    assert joined is not None
    stored = Note.from_record(json.loads(json.dumps(joined.to_record())))
    assert stored == joined
    assert str(stored) == (
        "The voice en_US-amy-medium could not be loaded, so en_US-joe-medium read the script "
        "instead. The script may be in German; using joe (male)."
    )
    assert stored.text("zh-hans") == (
        "声音 en_US-amy-medium 无法加载，改由 en_US-joe-medium 朗读脚本。"
        "脚本可能是德语，使用 joe（男声）。"
    )


def test_an_old_plain_warning_and_nothing_are_read_back() -> None:
    old = Note.from_record("The voice x could not be loaded.")
    assert old is not None and old.text("zh") == "The voice x could not be loaded."
    assert Note.from_record(None) is None and Note.from_record({}) is None
    assert join_notes(None, None) is None


def test_an_error_keeps_its_bilingual_fields_when_stored() -> None:
    error = VoiceoverError(
        ErrorCode.NO_VOICE_FOR_LANGUAGE,
        language=Bilingual("Chinese", "中文"),
        available=Bilingual("English", "英语"),
    )
    back = from_record(json.loads(json.dumps(to_record(error))), ErrorCode.INTERNAL)
    assert back.message("en") == error.message("en")
    assert back.message("en").startswith("No installed voice speaks Chinese. Installed")
    assert back.message("zh") == "没有可朗读 中文 的已安装声音。已安装语言：英语。"
