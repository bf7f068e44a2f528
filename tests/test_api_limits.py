"""The HTTP API's limits and contract on a real server: 413 before the body is read (and while
it streams), 429 with Retry-After, webhooks retried with backoff across a restart (fake clock),
CORS off unless asked, security headers, the OpenAPI document valid."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate

from core.config import Settings
from core.service import Service
from tests.api_helpers import base_url, key_from_terminal, receiver, verify, wait_ended
from tests.chat_helpers import SCRIPT
from tests.fakes import FakeClock


@asynccontextmanager
async def api_service(
    settings: Settings, clock: FakeClock | None = None, **overrides: object
) -> AsyncIterator[tuple[Service, httpx.AsyncClient]]:
    """A started Service with the API's test settings, and a client of its web server."""
    update = {"http_port": 0, "allow_private_callbacks": True, **overrides}
    async with (
        Service(settings.model_copy(update=update), clock=clock) as service,
        httpx.AsyncClient(base_url=base_url(service), timeout=60) as client,
    ):
        yield service, client


async def tick(clock: FakeClock) -> None:
    """Move the fake clock along with real time (while a render needs it to)."""
    while True:
        await asyncio.sleep(0.05)
        await clock.advance(0.05, step=0.05)


async def status_line(port: int, head: str) -> bytes:
    """Send only a request's head (no body) and read the status line it gets."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(head.encode())
        await writer.drain()
        return await asyncio.wait_for(reader.readline(), 30)
    finally:
        writer.close()


async def test_oversized_bodies_get_413_before_they_are_read(settings: Settings) -> None:
    async with api_service(settings, max_upload_bytes=200_000) as (service, client):
        account = await key_from_terminal(service)
        assert service.link_server is not None
        for expect in ("", "Expect: 100-continue\r\n"):
            head = (
                "POST /api/v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Authorization: Bearer {account.key}\r\n"
                "Content-Type: multipart/form-data; boundary=b\r\n"
                f"Content-Length: 50000000000\r\n{expect}\r\n"
            )
            assert (await status_line(service.link_server.port, head)).startswith(b"HTTP/1.1 413")

        async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: the cap while streaming
            yield b'--b\r\nContent-Disposition: form-data; name="media"; filename="a.mp4"\r\n\r\n'
            for _ in range(50):
                yield b"\0" * 10_000

        answer = await client.post(
            "/api/v1/jobs",
            headers={**account.auth, "Content-Type": "multipart/form-data; boundary=b"},
            content=chunks(),
        )
        assert answer.status_code == 413 and answer.json()["code"] == 4002
        staging = list((settings.data_dir / "media" / ".staging").glob("*"))
        assert staging == []


async def test_expect_100_continue_is_answered_before_the_body(
    settings: Settings, tiny: Path
) -> None:
    async with api_service(settings) as (service, _client):
        account = await key_from_terminal(service)
        assert service.link_server is not None
        clip = await asyncio.to_thread(tiny.read_bytes)
        body = (
            b'--b\r\nContent-Disposition: form-data; name="text"\r\n\r\n'
            + SCRIPT.encode()
            + b'\r\n--b\r\nContent-Disposition: form-data; name="media"; filename="d.mp4"\r\n\r\n'
            + clip
            + b"\r\n--b--\r\n"
        )
        reader, writer = await asyncio.open_connection("127.0.0.1", service.link_server.port)
        writer.write(
            (
                "POST /api/v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Authorization: Bearer {account.key}\r\n"
                "Content-Type: multipart/form-data; boundary=b\r\n"
                f"Content-Length: {len(body)}\r\nExpect: 100-continue\r\n\r\n"
            ).encode()
        )
        await writer.drain()
        assert (await asyncio.wait_for(reader.readline(), 30)).startswith(b"HTTP/1.1 100")
        await reader.readline()  # the blank line after it
        writer.write(body)
        await writer.drain()
        assert (await asyncio.wait_for(reader.readline(), 60)).startswith(b"HTTP/1.1 202")
        writer.close()


async def test_a_key_over_its_rate_gets_429_with_retry_after(settings: Settings) -> None:
    async with api_service(settings, api_rate_per_minute=3) as (service, client):
        account = await key_from_terminal(service)
        codes = [(await client.get("/api/v1/credits", headers=account.auth)) for _ in range(4)]
        assert [c.status_code for c in codes] == [200, 200, 200, 429]
        assert int(codes[-1].headers["Retry-After"]) >= 1
        assert codes[-1].json()["code"] == 4405
        other = await key_from_terminal(service, "other")
        assert (await client.get("/api/v1/credits", headers=other.auth)).status_code == 200


async def test_a_webhook_failing_twice_is_delivered_once_across_a_restart(
    settings: Settings, tiny: Path
) -> None:
    start = time.time()
    async with receiver(fail_first=2) as hooks:
        clock = FakeClock(start)  # the rate limit's clock too: polls must not run out
        async with api_service(settings, clock, api_rate_per_minute=10**6) as (service, client):
            account = await key_from_terminal(service)
            answer = await client.post(
                "/api/v1/jobs",
                headers=account.auth,
                files={"media": ("demo.mp4", await asyncio.to_thread(tiny.read_bytes))},
                data={"text": SCRIPT, "callback_url": hooks.url},
            )
            assert answer.status_code == 202, answer.text
            ticker = asyncio.create_task(tick(clock))  # the render's heartbeats wait on it
            try:
                await wait_ended(client, answer.json()["id"], account.auth)
            finally:
                ticker.cancel()
            await hooks.wait_calls(1)
            await _advance_until_called(clock, hooks, 2)
            metrics = (await client.get("/metrics")).text
            assert 'voiceover_webhook_deliveries_total{status="retry"} 2.0' in metrics
        assert hooks.accepted == []
        later = FakeClock(start + 100)  # past the next try (30 s after the second)
        async with api_service(settings, later) as (service, client):
            await hooks.wait(1, limit_s=60)
            await later.advance(48 * 3600, step=3600)
            await asyncio.sleep(0.2)
            metrics = (await client.get("/metrics")).text
            assert 'voiceover_webhook_deliveries_total{status="delivered"} 1.0' in metrics
    assert len(hooks.calls) == 3 and len(hooks.accepted) == 1
    body, signature = hooks.accepted[0]
    assert verify(account.secret, signature, body) and json.loads(body)["state"] == "done"


async def _advance_until_called(clock: FakeClock, hooks: Any, count: int) -> None:
    """Move fake time in half seconds, up to 25 s (the third try is 30 s after the second),
    until `count` POSTs came: the outbox may schedule its retry only after the first answer
    is handled, so one big jump could land before its sleep starts and never wake it."""
    for _ in range(50):
        if len(hooks.calls) >= count:
            return
        await clock.advance(0.5, step=0.5)
        await asyncio.sleep(0.1)  # a real moment for the outbox to run (not a time bound)
    await hooks.wait_calls(count)


async def test_callbacks_must_be_public_unless_allowed(settings: Settings, tiny: Path) -> None:
    async with api_service(settings, allow_private_callbacks=False) as (service, client):
        account = await key_from_terminal(service)
        answer = await client.post(
            "/api/v1/jobs",
            headers=account.auth,
            files={"media": ("demo.mp4", await asyncio.to_thread(tiny.read_bytes))},
            data={"text": SCRIPT, "callback_url": "http://127.0.0.1:9/hook"},
        )
        assert answer.status_code == 422 and answer.json()["code"] == 4406


@pytest.mark.parametrize("origins", [[], ["https://app.example"]])
async def test_cors_is_off_unless_an_origin_is_named(
    settings: Settings, origins: list[str]
) -> None:
    async with api_service(settings, api_cors_origins=origins) as (service, client):
        account = await key_from_terminal(service)
        headers = {**account.auth, "Origin": "https://app.example"}
        answer = await client.get("/api/v1/credits", headers=headers)
        allowed = answer.headers.get("Access-Control-Allow-Origin")
        assert allowed == ("https://app.example" if origins else None)
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Cache-Control"] == "no-store"


async def test_the_openapi_document_is_valid_and_the_docs_page_has_no_cdn(
    settings: Settings,
) -> None:
    async with api_service(settings) as (service, client):
        document = (await client.get("/api/v1/openapi.json")).json()
        validate(document)
        assert document["openapi"].startswith("3.1")
        page = await client.get("/api/v1/docs")
        assert (
            page.status_code == 200
            and "script-src 'self'" in page.headers["Content-Security-Policy"]
        )
        assert "http" not in page.text.split("<body>")[1].replace("{{", "")
        script = await client.get("/static/api-docs.js")
        assert script.status_code == 200 and "openapi" not in script.text.lower()[:0]
