"""The error table: every code has a message in both languages, fields are filled in."""

from __future__ import annotations

from core.errors import ErrorCode, VoiceoverError
from core.words.errors import ERROR_TEXTS
from core.words.numbers import human_duration, human_size


def test_every_code_but_ok_has_texts_in_both_languages() -> None:
    missing = [c for c in ErrorCode if c is not ErrorCode.OK and c not in ERROR_TEXTS]
    assert missing == []
    for text in ERROR_TEXTS.values():
        assert text.en and text.zh and text.en != text.zh


def test_fields_are_filled_and_missing_ones_do_not_crash() -> None:
    err = VoiceoverError(ErrorCode.FILE_TOO_LARGE, name="big.mp4", size="600 MB", limit="500 MB")
    assert err.message() == (
        "big.mp4 is too large (600 MB; the limit is 500 MB). "
        "Compress or trim it and send it again."
    )
    assert "big.mp4" in err.message("zh-CN") and "太大" in err.message("zh-CN")
    assert "?" in VoiceoverError(ErrorCode.MEDIA_TOO_LONG).message()


def test_human_formats() -> None:
    assert human_size(20_000_000) == "20 MB"
    assert human_size(1_500_000_000) == "1.5 GB"
    assert human_duration(62) == "1:02"
    assert human_duration(3725) == "1:02:05"
