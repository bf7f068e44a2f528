"""The HTTP API with batches, through the real server: a 12-clip batch queued with positions in
its own budget (the chats' MAX_QUEUED_RENDERS untouched), 429 with Retry-After past that
budget; the list of an account's jobs (chat-made too) in stable pages; a job being taken in
when the service stops ends INTAKE_INTERRUPTED at the next start, its webhook sent."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from core.config import Settings
from core.service import Service
from tests.api_helpers import base_url, key_from_terminal, receiver, terminal, verify
from tests.chat_helpers import SCRIPT, SEED

BATCH = 12


@pytest.fixture
def clip(tiny: Path) -> bytes:
    return tiny.read_bytes()


@pytest.fixture
def service_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "http_port": 0,
            "max_concurrent_jobs": 1,
            "allow_private_callbacks": True,
            "unlimited_credits": True,
            "api_max_queued_jobs": BATCH,
        }
    )


@asynccontextmanager
async def lane_held(service: Service, owner: str) -> AsyncIterator[asyncio.Event]:
    """The owner's lane busy (as with a long upload of theirs) until the event is set."""
    release = asyncio.Event()
    task, _ = service.lanes.submit(owner, release.wait, stoppable=False)
    try:
        yield release
    finally:
        release.set()
        await asyncio.gather(task, return_exceptions=True)


async def taken_in(service: Service) -> None:
    """Until no API job is being taken in."""
    async with asyncio.timeout(120):
        await asyncio.gather(*(task for _, task in list(service.api.intakes.tasks.values())))


async def every_page(client: httpx.AsyncClient, auth: dict[str, str], size: int) -> list[str]:
    """The ids of GET /api/v1/jobs, page after page."""
    seen: list[str] = []
    cursor = ""
    while True:
        query = f"?limit={size}" + (f"&cursor={cursor}" if cursor else "")
        page = (await client.get(f"/api/v1/jobs{query}", headers=auth)).json()
        seen += [job["id"] for job in page["jobs"]]
        cursor = page["next_cursor"]
        if not cursor:
            return seen


async def post(client: httpx.AsyncClient, auth: dict[str, str], clip: bytes) -> httpx.Response:
    return await client.post(
        "/api/v1/jobs",
        headers=auth,
        files={"media": ("demo.mp4", clip, "video/mp4")},
        data={"text": SCRIPT},
    )


async def test_a_batch_of_12_is_queued_with_positions_apart_from_the_chats_budget(
    service: Service, tiny: Path, clip: bytes
) -> None:
    account = await key_from_terminal(service)
    async with httpx.AsyncClient(base_url=base_url(service), timeout=60) as client:
        async with lane_held(service, "console:you"):
            answers = [await post(client, account.auth, clip) for _ in range(BATCH)]
            assert [a.status_code for a in answers] == [202] * BATCH, answers[-1].text
            jobs = [a.json() for a in answers]
            assert [j["position"] for j in jobs] == list(range(1, BATCH + 1))
            assert {j["state"] for j in jobs} == {"queued"} and len({j["id"] for j in jobs}) == 12
            over = await post(client, account.auth, clip)
            assert over.status_code == 429 and over.json()["code"] == 4308, over.text
            assert over.headers["Retry-After"] == "60"
            assert over.headers["Content-Type"].startswith("application/problem+json")
            paged = await every_page(client, account.auth, 5)  # all still being taken in
            assert paged == [j["id"] for j in jobs[::-1]]
        await taken_in(service)
        posted = [j["id"] for j in jobs]
        waiting = [j.id for j in await service.queue.active_for("console:you")]
        assert waiting == [i for i in posted if i in waiting]  # queued in the batch's order
        # The chat's own budget (MAX_QUEUED_RENDERS=3) is not taken by the batch.
        said = await terminal(service, "you", f"{tiny} {SEED}")
        chat_jobs = [
            j for j in await service.queue.active_for("console:you") if j.kind != "api_render"
        ]
        assert len(chat_jobs) == 1, said
        assert await every_page(client, account.auth, 5) == [chat_jobs[0].id, *paged]
        listed = (await client.get("/api/v1/jobs?limit=100", headers=account.auth)).json()
        assert listed["jobs"][0]["id"] == chat_jobs[0].id  # the chat's job is listed, newest
        assert [j["id"] for j in listed["jobs"][1:]] == [j["id"] for j in jobs[::-1]]
        stopped = []
        for job in listed["jobs"]:
            answer = await client.delete(f"/api/v1/jobs/{job['id']}", headers=account.auth)
            if answer.status_code == 200 and answer.json()["state"] == "cancelled":
                stopped.append(job["id"])  # (a render that finished first stays done)
        assert chat_jobs[0].id in stopped
        cancelled = await client.get(
            "/api/v1/jobs?state=cancelled&limit=100", headers=account.auth
        )
        assert [j["id"] for j in cancelled.json()["jobs"]] == stopped


