"""Signed links over real HTTP: valid, expired, tampered, another owner's, unknown job."""

from __future__ import annotations

import asyncio
import logging
import os
import stat
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from core.config import Settings
from core.delivery.links import LinkServer, LinkSigner, link_app, load_link_key
from core.delivery.results import cleanup_results, deliver_result
from core.errors import ErrorCode
from core.media.local import LocalMediaStore
from core.words.errors import message_for
from core.work.output import RenderOutput
from tests.fakes import FakeClock, RecordingChat

JOB = "0123456789abcdef0123456789abcdef"


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[LinkSigner, FakeClock, str]]:
    result = tmp_path / f"{JOB}.mp4"
    result.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"x" * 100)
    clock = FakeClock()

    async def resolve(job_id: str) -> tuple[str, Path] | None:
        return ("telegram:1", result) if job_id == JOB else None

    signer = LinkSigner(b"k" * 32, "http://127.0.0.1:0", 3600, clock)
    server = LinkServer(link_app(signer, resolve), "127.0.0.1", 0)
    await server.start()
    signer.base_url = f"http://127.0.0.1:{server.port}"
    yield signer, clock, signer.base_url
    await server.stop()


async def test_valid_link_downloads_as_attachment(
    served: tuple[LinkSigner, FakeClock, str],
) -> None:
    signer, _, _ = served
    async with httpx.AsyncClient() as client:
        response = await client.get(signer.url(JOB, "telegram:1"))
    assert response.status_code == 200
    assert response.content.startswith(b"\x00\x00\x00\x18ftyp")
    assert response.headers["content-disposition"].startswith("attachment")


async def test_expired_link(served: tuple[LinkSigner, FakeClock, str]) -> None:
    signer, clock, _ = served
    url = signer.url(JOB, "telegram:1")
    await clock.advance(3601, step=3601)
    async with httpx.AsyncClient() as client:
        response = await client.get(url)
    assert response.status_code == 410 and "expired" in response.text


async def test_tampered_links(served: tuple[LinkSigner, FakeClock, str]) -> None:
    signer, _, base = served
    url = signer.url(JOB, "telegram:1")
    longer = url.replace("e=", "e=9")
    flipped = url[:-1] + ("0" if url[-1] != "0" else "1")
    async with httpx.AsyncClient() as client:
        for bad in (longer, flipped, f"{base}/r/{JOB}", f"{base}/r/{JOB}?e=1&s=zz"):
            assert (await client.get(bad)).status_code == 403


@pytest.mark.parametrize(
    ("expires", "signature"),
    [
        ("²", None),
        ("1" * 5000, None),
        ("١٢٣", None),
        ("-1", None),
        (" 12", None),
        (None, "é" * 64),
        (None, "²"),
        (None, "A" * 64),
    ],
    ids=[
        "superscript",
        "5000 digits",
        "arabic digits",
        "negative",
        "space",
        "non-ascii s",
        "superscript s",
        "upper-case s",
    ],
)
async def test_junk_in_a_link_is_403_in_one_line(
    served: tuple[LinkSigner, FakeClock, str],
    caplog: pytest.LogCaptureFixture,
    expires: str | None,
    signature: str | None,
) -> None:
    signer, _, base = served
    good = httpx.URL(signer.url(JOB, "telegram:1")).params
    params = {"e": expires or good["e"], "s": signature or good["s"]}
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{base}/r/{JOB}", params=params)
    assert response.status_code == 403
    assert response.text == message_for(ErrorCode.LINK_INVALID)
    assert "Traceback" not in caplog.text


async def test_another_owners_link_is_refused(served: tuple[LinkSigner, FakeClock, str]) -> None:
    signer, _, _ = served
    async with httpx.AsyncClient() as client:
        response = await client.get(signer.url(JOB, "telegram:2"))
    assert response.status_code == 403 and "isn't valid" in response.text


