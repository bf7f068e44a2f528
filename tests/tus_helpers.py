"""A tus server on loopback with a fake clock (the protocol tests' fixture)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp import web

from core.delivery.links import LinkServer, LinkSigner
from core.web.tus import SIGNED_FOR, TusServer, ticket_path
from core.web.tus_store import Ticket, TusStore, Upload
from tests.fakes import FakeClock

TTL_S = 3600.0
MAX_BYTES = 4_000_000
TUS = {"Tus-Resumable": "1.0.0"}
OCTETS = "application/offset+octet-stream"


@dataclass
class Served:
    """A tus server on loopback with a fake clock; finished uploads are collected."""

    store: TusStore
    signer: LinkSigner
    clock: FakeClock
    done: list[tuple[Ticket, Upload, bytes]] = field(default_factory=list)

    async def link(self, owner: str = "telegram:1") -> tuple[Ticket, str]:
        ticket = await self.store.issue(
            owner=owner, platform="test", user_id="1", chat_id="c1", language="en"
        )
        return ticket, self.signer.sign(ticket_path(ticket.id), owner, SIGNED_FOR)

    def files(self) -> list[Path]:
        folder = self.store.root / "files"
        return sorted(folder.iterdir()) if folder.is_dir() else []


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[Served]:
    clock = FakeClock()
    signer = LinkSigner(b"k" * 32, "http://127.0.0.1:0", TTL_S, clock)
    store = TusStore(tmp_path / "tus", clock, TTL_S)
    result = Served(store, signer, clock)

    async def complete(ticket: Ticket, upload: Upload) -> None:
        data = await asyncio.to_thread(store.data_path(upload).read_bytes)
        result.done.append((ticket, upload, data))

    app = web.Application()
    app.add_routes(TusServer(store, signer, MAX_BYTES, complete).routes())
    server = LinkServer(app, "127.0.0.1", 0)
    await server.start()
    signer.base_url = f"http://127.0.0.1:{server.port}"
    yield result
    await server.stop()


def _data(size: int) -> bytes:
    return os.urandom(size)
