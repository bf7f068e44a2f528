"""Caption files: exact SRT timing, inert ASS text, long sentences split into readable chunks."""

from __future__ import annotations

from pathlib import Path

from core.engine.captions import MAX_LINE_CHARS, MAX_LINES, caption_cues, write_ass, write_srt
from core.engine.model import Segment


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
