"""Scripts in: typed text, TXT in several encodings, SRT, VTT and inline timestamps."""

from __future__ import annotations

import codecs
import os
from pathlib import Path

import pytest

from core.engine.model import Limits, Script, ScriptCue
from core.engine.scripts import parse_script_text, read_script_file, sniff_script
from core.errors import ErrorCode, VoiceoverError

LIMITS = Limits()


def cues(script: Script) -> list[tuple[str, float | None, float | None]]:
    """The script's cues as plain tuples, for comparing."""
    return [(c.text, c.start_s, c.end_s) for c in script.cues]


def refusal(call: object, *args: object) -> VoiceoverError:
    """The VoiceoverError that call(*args) raises."""
    with pytest.raises(VoiceoverError) as caught:
        call(*args)  # type: ignore[operator]
    return caught.value


# --- typed text -------------------------------------------------------------------------------


def test_paragraphs_become_untimed_cues_and_single_newlines_join() -> None:
    script = parse_script_text("Meet Aurora.\nShe is fast.\n\n\n  Then the end.  \n", LIMITS)
    assert script.cues == (ScriptCue("Meet Aurora. She is fast."), ScriptCue("Then the end."))
    assert not script.timed
    assert script.word_count == 8


def test_inline_timestamps_in_every_form() -> None:
    text = "Intro words.\n[0:05] Meet Aurora.\nShe is fast.\n(1:02) Price drop.\n[00:01:05.5] Bye."
    assert cues(parse_script_text(text, LIMITS)) == [
        ("Intro words.", 0.0, None),
        ("Meet Aurora. She is fast.", 5.0, None),
        ("Price drop.", 62.0, None),
        ("Bye.", 65.5, None),
    ]


def test_inline_timestamps_are_sorted_and_take_ranges() -> None:
    text = "[0:10 - 0:14] Second.\n\n【0:02】 First, in full-width brackets."
    script = parse_script_text(text, LIMITS)
    assert script.timed
    assert cues(script) == [
        ("First, in full-width brackets.", 2.0, None),
        ("Second.", 10.0, 14.0),
    ]


def test_timestamp_only_inside_a_line_does_not_make_a_timed_script() -> None:
    script = parse_script_text("Call me at [0:05] tomorrow.", LIMITS)
    assert cues(script) == [("Call me at [0:05] tomorrow.", None, None)]


SRT = """1
00:00:04,500 --> 00:00:06,000
<i>Second</i> cue,
on two lines.

2
00:00:01,000 --> 00:00:03,250 X1:10 X2:100
{\\an8}<font color="#ff0000">First</font> cue &amp; more.

3
00:00:07,000 --> 00:00:09,000
Third cue

continues after a stray blank line.
4
00:00:10,000 --> 00:00:11,000
Fourth, with no blank line before its index.
"""


def test_pasted_srt_gives_sorted_clean_cues() -> None:
    assert cues(parse_script_text(SRT, LIMITS)) == [
        ("First cue & more.", 1.0, 3.25),
        ("Second cue, on two lines.", 4.5, 6.0),
        ("Third cue continues after a stray blank line.", 7.0, 9.0),
        ("Fourth, with no blank line before its index.", 10.0, 11.0),
    ]


VTT = """WEBVTT - a title
Kind: captions

STYLE
::cue { color: yellow }

NOTE this is a comment
spanning lines

intro-cue
00:01.000 --> 00:03.500 align:start position:10%
<v Roger Bingham>Hello <c.loud>there</c>!

00:00:04.000 --> 00:00:06.000 line:0
<00:00:04.500>Timed <b>words</b> here
and more

NOTE a late note

00:07.000 --> 00:08.000
&lt;3 you
"""


def test_vtt_drops_header_notes_styles_ids_settings_and_tags() -> None:
    assert cues(parse_script_text(VTT, LIMITS)) == [
        ("Hello there!", 1.0, 3.5),
        ("Timed words here and more", 4.0, 6.0),
        ("<3 you", 7.0, 8.0),
    ]


def test_text_before_the_first_subtitle_cue_is_kept_at_zero() -> None:
    text = "A heading line\n\n00:00:02,000 --> 00:00:03,000\nHello"
    assert cues(parse_script_text(text, LIMITS)) == [
        ("A heading line", 0.0, None),
        ("Hello", 2.0, 3.0),
    ]


@pytest.mark.parametrize(
    "text", ["", "   \n\t\n  ", "WEBVTT\n\n", "1\n00:00:01,000 --> 00:00:02,000\n<i></i>\n"]
)
def test_empty_scripts_are_refused(text: str) -> None:
    assert refusal(parse_script_text, text, LIMITS).code == ErrorCode.EMPTY_SCRIPT


def test_too_many_words_is_refused_with_count_and_limit() -> None:
    error = refusal(parse_script_text, "word " * 11, Limits(max_script_words=10))
    assert error.code == ErrorCode.SCRIPT_TOO_LONG
    assert error.fields == {"words": 11, "limit": 10}
    assert "11 words" in error.message() and "10" in error.message()


