"""Scripts over the limits are refused before any work, for typed text, files and render()."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.config import Settings
from core.engine.model import Limits, RenderOptions, RenderRequest, Script, ScriptCue
from core.engine.render import render
from core.engine.scripts import parse_script_text, read_script_file
from core.engine.validate import MAX_LINK_CHARS, MAX_WORD_CHARS
from core.errors import ErrorCode, VoiceoverError

LIMITS = Limits()  # 30 minutes


def refused(text: str, limits: Limits = LIMITS) -> VoiceoverError:
    """The refusal parse_script_text raises for `text`."""
    with pytest.raises(VoiceoverError) as caught:
        parse_script_text(text, limits)
    return caught.value


def srt(start: str, end: str, text: str = "Hello.") -> str:
    """A one-cue SRT file."""
    return f"1\n{start} --> {end}\n{text}\n"


@pytest.mark.parametrize(
    "text",
    [
        srt("999:59:58,000", "999:59:59,000"),  # tried to allocate 296 GiB
        srt("1:00:00,000", "1:00:02,000"),  # a 45-byte file that rendered an hour of video
        srt("00:29:00,000", "00:31:00,000"),  # ends past the limit
        "[999:59:58] Hi there.",  # inline timestamps
        "Intro.\n[0:05] Fine.\n[31:00 - 31:05] Too late.",
    ],
)
def test_cues_beyond_the_length_limit_are_refused(text: str) -> None:
    error = refused(text)
    assert error.code is ErrorCode.CUE_TOO_LATE
    assert error.fields["limit"] == "30:00" and "30:00" in error.message("en")
    assert "30:00" in error.message("zh")


def test_a_cue_file_beyond_the_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "late.srt"
    path.write_text(srt("1:00:00,000", "1:00:02,000"), encoding="utf-8")
    with pytest.raises(VoiceoverError) as caught:
        read_script_file(path, LIMITS)
    assert caught.value.code is ErrorCode.CUE_TOO_LATE and caught.value.fields["at"] == "1:00:00"


def test_a_timed_layout_that_ends_past_the_limit_is_refused() -> None:
    words = " ".join(["word"] * 200)  # at least 10 s however fast it is read
    assert parse_script_text(f"[29:40] {words}", LIMITS).timed
    error = refused(f"[29:55] {words}")
    assert error.code is ErrorCode.SPEECH_TOO_LONG and error.fields["limit"] == "30:00"


def test_speech_longer_than_the_limit_is_refused_from_the_text() -> None:
    minute = Limits(max_duration_s=60)
    assert parse_script_text("word " * 500, minute)  # could be read within a minute
    error = refused("word " * 1300, minute)  # no speed reads 1300 words in a minute
    assert error.code is ErrorCode.SPEECH_TOO_LONG
    assert error.fields["limit"] == "1:00" and "1:00" in error.message()


@pytest.mark.parametrize(
    "word",
    [
        "a" * 1_900_000,  # one 1.9 MB "word" ran past 150 s at 2.1 GB
        "x" * (MAX_WORD_CHARS + 1),
        "=" * 200,
        "https://example.com/" + "p" * MAX_LINK_CHARS,
    ],
)
def test_words_too_long_to_read_are_refused(word: str) -> None:
    error = refused(f"Meet {word} today.")
    assert error.code is ErrorCode.WORD_TOO_LONG
    assert error.fields["word"] == word[:20] and len(error.message()) < 300


def test_normal_long_words_links_and_chinese_paragraphs_pass() -> None:
    german = "Rindfleischetikettierungsüberwachungsaufgabenübertragungsgesetz"
    link = "https://docs.example.com/document/d/" + "1aBcD" * 30 + "/edit?usp=sharing"
    chinese = (
        "我们的新产品是一盏会跟随太阳的台灯，早上发出柔和的琥珀色光，中午与窗外的日光一致。" * 20
    )
    text = f"{german} {'x' * MAX_WORD_CHARS} {link}\n\n{chinese}"
    assert len(parse_script_text(text, LIMITS).cues) == 2


def run(settings: Settings, tmp_path: Path, script: Script, **options: object) -> ErrorCode:
    """The code render() refuses `script` with (no output written)."""
    out = tmp_path / "o.mp4"
    bad_media = tmp_path / "bad.mp4"  # only looked at if the script passes
    bad_media.write_bytes(b"not a video\n" * 100)
    request = RenderRequest(
        out=out,
        media=bad_media,
        script=script,
        options=RenderOptions(**options),  # type: ignore[arg-type]
    )
    with pytest.raises(VoiceoverError) as caught:
        render(request, settings)
    assert not out.exists()
    return caught.value.code


def test_render_checks_the_script_before_any_other_work(
    settings: Settings, tmp_path: Path
) -> None:
    late = Script((ScriptCue("Hi.", 3_599_998.0),))
    assert run(settings, tmp_path, late) is ErrorCode.CUE_TOO_LATE
    word = Script((ScriptCue("a" * 10_000),))
    assert run(settings, tmp_path, word) is ErrorCode.WORD_TOO_LONG
    assert run(settings, tmp_path, Script((ScriptCue("Fine."),))) is ErrorCode.CORRUPT_MEDIA


def test_render_estimates_with_the_speed_asked_for(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path, max_duration_s=60)
    script = Script((ScriptCue("word " * 500),))  # fits only if read near the top speed
    assert run(settings, tmp_path, script, speed=1.0) is ErrorCode.SPEECH_TOO_LONG
    assert run(settings, tmp_path, script, speed=2.0) is ErrorCode.CORRUPT_MEDIA


def test_real_narration_longer_than_the_limit_is_refused(tmp_path: Path) -> None:
    # Few words, each read as many ("one hundred twenty-three trillion, ..."): the estimate
    # lets it through, the narration's real length does not.
    settings = Settings(_env_file=None, data_dir=tmp_path, max_duration_s=10)
    script = Script((ScriptCue(" ".join(["123456789012345."] * 6)),))
    request = RenderRequest(out=tmp_path / "o.mp4", script=script)
    with pytest.raises(VoiceoverError) as caught:
        render(request, settings)
    assert caught.value.code is ErrorCode.SPEECH_TOO_LONG
    assert not request.out.exists()
