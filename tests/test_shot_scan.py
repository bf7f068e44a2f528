"""The cheap first look of shot detection (keyframes, packet sizes) on clips with a keyframe
every second: only the stretches that may hold a cut are decoded frame by frame, and the cuts
are the same as decoding everything would find."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.engine import shot_scan
from core.engine.leftovers import work_dir
from core.engine.model import Limits
from core.engine.probe import probe_media
from core.engine.shot_scan import plan_windows, scan
from core.engine.shots import FLASH_S, detect_shots
from tests.shot_clips import FPS, SHORT_GOP, TRICKY_CUTS, make_colour_shots, make_tricky_clip


@pytest.mark.parametrize("share", [shot_scan.MAX_SHARE, 10.0])
def test_tricky_clip_with_keyframes_every_second(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, share: float
) -> None:
    # Cuts everywhere: the whole clip is decoded at once; with any share allowed, by windows.
    monkeypatch.setattr(shot_scan, "MAX_SHARE", share)
    info = probe_media(make_tricky_clip(tmp_path / "t.mp4", SHORT_GOP), Limits())
    with work_dir() as tmp:
        windows = plan_windows(info, scan(info, Path(tmp), 60.0), FLASH_S)
    assert (windows is not None) == (share > 1), windows
    cuts = detect_shots(info)
    assert len(cuts) == len(TRICKY_CUTS), cuts  # no cut for the flash, the fade or the motion
    for found, known in zip(cuts, TRICKY_CUTS, strict=True):
        assert abs(found - known) <= 1.0 / FPS + 1e-6, (found, known)


def test_a_short_shot_between_two_alike_inside_one_gop(tmp_path: Path) -> None:
    # Keyframes at 2 s and 3 s are both red: only the packet sizes tell a shot is between.
    clip = make_colour_shots(
        tmp_path / "aba.mp4", (2.2, 0.6, 2.2), gop=SHORT_GOP, colours=(0, 1, 0)
    )
    assert [round(c, 2) for c in detect_shots(probe_media(clip, Limits()))] == [2.2, 2.8]


def test_only_the_stretches_that_may_hold_a_cut_are_decoded(tmp_path: Path) -> None:
    info = probe_media(make_colour_shots(tmp_path / "c.mp4", (4.5, 5.5), gop=SHORT_GOP), Limits())
    with work_dir() as tmp:
        windows = plan_windows(info, scan(info, Path(tmp), 60.0), FLASH_S)
    assert windows is not None
    decoded = sum(w.stop_s - (w.seek_s or 0.0) for w in windows)
    assert decoded < info.duration_s / 2, windows
    assert any(w.after_s < 4.5 <= w.until_s for w in windows), windows  # the cut's stretch
    assert [round(c, 2) for c in detect_shots(info)] == [4.5]


@pytest.mark.parametrize("lengths", [(4 + 1 / FPS, 2.0), (5 + 1 / FPS, 1 - 1 / FPS)])
def test_a_window_decodes_from_its_own_keyframe_and_finds_a_cut_one_frame_after_it(
    tmp_path: Path, lengths: tuple[float, float]
) -> None:
    # The cut is one frame after a keyframe, mid-video or in the stretch after the last one.
    info = probe_media(make_colour_shots(tmp_path / "k.mp4", lengths, gop=SHORT_GOP), Limits())
    with work_dir() as tmp:
        windows = plan_windows(info, scan(info, Path(tmp), 60.0), FLASH_S)
    assert windows is not None
    assert all(w.seek_s is None or w.seek_s >= w.after_s for w in windows), windows
    assert [round(c, 3) for c in detect_shots(info)] == [round(lengths[0], 3)]