def test_each_chinese_character_counts_as_a_word() -> None:
    assert parse_script_text("你好世界", Limits(max_script_words=4)).cues[0].text == "你好世界"
    error = refusal(parse_script_text, "你好世界 ok", Limits(max_script_words=4))
    assert error.fields["words"] == 5


def test_typed_text_over_the_byte_cap_is_refused() -> None:
    error = refusal(parse_script_text, "x" * 101, Limits(max_script_bytes=100))
    assert error.code == ErrorCode.SCRIPT_TOO_LONG


def test_control_characters_are_dropped_but_tabs_kept() -> None:
    script = parse_script_text("Hel\x00lo\x07 wor\x1bld\r\nnext\tline\u200b\ufeff", LIMITS)
    assert script.cues[0].text == "Hello world next line\u200b"


# --- files ------------------------------------------------------------------------------------

TEXT = "Café crème, déjà vu. Straße und Grüße — ¡Olé! 你好。\n\nSecond paragraph."


@pytest.mark.parametrize(
    "encoded",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
    ],
    ids=["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom"],
)
def test_unicode_text_files_are_read(tmp_path: Path, encoded: bytes) -> None:
    path = tmp_path / "script.txt"
    path.write_bytes(encoded)
    assert sniff_script(path) == "txt"
    script = read_script_file(path, LIMITS)
    assert script.text == TEXT


def test_legacy_encodings_are_detected(tmp_path: Path) -> None:
    western = "Le café était très agréable, et la crème brûlée était délicieuse à côté."
    path = tmp_path / "latin.txt"
    path.write_bytes((western + "\n").encode("cp1252") * 5)
    assert read_script_file(path, LIMITS).cues[0].text.startswith(western)
    chinese = "今天我们来介绍一下这个产品的主要功能和使用方法，希望大家喜欢。"
    path = tmp_path / "gbk.txt"
    path.write_bytes((chinese * 4).encode("gb18030"))
    assert read_script_file(path, LIMITS).cues[0].text == chinese * 4


@pytest.mark.parametrize(
    "content",
    [
        b"\x00\x01\x02binary\x00" * 50,
        os.urandom(4096),
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8,
    ],
    ids=["nuls", "random", "png"],
)
def test_binary_files_are_refused_with_a_reason(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(content)
    # A script suffix routes the file to the reader, which refuses it with a reason...
    assert sniff_script(path) == "txt"
    # ...while the same bytes under a media name are left for the media prober.
    media_named = tmp_path / "notes.mp4"
    media_named.write_bytes(content)
    assert sniff_script(media_named) is None
    error = refusal(read_script_file, path, LIMITS, "notes.txt")
    assert error.code == ErrorCode.BAD_SCRIPT
    assert "notes.txt" in error.message() and "binary" in error.message()


def test_a_file_over_the_size_cap_is_too_large(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text("word " * 300)
    error = refusal(read_script_file, path, Limits(max_script_bytes=1000), "long.txt")
    assert error.code == ErrorCode.FILE_TOO_LARGE
    assert error.fields == {"name": "long.txt", "size": "1.5 KB", "limit": "1.0 KB"}


def test_an_empty_file_is_an_empty_script(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert sniff_script(path) == "txt"
    assert refusal(read_script_file, path, LIMITS).code == ErrorCode.EMPTY_SCRIPT


def test_subtitles_are_recognised_by_content_not_suffix(tmp_path: Path) -> None:
    srt, vtt = tmp_path / "captions.txt", tmp_path / "captions.bin"
    srt.write_text(SRT, encoding="utf-8")
    vtt.write_bytes(codecs.BOM_UTF8 + VTT.encode())
    assert (sniff_script(srt), sniff_script(vtt)) == ("srt", "vtt")
    assert read_script_file(srt, LIMITS).timed
    assert cues(read_script_file(vtt, LIMITS))[0] == ("Hello there!", 1.0, 3.5)


def test_media_files_are_not_scripts(tmp_path: Path, clip: Path) -> None:
    assert sniff_script(clip) is None
    playlist = tmp_path / "clip.mp4"  # media by name: the probe refuses it as a playlist
    playlist.write_text("#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:0\nfile:///etc/passwd\n")
    assert sniff_script(playlist) is None
    notes = tmp_path / "notes"  # no suffix: content decides
    notes.write_text("Meet Aurora.\n")
    assert sniff_script(notes) == "txt"
    empty_video = tmp_path / "empty.mp4"
    empty_video.write_bytes(b"")
    assert sniff_script(empty_video) is None
    assert sniff_script(tmp_path / "missing.txt") is None


@pytest.mark.timeout(30)
def test_many_blank_lines_parse_in_linear_time() -> None:
    assert parse_script_text("\n\n" * 100_000 + "x", LIMITS).cues == (ScriptCue("x"),)
