"""Output levels: always yuv420p in limited (tv) range, full-range sources converted."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from core.config import Settings
from core.engine.model import Limits, RenderRequest, Script, ScriptCue
from core.engine.probe import probe_media
from core.engine.render import render
from tests.media import make_full_range_video, make_video

FULL_RANGE = 2  # FFmpeg's AVCOL_RANGE_JPEG


def first_frame_levels(path: Path) -> tuple[str, int, int, int]:
    """(pix_fmt, color_range, Y of the left (white) half, Y of the right (black) half)."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frame = next(container.decode(stream))
        plane = frame.planes[0]
        luma = np.frombuffer(bytes(plane), np.uint8).reshape(plane.height, plane.line_size)
        luma = luma[:, : plane.width]
        white = int(np.median(luma[:, : plane.width // 4]))
        black = int(np.median(luma[:, -plane.width // 4 :]))
        return frame.format.name, int(frame.color_range), white, black


@pytest.mark.parametrize(
    ("name", "vcodec", "flag_only"),
    [
        ("camera.avi", "mjpeg", False),
        ("yuvj.mp4", "libx264", False),
        ("flagged.mp4", "libx264", True),
    ],
)
def test_full_range_sources_come_out_in_limited_range(
    settings: Settings, tmp_path: Path, name: str, vcodec: str, flag_only: bool
) -> None:
    src = make_full_range_video(tmp_path / name, vcodec, flag_only=flag_only)
    _, src_range, src_white, src_black = first_frame_levels(src)
    assert (src_range, src_white, src_black) == (FULL_RANGE, 255, 0)  # the fixture is full range
    out = tmp_path / "out.mp4"
    script = Script((ScriptCue("Hello."),))
    result = render(RenderRequest(out=out, media=src, script=script), settings)
    pix_fmt, color_range, white, black = first_frame_levels(out)
    assert (pix_fmt, abs(white - 235) <= 2, abs(black - 16) <= 2) == ("yuv420p", True, True)
    assert color_range != FULL_RANGE
    assert not result.video_copied  # copying would keep the full-range levels


def test_probe_tells_full_range_from_limited(tmp_path: Path) -> None:
    full = make_full_range_video(tmp_path / "flagged.mp4", "libx264", flag_only=True)
    camera = make_full_range_video(tmp_path / "camera.avi", "mjpeg")
    plain = probe_media(make_video(tmp_path / "plain.mp4", seconds=2), Limits())
    assert probe_media(full, Limits()).full_range and probe_media(camera, Limits()).full_range
    assert not plain.full_range and plain.is_h264_yuv420p
    assert not probe_media(full, Limits()).is_h264_yuv420p  # so it is converted, not copied
