"""Shots found once per upload, in the background, kept with the media and pinned per job."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.backends.base import RenderState
from core.backends.local.backend import LocalBackend
from core.chat.drafts import fingerprint
from core.config import Settings
from core.words.timeline import summarize_draft
from core.words.timeline_picture import draw_timeline
from tests.backend_helpers import finish
from tests.shot_clips import make_colour_shots

PARAGRAPHS = "Red first.\n\nThen green.\n\nBlue now.\n\nYellow here.\n\nMagenta last."


@pytest.fixture
async def backend(settings: Settings) -> AsyncIterator[LocalBackend]:
    local = LocalBackend(settings)
    yield local
    await local.aclose()


async def _media(backend: LocalBackend, session: str) -> dict[str, object]:
    project = await backend._project(session)
    assert project.media is not None
    return project.media


async def test_a_job_keeps_its_shots_after_a_new_upload_replaces_the_video(
    backend: LocalBackend, tmp_path: Path
) -> None:
    five = make_colour_shots(tmp_path / "five.mp4", (2.0, 2.0, 2.0, 2.0, 2.0))
    two = make_colour_shots(tmp_path / "two.mp4", (3.0, 3.0))
    session = await backend.open_session("console:a", "en")
    await backend.upload(session, five, "five.mp4")
    [event async for event in backend.send(session, PARAGRAPHS)]
    pinned = await backend.snapshot(session)  # waits for the detection still running
    assert pinned.payload["media"]["shots"] == [2.0, 4.0, 6.0, 8.0]
    await backend.upload(session, two, "two.mp4")
    await backend.shots.wait((await _media(backend, session))["key"])  # type: ignore[arg-type]
    assert (await _media(backend, session))["shots"] == [3.0]
    status = await finish(backend, await backend.export(session, pinned, "job-1"))
    assert status.state is RenderState.COMPLETED, status.error
    assert status.sync == {"paragraphs": 5, "shots": 5, "holds": []}


async def test_shots_of_a_replaced_video_are_not_kept(
    backend: LocalBackend, tmp_path: Path
) -> None:
    five = make_colour_shots(tmp_path / "five.mp4", (2.0, 2.0, 2.0, 2.0, 2.0))
    session = await backend.open_session("console:b", "en")
    await backend.upload(session, five, "five.mp4")
    first_key = (await _media(backend, session))["key"]
    await backend.shots.wait(first_key)  # type: ignore[arg-type]
    assert (await _media(backend, session))["shots"] == [2.0, 4.0, 6.0, 8.0]
    await backend._keep_shots(session, "uploads/not-this-one.mp4", [1.0])  # a late detection
    assert (await _media(backend, session))["shots"] == [2.0, 4.0, 6.0, 8.0]
    draft = await backend.state(session)
    video = draft["t"][0]["sg"][0]["m"]
    assert video["shots"][:2] == [[0.0, 2.0], [2.0, 4.0]]


async def test_status_and_the_picture_show_the_latest_holds(
    backend: LocalBackend, tmp_path: Path
) -> None:
    clip = make_colour_shots(tmp_path / "held.mp4", (2.0, 1.5, 2.0))
    session = await backend.open_session("console:c", "en")
    await backend.upload(session, clip, "held.mp4")
    long = "This paragraph about the short shot goes on and on, far longer than the shot is."
    [event async for event in backend.send(session, f"Red first.\n\n{long}\n\nBlue last.")]
    await backend.shots.wait((await _media(backend, session))["key"])  # type: ignore[arg-type]
    status = await finish(backend, await backend.export(session))
    assert status.sync is not None and status.sync["holds"][0][0] == 2
    draft = await backend.state(session)
    line = summarize_draft(draft, "en").splitlines()[-1]
    assert line.startswith("Shots (3): 1 0:00.0–0:02.0 · 2 0:02.0–0:03.5 (held ")
    assert "镜头（3）" in summarize_draft(draft, "zh") and "停留" in summarize_draft(draft, "zh")
    picture = draw_timeline(draft, tmp_path / "t.png")
    assert picture.read_bytes()[:4] == b"\x89PNG"


def test_what_we_find_about_the_media_does_not_change_the_fingerprint() -> None:
    video = {"name": "v.mp4", "role": "video"}
    plain = {"d": 1000, "t": [{"tt": 0, "sg": [{"s": 0, "d": 1000, "m": video}]}]}
    found = {**video, "shots": [[0.0, 1.0]], "holds": [[1, 2.0]]}
    known = {"d": 1000, "t": [{"tt": 0, "sg": [{"s": 0, "d": 1000, "m": found}]}]}
    assert fingerprint(plain) == fingerprint(known)
    other = {"d": 1000, "t": [{"tt": 0, "sg": [{"s": 0, "d": 1000, "m": {**video, "fit": "x"}}]}]}
    assert fingerprint(other) != fingerprint(plain)
