"""The composition root (core/wiring.py): parts handed their collaborators at construction, and
a start that fails part-way closes what did start, with nothing left running."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from core.backends.local.backend import LocalBackend
from core.config import Settings
from core.jobs.sqlite_queue import SqliteJobQueue
from core.ports import Chat, Incoming
from core.store import Store
from core.wiring import Parts, worker_parts
from core.work.model import Job
from tests.loopback import free_port, port_free


async def _no_message(incoming: Incoming, chat: Chat) -> None:
    raise AssertionError("no upload finishes in these tests")


def _others() -> set[asyncio.Task[object]]:
    return asyncio.all_tasks() - {asyncio.current_task()}  # type: ignore[operator]


async def test_a_part_whose_start_raises_closes_the_parts_started_before_it(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    parts = Parts(settings.model_copy(update={"http_port": port}), _no_message)
    before = _others()

    def runner_start() -> None:
        raise RuntimeError("the runner can't start")

    monkeypatch.setattr(parts.runner, "start", runner_start)  # the last part before the loops
    with pytest.raises(RuntimeError, match="the runner can't start"):
        async with parts:
            pytest.fail("the parts should not have started")
    assert parts.store._db is None  # opened first, closed again
    assert port_free(port)  # the link server listened, then stopped
    assert isinstance(parts.backend, LocalBackend) and parts.backend.store._db is None
    assert not parts._tasks and _others() <= before  # nothing left running
    assert not parts.started


async def test_links_point_at_the_port_the_server_was_given(settings: Settings) -> None:
    parts = Parts(settings.model_copy(update={"http_port": 0}), _no_message)
    assert parts.signer.base_url == settings.public_base_url  # not listening yet
    async with parts:
        port = parts.link_server.port
        assert port and parts.signer.base_url == f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient() as client:
            health = await client.get(f"{parts.signer.base_url}/healthz")
        assert health.status_code == 200
    assert parts.store._db is None


async def test_the_parts_share_one_of_each_collaborator(settings: Settings) -> None:
    parts = Parts(settings, _no_message)
    assert parts.deps.timings is parts.timings and parts.renders.timings is parts.timings
    assert parts.queue.max_queued == settings.max_queued_renders
    assert parts.deliveries.on_end == [parts.webhooks.job_ended]
    assert parts.queue.on_cancel == [parts.webhooks.job_cancelled]
    assert parts.runner._run_job == parts.pipeline.run  # render, then deliver: the jobs layer's
    assert parts.workers is None and parts.remote is None  # SQLite: renders run here
    await parts.stop()  # never started: what was made is closed all the same
    await parts.stop()  # and a second stop does nothing


async def test_a_user_cancel_is_seen_by_the_render_job_through_the_shared_set(
    settings: Settings,
) -> None:
    parts = Parts(settings, _no_message)
    assert not parts.renders.stopped_by_user("job1")
    parts.cancelled.add("job1")  # what JobRunner.cancel does for a running job
    assert parts.renders.stopped_by_user("job1") and parts.runner.cancelled_by_user("job1")
    await parts.stop()


async def test_a_workers_parts_render_with_unlimited_credits_and_the_given_fence(
    settings: Settings,
) -> None:
    store = Store(settings.data_dir / "w.db")

    async def fence(job: Job) -> bool:
        return True

    parts = worker_parts(settings, SqliteJobQueue(store), fence)
    assert parts.settings.unlimited_credits and not settings.unlimited_credits
    assert parts.renders.fence is fence and parts.renders.media is parts.media
    assert not parts.renders.stopped_by_user("any")
    await parts.backend.aclose()
