"""One encode of the video per render, holds or not: when the last pass re-encodes the picture
anyway (burnt captions, another frame), it makes the holds itself; otherwise only the held shots
are re-encoded and the last pass copies. Counted from the argv of every ffmpeg run (a wrapper
binary that logs its arguments, then runs the real ffmpeg)."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import imageio_ffmpeg
import pytest

from core.config import Settings
from core.engine.ffmpeg import ffmpeg_exe
from core.engine.model import Aspect, Captions, Limits, RenderOptions, RenderRequest
from core.engine.render import render
from core.engine.scripts import parse_script_text
from tests.shot_clips import frame_colours, make_colour_shots, shot_at

LENGTHS = (1.5, 1.5, 1.5)
SCRIPT = "\n\n".join(
    (
        "Red first.",
        "Green is short, but what we say about it goes on and on, much longer than its shot.",
        "Blue last.",
    )
)


@pytest.fixture
def argv_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    log = tmp_path / "argv.log"
    wrapper = tmp_path / "ffmpeg-logged"
    real = imageio_ffmpeg.get_ffmpeg_exe()
    wrapper.write_text(
        f'#!/bin/sh\nprintf "%s\\037" "$@" >> "{log}"\necho >> "{log}"\nexec "{real}" "$@"\n'
    )
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", str(wrapper))
    ffmpeg_exe.cache_clear()
    yield log
    monkeypatch.delenv("IMAGEIO_FFMPEG_EXE")
    ffmpeg_exe.cache_clear()


def _runs(log: Path) -> list[list[str]]:
    return [line.split("\x1f")[:-1] for line in log.read_text().splitlines() if line]


def _encodes(log: Path) -> list[list[str]]:
    return [argv for argv in _runs(log) if "libx264" in argv]


@pytest.mark.parametrize("kw", [{"captions": Captions.BURN}, {"aspect": Aspect.SQUARE}])
def test_holds_made_by_the_last_pass_when_it_encodes(
    settings: Settings, tmp_path: Path, argv_log: Path, kw: dict[str, object]
) -> None:
    clip = make_colour_shots(tmp_path / "three.mp4", LENGTHS)  # made before the log counts
    argv_log.unlink(missing_ok=True)
    script = parse_script_text(SCRIPT, Limits())
    request = RenderRequest(
        out=tmp_path / "o.mp4",
        media=clip,
        script=script,
        options=RenderOptions(**kw),  # type: ignore[arg-type]
    )
    result = render(request, settings)
    held = result.segments[1].held_s
    assert result.sync == "shots" and held > 0.5
    encodes = _encodes(argv_log)
    assert len(encodes) == 1, encodes  # the last pass, and nothing before it
    assert any("[held]" in arg for arg in encodes[0])
    shown = [shot_at(c) for c in frame_colours(result.output, 10.0)[0]]
    counts = [shown.count(s) for s in range(3)]
    assert counts[0] == pytest.approx(15, abs=1) and counts[2] >= 14
    assert counts[1] == pytest.approx(15 + held * 10, abs=2)  # the green shot held


def test_only_the_held_shot_is_encoded_when_the_last_pass_copies(
    settings: Settings, tmp_path: Path, argv_log: Path
) -> None:
    clip = make_colour_shots(tmp_path / "three.mp4", LENGTHS)
    argv_log.unlink(missing_ok=True)
    script = parse_script_text(SCRIPT, Limits())
    result = render(RenderRequest(out=tmp_path / "o.mp4", media=clip, script=script), settings)
    assert result.segments[1].held_s > 0.5 and result.video_copied
    encodes = _encodes(argv_log)
    assert len(encodes) == 1, encodes  # the piece with the held shot (one GOP here)
    assert not any("[held]" in arg for arg in encodes[0])
    last = _runs(argv_log)[-1]
    assert last[last.index("-c:v") + 1] == "copy"
