"""A disk short of space where files come in: a link refused by its Content-Length, a tus
upload refused before any byte (507) or dropped when the disk fills while it arrives, and
SQLite's "database or disk is full" told as the same refusal."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from pathlib import Path

import httpx
import pytest
from aiohttp import web

from core.backends.local.fetch import download_url
from core.delivery.links import LinkServer, LinkSigner
from core.disk import FREE_OVERRIDE, disk_full_of
from core.errors import ErrorCode, VoiceoverError, message_for
from core.web.tus import SIGNED_FOR, TusServer, ticket_path
from core.web.tus_store import TusStore
from tests.fakes import FakeClock, tree_files
from tests.loopback import serve_loopback
from tests.small_disk import fill, small_tmpfs

RESERVE = 1_000_000
FULL_EN = message_for(ErrorCode.DISK_FULL, "en")
FULL_ZH = message_for(ErrorCode.DISK_FULL, "zh")


async def test_a_url_too_big_for_the_disk_is_refused_by_its_length(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def body(_request: web.Request) -> web.Response:
        return web.Response(body=b"x" * 200_000)

    app = web.Application()
    app.router.add_get("/clip.mp4", body)
    runner = web.AppRunner(app)
    port = await serve_loopback(runner)
    monkeypatch.setenv(FREE_OVERRIDE, str(RESERVE + 100_000))
    try:
        with pytest.raises(VoiceoverError) as refused:
            await download_url(
                f"http://127.0.0.1:{port}/clip.mp4",
                tmp_path / "clip.mp4",
                max_bytes=10_000_000,
                allow_private=True,
                reserve=RESERVE,
            )
    finally:
        await runner.cleanup()
    assert refused.value.code is ErrorCode.DISK_FULL
    assert tree_files(tmp_path) == []


async def test_a_tus_upload_too_big_for_the_disk_is_refused_before_any_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FakeClock()
    signer = LinkSigner(b"k" * 32, "http://127.0.0.1:0", 3600, clock)
    store = TusStore(tmp_path / "tus", clock, 3600)
    server = TusServer(store, signer, 10_000_000, lambda _t, _u: _nothing())
    server.reserve = RESERVE
    app = web.Application()
    app.add_routes(server.routes())
    links = LinkServer(app, "127.0.0.1", 0)
    await links.start()
    signer.base_url = f"http://127.0.0.1:{links.port}"
    ticket = await store.issue(
        owner="telegram:1", platform="test", user_id="1", chat_id="c1", language="zh"
    )
    url = signer.sign(ticket_path(ticket.id), "telegram:1", SIGNED_FOR)
    monkeypatch.setenv(FREE_OVERRIDE, str(RESERVE + 100_000))
    headers = {"Tus-Resumable": "1.0.0", "Upload-Length": "200000"}
    try:
        async with httpx.AsyncClient() as client:
            refused = await client.post(url, headers=headers)
            monkeypatch.delenv(FREE_OVERRIDE)
            taken = await client.post(url, headers=headers)
    finally:
        await links.stop()
    assert refused.status_code == 507 and refused.text == FULL_ZH
    assert taken.status_code == 201


async def _nothing() -> None:
    return None


def test_a_full_disk_under_sqlite_is_told_as_a_full_disk(tmp_path: Path) -> None:
    with small_tmpfs(tmp_path / "small-db", 1) as folder:
        db = sqlite3.connect(folder / "x.db")
        db.execute("CREATE TABLE t(b BLOB)")
        fill(folder)
        with pytest.raises(sqlite3.OperationalError) as full:
            db.execute("INSERT INTO t VALUES (?)", (os.urandom(300_000),))
            db.commit()
        db.close()
    told = disk_full_of(full.value, "chat")
    assert told is not None and told.code is ErrorCode.DISK_FULL
    assert disk_full_of(ValueError("database or disk"), "chat") is None


async def test_a_tus_upload_that_fills_the_disk_is_told_and_dropped(tmp_path: Path) -> None:
    clock = FakeClock()
    signer = LinkSigner(b"k" * 32, "http://127.0.0.1:0", 3600, clock)
    with small_tmpfs(tmp_path / "small-tus", 4) as folder:
        store = TusStore(folder / "tus", clock, 3600)
        app = web.Application()
        app.add_routes(TusServer(store, signer, 10_000_000, lambda _t, _u: _nothing()).routes())
        links = LinkServer(app, "127.0.0.1", 0)
        await links.start()
        signer.base_url = f"http://127.0.0.1:{links.port}"
        ticket = await store.issue(
            owner="telegram:1", platform="test", user_id="1", chat_id="c1", language="en"
        )
        url = signer.sign(ticket_path(ticket.id), "telegram:1", SIGNED_FOR)
        headers = {"Tus-Resumable": "1.0.0"}
        try:
            async with httpx.AsyncClient() as client:
                made = await client.post(url, headers={**headers, "Upload-Length": "2000000"})
                await asyncio.to_thread(fill, folder, 200_000)  # something else takes the disk
                patch = {**headers, "Upload-Offset": "0"}
                patch["Content-Type"] = "application/offset+octet-stream"
                sent = await client.patch(
                    made.headers["Location"], headers=patch, content=os.urandom(2_000_000)
                )
        finally:
            await links.stop()
        left = await asyncio.to_thread(tree_files, folder / "tus" / "files")
    assert made.status_code == 201
    assert sent.status_code == 507 and sent.text == FULL_EN
    assert left == []  # the half-written upload is gone
