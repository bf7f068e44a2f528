"""Narration on the shots, measured in the output: its frames (a colour per shot) and sound."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from core.config import Settings
from core.engine.model import (
    Captions,
    Hold,
    Limits,
    Overrun,
    RenderOptions,
    RenderRequest,
    RenderResult,
    Sync,
)
from core.engine.preview import render_preview
from core.engine.render import render
from core.engine.scripts import parse_script_text
from tests import analysis
from tests.cli_helpers import voiceover
from tests.shot_clips import frame_colours, make_colour_shots, shot_at

LENGTHS = (2.5, 1.5, 2.5, 2.5, 2.5)
PARAGRAPHS = (
    "Red is first.",
    "Green is short, but this paragraph about it goes on and on, far longer than its shot.",
    "Blue comes next.",
    "Then yellow.",
    "Magenta ends it.",
)
STEP = 0.05


@pytest.fixture(scope="module")
def shots_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_colour_shots(tmp_path_factory.mktemp("sync") / "five.mp4", LENGTHS)


def _render(settings: Settings, clip: Path, out: Path, text: str, **kw: object) -> RenderResult:
    script = parse_script_text(text, Limits())
    options = RenderOptions(**kw)  # type: ignore[arg-type]
    return render(RenderRequest(out=out, media=clip, script=script, options=options), settings)


def speech_mask(path: Path, step: float = STEP) -> np.ndarray:
    """Per `step` of the output: whether the narration is heard (RMS over a threshold)."""
    samples = analysis.audio_samples(path)
    n = int(len(samples) / analysis.RATE / step)
    return np.array([analysis.rms(samples, i * step, (i + 1) * step) > 0.01 for i in range(n)])


def on_screen(path: Path, step: float = STEP) -> list[int]:
    """Per `step` of the output: which shot (colour) is on screen."""
    colours, _ = frame_colours(path, 1 / step)
    return [shot_at(c) for c in colours]


def test_each_paragraph_plays_over_its_own_shot_and_the_short_one_holds(
    settings: Settings, shots_clip: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.mp4"
    result = _render(settings, shots_clip, out, "\n\n".join(PARAGRAPHS))
    assert result.sync == "shots"
    assert [s.shot for s in result.segments] == [0, 1, 2, 3, 4]
    held = result.segments[1].held_s
    assert held > 0.5 and all(s.held_s == 0 for i, s in enumerate(result.segments) if i != 1)
    screen, heard = on_screen(out), speech_mask(out)
    count = min(len(screen), len(heard))
    screen, heard = screen[:count], heard[:count]
    # On screen: the shots in order, the short one held, the later ones their own length.
    runs = [(screen[0], 1)]
    for shot in screen[1:]:
        runs = runs[:-1] + [(shot, runs[-1][1] + 1)] if shot == runs[-1][0] else [*runs, (shot, 1)]
    assert [r[0] for r in runs] == [0, 1, 2, 3, 4]
    seconds = [r[1] * STEP for r in runs]
    assert seconds[1] == pytest.approx(1.5 + held, abs=0.11)
    assert seconds[2] == pytest.approx(2.5, abs=0.11) and seconds[3] == pytest.approx(
        2.5, abs=0.11
    )
    # Heard: speech over every shot, starting within 0.3 s of its cut, never across a cut.
    cuts = [i for i in range(1, count) if screen[i] != screen[i - 1]]
    for cut in cuts:
        assert not heard[cut - 1] and not heard[cut], cut * STEP  # silent at each cut
    starts = [0, *cuts]
    for shot, start in enumerate(starts):
        first = next(i for i in range(start, count) if heard[i])
        assert screen[first] == shot
        assert (first - start) * STEP <= 0.3 + STEP, (shot, (first - start) * STEP)


def test_auto_keeps_todays_layout_when_the_counts_differ(
    settings: Settings, shots_clip: Path, tmp_path: Path
) -> None:
    result = _render(settings, shots_clip, tmp_path / "a.mp4", "\n\n".join(PARAGRAPHS[:2]))
    assert result.sync == "none" and result.shots is not None and len(result.shots) == 5
    assert all(s.shot is None for s in result.segments)
    forced = _render(
        settings, shots_clip, tmp_path / "b.mp4", "\n\n".join(PARAGRAPHS[:2]), sync=Sync.SHOTS
    )
    assert forced.sync == "shots"
    # Two paragraphs on five shots: each takes a run of shots and starts at a cut.
    assert forced.segments[0].shot == 0 and forced.segments[1].shot in (1, 2, 3)


def test_none_reads_from_the_start_without_looking(
    settings: Settings, shots_clip: Path, tmp_path: Path
) -> None:
    result = _render(
        settings, shots_clip, tmp_path / "n.mp4", "\n\n".join(PARAGRAPHS), sync=Sync.NONE
    )
    assert result.sync == "none" and result.shots is None
    assert all(s.shot is None and s.held_s == 0 for s in result.segments)
    assert result.segments[0].start_s == pytest.approx(0.5)  # today's lead-in, not a cut


def test_slow_hold_slows_the_short_shot(
    settings: Settings, shots_clip: Path, tmp_path: Path
) -> None:
    out = tmp_path / "slow.mp4"
    result = _render(settings, shots_clip, out, "\n\n".join(PARAGRAPHS), hold=Hold.SLOW)
    held = result.segments[1].held_s
    screen = on_screen(out)
    assert screen.count(1) * STEP == pytest.approx(1.5 + held, abs=0.11)
    assert result.duration_s == pytest.approx(sum(LENGTHS) + held, abs=0.1)


def test_cli_says_what_it_synced(shots_clip: Path, tmp_path: Path) -> None:
    script = tmp_path / "script.txt"
    script.write_text("\n\n".join(PARAGRAPHS), encoding="utf-8")
    args = ("render", str(shots_clip), "--script", str(script), "--out", "o.mp4")
    proc = voiceover(*args, "--sync", "shots", "--hold", "slow", "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["sync"] == "shots"
    assert [round(s["start_s"], 1) for s in data["shots"]] == [0.0, 2.5, 4.0, 6.5, 9.0]
    assert [s["shot"] for s in data["segments"]] == [0, 1, 2, 3, 4]
    assert data["segments"][1]["held_s"] > 0
    plain = voiceover(*args[:-1], "o2.mp4", cwd=tmp_path)
    assert plain.returncode == 0, plain.stderr
    assert "5 paragraphs on 5 shots; shot 2 held" in plain.stdout
    none = voiceover(*args[:-1], "o3.mp4", "--sync", "none", "--json", cwd=tmp_path)
    assert json.loads(none.stdout)["sync"] == "none" and json.loads(none.stdout)["shots"] == []


def test_a_timed_cue_that_overruns_holds_the_picture(settings: Settings, tmp_path: Path) -> None:
    clip = make_colour_shots(tmp_path / "even.mp4", (2.0, 2.0, 2.0, 2.0, 2.0))
    # Lines long enough (about a second) that the frames sampled inside each are never empty.
    cues = [(t, text) for t, text in zip((0.0, 2.0, 4.0, 6.0, 8.0), PARAGRAPHS, strict=True)]
    srt = "\n".join(
        f"{n}\n00:00:{int(t):02d},000 --> 00:00:{int(t) + 2:02d},000\n{text}\n"
        for n, (t, text) in enumerate(cues, 1)
    )
    out = tmp_path / "timed.mp4"
    result = _render(settings, clip, out, srt, overrun=Overrun.HOLD)
    held = result.segments[1].held_s
    assert held > 0.5 and result.segments[1].speedup == pytest.approx(1.2, abs=0.01)
    # Later cues keep their own times on the held timeline: late by the hold, not more.
    for seg, (cue, _) in zip(result.segments[2:], cues[2:], strict=True):
        assert seg.start_s == pytest.approx(cue + held, abs=0.002)
    screen = on_screen(out, 0.1)
    for seg, shot in zip(result.segments, range(5), strict=True):
        inside = screen[int(seg.start_s * 10) + 1 : int(seg.end_s * 10) - 1]
        assert set(inside) == {shot}, (shot, inside)
    assert result.duration_s == pytest.approx(10.0 + held, abs=0.1)


def test_captions_follow_the_held_timeline(
    settings: Settings, shots_clip: Path, tmp_path: Path
) -> None:
    out = tmp_path / "c.mp4"
    result = _render(settings, shots_clip, out, "\n\n".join(PARAGRAPHS), captions=Captions.SOFT)
    held = result.segments[1].held_s
    assert result.subtitles is not None and held > 0
    starts = [
        analysis_seconds(line.split(" --> ")[0])
        for line in result.subtitles.read_text("utf-8").splitlines()
        if " --> " in line
    ]
    cuts = [0.0, 2.5, 4.0 + held, 6.5 + held, 9.0 + held]  # the output's cuts
    shot_of = [max(k for k, c in enumerate(cuts) if c <= s) for s in starts]
    assert sorted(set(shot_of)) == [0, 1, 2, 3, 4]
    assert shot_of == sorted(shot_of)
    assert starts[-1] >= 9.0 + held


def analysis_seconds(stamp: str) -> float:
    """'00:00:04,100' as seconds."""
    h, m, rest = stamp.strip().split(":")
    return int(h) * 3600 + int(m) * 60 + float(rest.replace(",", "."))


def test_the_preview_follows_the_same_sync(
    settings: Settings, shots_clip: Path, tmp_path: Path
) -> None:
    script = parse_script_text("\n\n".join(PARAGRAPHS), Limits())
    request = RenderRequest(out=tmp_path / "p.mp4", media=shots_clip, script=script)
    result = render_preview(request, settings)
    assert result.sync == "shots"
    assert [s.shot for s in result.segments] == [0, 1, 2, 3, 4]
    assert result.segments[1].held_s > 0
