"""NemoVideo exports against the loopback fake: the draft check, submit and its retry, polling,
the download URL or the fallback download, one export per session, failed and slow renders."""

from __future__ import annotations

import pytest

from core.backends.base import RenderHandle, RenderState
from core.backends.nemo.backend import NemoBackend
from core.config import Settings
from core.errors import ErrorCode, VoiceoverError
from tests.fake_nemo import FakeNemo
from tests.nemo_events import full_draft, video_draft
from tests.nemo_helpers import FAST

pytest_plugins = ["tests.nemo_fixtures"]  # fixtures: nemo_fake, nemo_settings, nemo_backend


async def test_export_flow_with_progress_and_download_url(
    nemo_backend: NemoBackend, nemo_fake: FakeNemo
) -> None:
    sid = await nemo_backend.open_session("u", "en")
    nemo_fake.sessions[sid].draft = full_draft()
    nemo_fake.render_polls_needed = 3
    handle = await nemo_backend.export(sid)
    submitted = nemo_fake.calls("/api/render/proxy/lambda")[0].json
    assert submitted["id"] == handle.id and handle.id.startswith("render_")
    assert submitted["sessionId"] == sid and submitted["draft"] == full_draft()
    assert submitted["output"] == {"format": "mp4", "quality": "high"}
    with pytest.raises(VoiceoverError) as busy:
        await nemo_backend.export(sid)
    assert busy.value.code == ErrorCode.JOB_RUNNING
    first, second, done = [await nemo_backend.render_status(handle) for _ in range(3)]
    assert first.state == RenderState.PROCESSING and 0 < first.percent < second.percent
    assert (
        done.state == RenderState.COMPLETED and done.url == f"https://cdn.example/{handle.id}.mp4"
    )
    nemo_fake.render_output_url = False
    again = await nemo_backend.export(sid)  # the session is free again
    statuses = [await nemo_backend.render_status(again) for _ in range(3)]
    assert statuses[-1].url is None and statuses[-1].path is not None
    assert statuses[-1].path.read_bytes() == nemo_fake.download_bytes(again.id)
    download = nemo_fake.calls(f"/api/render/proxy/{again.id}/download")[0]
    assert download.headers["Authorization"].startswith("Bearer nmv_usr_")


async def test_export_needs_a_draft(nemo_backend: NemoBackend, nemo_fake: FakeNemo) -> None:
    sid = await nemo_backend.open_session("u", "en")
    nemo_fake.sessions[sid].draft = {"t": [{"tt": 0, "sg": []}]}
    with pytest.raises(VoiceoverError) as caught:
        await nemo_backend.export(sid)
    assert caught.value.code == ErrorCode.NOTHING_TO_RENDER
    assert nemo_fake.calls("/api/render") == []
    nemo_fake.sessions[sid].draft = video_draft()
    assert (await nemo_backend.export(sid)).session_id == sid  # the failed check freed the session


async def test_export_submit_failure_retries_once_with_a_new_id(
    nemo_backend: NemoBackend, nemo_fake: FakeNemo
) -> None:
    sid = await nemo_backend.open_session("u", "en")
    nemo_fake.sessions[sid].draft = video_draft()
    nemo_fake.submit_failures = 1
    handle = await nemo_backend.export(sid)
    ids = [c.json["id"] for c in nemo_fake.calls("/api/render/proxy/lambda") if c.json]
    assert len(ids) == 2 and ids[0] != ids[1] == handle.id
    nemo_fake.submit_failures = 2
    nemo_fake.renders.clear()
    other = await nemo_backend.open_session("u", "en")
    nemo_fake.sessions[other].draft = video_draft()
    with pytest.raises(VoiceoverError) as caught:
        await nemo_backend.export(other)
    assert caught.value.code == ErrorCode.BACKEND_UNAVAILABLE


async def test_a_render_that_fails_once_is_resubmitted(
    nemo_backend: NemoBackend, nemo_fake: FakeNemo
) -> None:
    sid = await nemo_backend.open_session("u", "en")
    nemo_fake.sessions[sid].draft = video_draft()
    nemo_fake.render_polls_needed, nemo_fake.render_failures = 1, 1
    handle = await nemo_backend.export(sid)
    retry = await nemo_backend.render_status(handle)
    done = await nemo_backend.render_status(handle)
    assert retry.state == RenderState.PENDING
    assert done.state == RenderState.COMPLETED and done.url is not None
    assert len(nemo_fake.renders) == 2 and handle.id not in done.url
    nemo_fake.render_failures = 2
    twice = await nemo_backend.export(sid)
    await nemo_backend.render_status(twice)
    failed = await nemo_backend.render_status(twice)
    assert failed.state == RenderState.FAILED and failed.error is not None
    assert failed.error.code == ErrorCode.RENDER_FAILED


async def test_a_slow_render_stops_after_the_poll_limit(
    nemo_backend: NemoBackend, nemo_fake: FakeNemo
) -> None:
    sid = await nemo_backend.open_session("u", "en")
    nemo_fake.sessions[sid].draft = video_draft()
    nemo_fake.render_polls_needed = 100
    handle = await nemo_backend.export(sid)
    statuses = [await nemo_backend.render_status(handle) for _ in range(FAST.max_render_polls + 1)]
    assert all(s.state == RenderState.PROCESSING for s in statuses[:-1])
    assert statuses[-1].error is not None and statuses[-1].error.code == ErrorCode.TIMEOUT
    assert (await nemo_backend.export(sid)).id != handle.id


async def test_free_plan_export_block_is_not_about_credits(
    nemo_backend: NemoBackend, nemo_fake: FakeNemo
) -> None:
    sid = await nemo_backend.open_session("u", "en")
    nemo_fake.sessions[sid].draft = video_draft()
    nemo_fake.fail("render", 402, 402)
    with pytest.raises(VoiceoverError) as caught:
        await nemo_backend.export(sid)
    assert caught.value.code == ErrorCode.PLAN_BLOCKED
    assert "not about credits" in caught.value.message()
    assert len(nemo_fake.calls("/api/render/proxy/lambda")) == 1


async def test_handle_from_before_a_restart_still_polls(
    nemo_backend: NemoBackend, nemo_fake: FakeNemo, nemo_settings: Settings
) -> None:
    sid = await nemo_backend.open_session("u", "en")
    nemo_fake.sessions[sid].draft = video_draft()
    handle = await nemo_backend.export(sid)
    fresh = NemoBackend(nemo_settings, timings=FAST)
    nemo_fake.render_polls_needed = 1
    status = await fresh.render_status(RenderHandle(handle.id, handle.session_id))
    await fresh.aclose()
    assert status.state == RenderState.COMPLETED
