"""Held shots: only the pieces around a held shot are re-encoded, frames and lengths exact."""

from __future__ import annotations

from pathlib import Path

import av
import pytest

from core.engine.holds import HoldJob, copy_spans, held_media, held_shots, keyframe_times
from core.engine.model import Hold, Limits
from core.engine.probe import probe_media
from tests.media import ffmpeg
from tests.shot_clips import COLOURS, FPS, SIZE, frame_colours, shot_at

SPANS = [(0.0, 2.0), (2.0, 4.0), (4.0, 6.0), (6.0, 8.0), (8.0, 10.0)]


def _clip(path: Path, gop: int) -> Path:
    src = f"s={SIZE}:r={FPS}"
    parts = ";".join(
        f"color=c=0x{r:02x}{g:02x}{b:02x}:{src}:d=2[s{i}]" for i, (r, g, b) in enumerate(COLOURS)
    )
    graph = parts + ";[s0][s1][s2][s3][s4]concat=n=5:v=1:a=0,format=yuv420p[v]"
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=300:duration=10",
        "-filter_complex",
        graph,
        "-map",
        "[v]",
        "-map",
        "0:a",
        "-c:a",
        "aac",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-g",
        str(gop),
        "-keyint_min",
        str(gop),
        "-x264-params",
        "scenecut=0",
        "-bf",
        "2",
        str(path),
    )
    return path


def _packets(path: Path) -> list[tuple[bool, bytes]]:
    with av.open(str(path)) as container:
        return [(p.is_keyframe, bytes(p)) for p in container.demux(video=0) if p.size]


def _hold(tmp_path: Path, clip: Path, mode: Hold = Hold.FREEZE) -> Path:
    info = probe_media(clip, Limits())
    work = tmp_path / "work"
    work.mkdir()
    job = HoldJob(info, tuple(held_shots(SPANS, [(2, 1.5)])), mode, work, 60)
    return held_media(job).path


def test_a_hold_on_keyframes_copies_every_other_packet(tmp_path: Path) -> None:
    clip = _clip(tmp_path / "g30.mp4", 30)  # keyframes every second: the shot is one GOP pair
    out = _hold(tmp_path, clip)
    source, held = _packets(clip), _packets(out)
    assert len(held) == len(source) + 45  # 1.5 s at 30 fps
    # Before the held shot and after it: the very same coded frames (keyframes gain in-band
    # parameter sets, so only the others are compared byte for byte).
    assert [p for k, p in held[:120] if not k] == [p for k, p in source[:120] if not k]
    assert [p for k, p in held[-120:] if not k] == [p for k, p in source[-120:] if not k]
    assert [p for k, p in held[120:-120] if not k] != [p for k, p in source[120:-120] if not k]


def test_a_hold_mid_gop_reencodes_from_the_keyframe_before(tmp_path: Path) -> None:
    clip = _clip(tmp_path / "g45.mp4", 45)  # keyframes at 0, 1.5, 3, 4.5, 6 …
    info = probe_media(clip, Limits())
    keys = keyframe_times(info, tmp_path, 60)
    assert keys[:5] == pytest.approx([0.0, 1.5, 3.0, 4.5, 6.0])
    pieces = copy_spans(held_shots(SPANS, [(2, 1.5)]), keys, 10.0)
    assert [(a, b, bool(h)) for a, b, h in pieces] == [
        (0.0, 3.0, False),
        (3.0, 6.0, True),
        (6.0, None, False),
    ]
    for mode in (Hold.FREEZE, Hold.SLOW):
        out = (
            _hold(tmp_path / str(mode), clip, mode)
            if (tmp_path / str(mode)).mkdir() is None
            else None
        )
        assert out is not None
        assert len(_packets(out)) == 300 + 45
        colours, step = frame_colours(out, 10.0)
        shown = [shot_at(c) for c in colours]
        assert [shown.count(s) for s in range(5)] == [20, 20, 35, 20, 20]
        assert probe_media(out, Limits()).duration_s == pytest.approx(11.5, abs=0.05)


def test_a_source_that_cannot_be_copied_is_held_in_one_encode(tmp_path: Path) -> None:
    clip = _clip(tmp_path / "g30.mp4", 30)
    reencoded = tmp_path / "444.mp4"
    ffmpeg("-i", str(clip), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv444p",
           "-c:a", "copy", str(reencoded))  # fmt: skip
    out = _hold(tmp_path, reencoded)
    assert len(_packets(out)) == 300 + 45
    shown = [shot_at(c) for c in frame_colours(out, 10.0)[0]]
    assert [shown.count(s) for s in range(5)] == [20, 20, 35, 20, 20]