async def test_unknown_or_malformed_job_ids(served: tuple[LinkSigner, FakeClock, str]) -> None:
    signer, _, base = served
    async with httpx.AsyncClient() as client:
        assert (await client.get(signer.url("f" * 32, "telegram:1"))).status_code == 403
        assert (await client.get(f"{base}/r/..%2F..%2Fetc%2Fpasswd")).status_code in (403, 404)


def test_link_key_generated_once_with_0600(settings: Settings) -> None:
    first = load_link_key(settings)
    assert load_link_key(settings) == first and len(first) == 64
    mode = stat.S_IMODE(os.stat(settings.data_dir / "link.key").st_mode)
    assert mode == 0o600


def test_configured_link_secret_wins(settings: Settings) -> None:
    configured = settings.model_copy(update={"link_secret": SecretStr("s" * 40)})
    assert load_link_key(configured) == b"s" * 40


def test_retention_removes_only_old_results(tmp_path: Path) -> None:
    old, new = tmp_path / "old.mp4", tmp_path / "new.mp4"
    for path in (old, new):
        path.write_bytes(b"x")
    os.utime(old, (1000, 1000))
    removed = cleanup_results([tmp_path, tmp_path / "missing"], 3600, now=10_000)
    assert removed == 1 and not old.exists() and new.exists() is True


async def test_a_cloud_result_is_sent_as_its_url(tmp_path: Path) -> None:
    chat = RecordingChat(upload_limit=10**9)
    signer = LinkSigner(b"k" * 32, "http://127.0.0.1:1", 3600, FakeClock())
    record = {"url": "https://cdn.example/v.mp4", "duration_s": 62.0, "size_bytes": 5_000_000}
    output = RenderOutput.from_record(record)  # as a job keeps it
    kind = await deliver_result(
        chat,
        output,
        job_id=JOB,
        owner="o",
        signer=signer,
        language="en",
        media=LocalMediaStore(tmp_path),
    )
    assert kind == "link" and chat.results[0].url == "https://cdn.example/v.mp4"
    assert "(1:02, 5.0 MB)" in chat.results[0].text


@pytest.mark.parametrize(
    "garbage",
    [
        b"GET / HTTP/1.1\r\nno colon here\r\n\r\n",
        b"GET /\x01 HTTP/1.1\r\n\r\n",
        b"GET / HTTP/9\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
    ],
    ids=["header", "url", "version", "tls"],
)
async def test_a_malformed_request_is_one_log_line(
    served: tuple[LinkSigner, FakeClock, str], caplog: pytest.LogCaptureFixture, garbage: bytes
) -> None:
    caplog.set_level(logging.DEBUG)
    port = int(served[2].rsplit(":", 1)[1])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(garbage)
    answer = await reader.read()  # the server answers 400 and closes, after logging
    writer.close()
    assert answer.startswith(b"HTTP/1.0 400")
    records = [r for r in caplog.records if r.name.startswith(("aiohttp", "core.delivery.links"))]
    assert len(records) == 1, caplog.text
    [record] = records
    assert record.getMessage().startswith("malformed HTTP request from 127.0.0.1: ")
    assert "\n" not in record.getMessage() and record.levelno <= logging.INFO
    assert "Traceback" not in caplog.text


async def test_an_error_in_our_handler_still_logs_its_traceback(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async def resolve(job_id: str) -> tuple[str, Path] | None:
        raise RuntimeError("the store is gone")

    signer = LinkSigner(b"k" * 32, "http://127.0.0.1:0", 3600, FakeClock())
    server = LinkServer(link_app(signer, resolve), "127.0.0.1", 0)
    await server.start()
    try:
        async with httpx.AsyncClient() as client:
            response = await client.get(f"http://127.0.0.1:{server.port}/r/{JOB}?e=1&s=x")
    finally:
        await server.stop()
    assert response.status_code == 500
    [record] = [r for r in caplog.records if r.name.startswith(("aiohttp", "core.delivery.links"))]
    assert record.levelno == logging.ERROR and record.exc_info is not None
    assert "Traceback" in caplog.text and "RuntimeError: the store is gone" in caplog.text
