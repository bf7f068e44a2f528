"""Caption files: exact SRT timing, inert ASS text, long sentences split into readable chunks."""

from __future__ import annotations

import subprocess
from pathlib import Path

from core.engine.caption_styles import write_ass
from core.engine.captions import MAX_LINE_CHARS, MAX_LINES, caption_cues, write_srt
from core.engine.ffmpeg import ffmpeg_exe
from core.engine.model import Segment
from core.words.fonts import CJK_FAMILY, LATIN_FAMILY, caption_fonts


def test_srt_blocks_and_times(tmp_path: Path) -> None:
    cues = caption_cues([Segment(0.5, 2.25, "Meet Aurora."), Segment(3725.4567, 3727.0, "Later.")])
    text = write_srt(tmp_path / "c.srt", cues).read_text(encoding="utf-8")
    assert text == (
        "1\n00:00:00,500 --> 00:00:02,250\nMeet Aurora.\n\n"
        "2\n01:02:05,457 --> 01:02:07,000\nLater.\n"
    )


def test_ass_text_cannot_carry_override_tags_or_escapes(tmp_path: Path) -> None:
    hostile = r"Hi {\b1\fs200} there \N new {\pos(0,0)}"
    path = write_ass(tmp_path / "c.ass", caption_cues([Segment(0, 1, hostile)]), 1920, 1080)
    line = path.read_text(encoding="utf-8").splitlines()[-1]
    assert line.startswith("Dialogue: 0,0:00:00.00,0:00:01.00,Default,,0,0,0,,")
    shown = line.split(",,", 2)[-1]
    assert "{" not in shown and "}" not in shown and "\\" not in shown
    assert "PlayResX: 1920" in path.read_text(encoding="utf-8")


def test_long_sentences_become_timed_two_line_chunks() -> None:
    words = " ".join(f"word{n}" for n in range(60))
    cues = caption_cues([Segment(10.0, 22.0, words)])
    assert len(cues) > 1
    assert all(len(c.text) <= MAX_LINE_CHARS * MAX_LINES for c in cues)
    assert " ".join(c.text for c in cues) == words
    assert cues[0].start_s == 10.0 and abs(cues[-1].end_s - 22.0) < 0.01
    assert all(a.end_s == b.start_s for a, b in zip(cues, cues[1:], strict=False))


CHINESE = "认识一下极光台灯，它会跟随太阳。日出时它发出柔和的琥珀色光，价格是一百二十九点五元。"


def test_chinese_is_cut_after_punctuation_and_wrapped_in_lines(tmp_path: Path) -> None:
    cues = caption_cues([Segment(0.0, 9.0, CHINESE)])
    assert [c.text for c in cues] == [
        "认识一下极光台灯，它会跟随太阳。",
        "日出时它发出柔和的琥珀色光，价格是一百二十九点五元。",
    ]
    ass = write_ass(tmp_path / "c.ass", cues, 1080, 1920, CJK_FAMILY).read_text(encoding="utf-8")
    assert f"Style: Default,{CJK_FAMILY}," in ass
    last = ass.splitlines()[-1].split(",,", 2)[-1]
    lines = last.split("\\N")
    assert lines == [
        "日出时它发出柔和的琥珀色光，",
        "价格是一百二十九点五元。",
    ]  # no line opens with ，


def _missing_glyphs(tmp_path: Path, fonts: Path, family: str) -> list[str]:
    """libass's complaints about characters no font could draw, burning CHINESE."""
    cues = caption_cues([Segment(0.0, 2.0, CHINESE)])
    ass = write_ass(tmp_path / "c.ass", cues, 640, 360, family)
    done = subprocess.run(
        [ffmpeg_exe(), "-nostdin", "-v", "verbose", "-f", "lavfi", "-i", "color=s=640x360:d=1"]
        + ["-vf", f"subtitles=filename={ass}:fontsdir={fonts}", "-frames:v", "1"]
        + ["-f", "null", "-"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-500:]
    return [line for line in done.stderr.splitlines() if "not found" in line and "Glyph" in line]


def test_burned_chinese_captions_have_a_font_that_draws_them(tmp_path: Path) -> None:
    fonts = tmp_path / "fonts"
    family = caption_fonts(fonts, CHINESE)
    assert family == CJK_FAMILY and (fonts / "NotoSansSC-Medium.ttf").stat().st_size < 500_000
    assert _missing_glyphs(tmp_path, fonts, family) == []
    latin_only = tmp_path / "latin"
    assert caption_fonts(latin_only, "Meet Aurora.") == LATIN_FAMILY
    assert _missing_glyphs(tmp_path, latin_only, LATIN_FAMILY) != []  # the check can fail