async def test_pages_of_the_list_stay_put_while_jobs_are_added(
    service: Service, tiny: Path, clip: bytes
) -> None:
    account = await key_from_terminal(service)
    async with httpx.AsyncClient(base_url=base_url(service), timeout=60) as client:
        await terminal(service, "you", f"{tiny} {SEED}")  # a chat job first
        made = [(await post(client, account.auth, clip)).json()["id"] for _ in range(4)]
        await taken_in(service)
        first = (await client.get("/api/v1/jobs?limit=2", headers=account.auth)).json()
        assert [j["id"] for j in first["jobs"]] == made[::-1][:2]
        await post(client, account.auth, clip)  # newer than every page: it never shifts them
        await taken_in(service)
        seen = [j["id"] for j in first["jobs"]]
        cursor = first["next_cursor"]
        while cursor:
            page = await client.get(f"/api/v1/jobs?limit=2&cursor={cursor}", headers=account.auth)
            seen += [j["id"] for j in page.json()["jobs"]]
            cursor = page.json()["next_cursor"]
        chat = [j.id for j in await service.queue.owned("console:you", None, None, 100)][-1]
        assert seen == [*made[::-1], chat]
        bad = await client.get("/api/v1/jobs?cursor=12", headers=account.auth)
        assert bad.status_code == 422 and "cursor" in bad.json()["detail"]
        for job_id in seen:
            await client.delete(f"/api/v1/jobs/{job_id}", headers=account.auth)


async def test_a_stop_while_a_job_is_taken_in_ends_it_at_the_next_start(
    service_settings: Settings, tiny: Path, clip: bytes
) -> None:
    async with receiver() as hooks:
        async with Service(service_settings) as service:
            account = await key_from_terminal(service)
            async with httpx.AsyncClient(base_url=base_url(service), timeout=60) as client:
                release = asyncio.Event()
                service.lanes.submit("console:you", release.wait, stoppable=False)
                answer = await client.post(
                    "/api/v1/jobs",
                    headers={**account.auth, "Idempotency-Key": "lamp"},
                    files={"media": ("demo.mp4", clip, "video/mp4")},
                    data={"text": SCRIPT, "callback_url": hooks.url},
                )
                assert answer.status_code == 202 and answer.json()["state"] == "queued"
                job_id = answer.json()["id"]
        # Stopped with the job still waiting to be taken in; the next start ends it.
        async with Service(service_settings) as service:
            await hooks.wait(1, limit_s=60)
            [(body, signature)] = hooks.accepted
            assert verify(account.secret, signature, body)
            sent = json.loads(body)
            assert sent["id"] == job_id and sent["state"] == "failed"
            assert sent["error"]["code"] == 5007 and "restarted" in sent["error"]["message"]
            async with httpx.AsyncClient(base_url=base_url(service), timeout=60) as client:
                shown = await client.get(f"/api/v1/jobs/{job_id}", headers=account.auth)
                assert shown.json() == sent
                again = await client.post(
                    "/api/v1/jobs",
                    headers={**account.auth, "Idempotency-Key": "lamp"},
                    files={"media": ("demo.mp4", clip, "video/mp4")},
                    data={"text": SCRIPT},
                )
                assert again.status_code == 202 and again.json()["id"] != job_id
                await taken_in(service)
                await client.delete(f"/api/v1/jobs/{again.json()['id']}", headers=account.auth)
            staged = list((service_settings.data_dir / "media" / ".staging").glob("*"))
            assert staged == []


async def test_a_job_cancelled_while_it_is_taken_in_is_cancelled_once_queued(
    service: Service, clip: bytes
) -> None:
    account = await key_from_terminal(service)
    async with httpx.AsyncClient(base_url=base_url(service), timeout=60) as client:
        async with lane_held(service, "console:you") as release:
            job = (await post(client, account.auth, clip)).json()
            shown = await client.get(f"/api/v1/jobs/{job['id']}", headers=account.auth)
            assert shown.json()["state"] == "queued" and shown.json()["position"] == 1
            early = await client.get(f"/api/v1/jobs/{job['id']}/result", headers=account.auth)
            assert early.status_code == 409
            cancel = asyncio.ensure_future(
                client.delete(f"/api/v1/jobs/{job['id']}", headers=account.auth)
            )
            release.set()
            answer = await cancel
        assert answer.status_code == 200 and answer.json()["state"] == "cancelled", answer.text
        assert answer.json()["created"] == job["created"]  # the time the POST was accepted
        assert await service.queue.active_for("console:you") == []
        credits = (await client.get("/api/v1/credits", headers=account.auth)).json()
        assert credits["frozen"] == 0
