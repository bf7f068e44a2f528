"""Shots are detected once per video: kept by content (and by the file as it is on disk), so
an edit never detects them again, and a render whose shots cannot change it never looks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from core.config import Settings
from core.engine.model import Limits, MediaInfo, RenderOptions, RenderRequest, Sync
from core.engine.probe import probe_media
from core.engine.render import render
from core.engine.scripts import parse_script_text
from core.engine.shot_cache import FOLDER, _digest, cached_shots
from core.engine.shots import detect_shots
from core.engine.synced import may_sync
from tests.media import make_image
from tests.shot_clips import make_colour_shots


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_colour_shots(tmp_path_factory.mktemp("cache") / "three.mp4", (1.5, 1.5, 1.5))


class Counting:
    """The real detector, counting its runs."""

    def __init__(self) -> None:
        self.runs = 0

    def __call__(self, info: MediaInfo, timeout_s: float) -> tuple[float, ...]:
        self.runs += 1
        return detect_shots(info, timeout_s)


def test_detected_once_per_video_by_file_and_by_content(clip: Path, tmp_path: Path) -> None:
    data, detect = tmp_path / "data", Counting()
    info = probe_media(clip, Limits())
    assert cached_shots(info, data, detect, 60) == (1.5, 3.0)
    assert cached_shots(info, data, detect, 60) == (1.5, 3.0)
    assert detect.runs == 1
    twin = shutil.copyfile(clip, tmp_path / "same-bytes.mp4")  # another file, the same video
    assert cached_shots(probe_media(twin, Limits()), data, detect, 60) == (1.5, 3.0)
    assert detect.runs == 1
    other = make_colour_shots(tmp_path / "other.mp4", (1.0, 2.0))
    assert cached_shots(probe_media(other, Limits()), data, detect, 60) == (1.0,)
    assert detect.runs == 2


def test_a_render_uses_the_kept_shots(clip: Path, settings: Settings, tmp_path: Path) -> None:
    # Plant an answer no detector would give: the render lays the script on it.
    folder = settings.data_dir.joinpath(*FOLDER)
    folder.mkdir(parents=True)
    (folder / _digest(clip)).write_text("[2.0]", encoding="utf-8")
    script = parse_script_text("One here.\n\nTwo there.", Limits())
    request = RenderRequest(out=tmp_path / "o.mp4", media=clip, script=script)
    result = render(request, settings)
    assert result.shots == [(0.0, 2.0), (2.0, 4.5)]
    assert result.sync == "shots"


def test_no_detection_when_the_shots_cannot_change_the_render(
    clip: Path, settings: Settings, tmp_path: Path
) -> None:
    info = probe_media(clip, Limits())
    two = parse_script_text("One.\n\nTwo.", Limits())
    one = parse_script_text("Just one paragraph. Of two sentences.", Limits())
    timed = parse_script_text("[0:00] One.\n\n[0:02] Two.", Limits())

    def ask(script: object, **kw: object) -> bool:
        options = RenderOptions(**kw)  # type: ignore[arg-type]
        req = RenderRequest(out=tmp_path / "x.mp4", media=clip, script=script, options=options)  # type: ignore[arg-type]
        return may_sync(req, info)

    assert ask(two) and ask(one, sync=Sync.SHOTS)
    assert not ask(one) and not ask(timed) and not ask(two, sync=Sync.NONE)
    image = probe_media(make_image(tmp_path / "still.png"), Limits())
    still = RenderRequest(out=tmp_path / "s.mp4", media=image.path, script=two)
    assert not may_sync(still, image)
    render(RenderRequest(out=tmp_path / "o.mp4", media=clip, script=one), settings)
    assert not settings.data_dir.joinpath(*FOLDER).exists()  # nothing was detected


def test_the_first_render_keeps_them_and_an_edit_reads_them(
    clip: Path, settings: Settings, tmp_path: Path
) -> None:
    script = parse_script_text("One here.\n\nTwo there.\n\nThree.", Limits())
    first = render(RenderRequest(out=tmp_path / "a.mp4", media=clip, script=script), settings)
    assert first.sync == "shots" and first.timings_s.get("shots_during_speech", 0) > 0
    folder = settings.data_dir.joinpath(*FOLDER)
    kept = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    assert len(kept) == 2  # by content and by the file
    options = RenderOptions(music_volume=0.2)
    edit = RenderRequest(out=tmp_path / "b.mp4", media=clip, script=script, options=options)
    assert render(edit, settings).shots == first.shots
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == kept  # nothing re-kept
