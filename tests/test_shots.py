"""Shot detection on generated clips with known cuts (mid-GOP, a flash, a fade, motion)."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.engine.model import Limits
from core.engine.probe import probe_media
from core.engine.shots import MIN_SHOT_S, detect_shots, spans
from tests.shot_clips import FPS, TRICKY_CUTS, make_colour_shots, make_tricky_clip


@pytest.fixture(scope="module")
def tricky(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tricky_clip(tmp_path_factory.mktemp("shots") / "tricky.mp4")


def test_cuts_found_within_one_frame_and_no_false_cut(tricky: Path) -> None:
    info = probe_media(tricky, Limits())
    cuts = detect_shots(info)
    assert len(cuts) == len(TRICKY_CUTS), cuts  # no cut for the flash, the fade or the motion
    for found, known in zip(cuts, TRICKY_CUTS, strict=True):
        assert abs(found - known) <= 1.0 / FPS + 1e-6, (found, known)


def test_short_shots_and_spans(tmp_path: Path) -> None:
    clip = make_colour_shots(tmp_path / "c.mp4", (1.5, 0.8, 2.0, 0.3, 1.0))
    cuts = detect_shots(probe_media(clip, Limits()))
    # The 0.3 s shot is shorter than MIN_SHOT_S: its cut in is kept, the one out is not.
    assert MIN_SHOT_S > 0.3
    assert [round(c, 2) for c in cuts] == [1.5, 2.3, 4.3]
    assert spans(cuts, 5.6) == [(0.0, 1.5), (1.5, 2.3), (2.3, 4.3), (4.3, 5.6)]
