"""The HTTP API's test parts: a key from the terminal chat, a loopback webhook receiver that
checks signatures, and polling a job to its end."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import io
import re
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from aiohttp import web

from bots.console import PLATFORM, ConsoleChat, parse_line
from core.service import Service
from tests.loopback import serve_loopback

KEY = re.compile(r"\b(vo_[A-Za-z0-9_-]{32,})\b")
SECRET = re.compile(r"\b(whsec_[A-Za-z0-9_-]{32,})\b")


@dataclass(frozen=True)
class Account:
    """What /apikey showed: the key and the signing secret."""

    key: str
    secret: str

    @property
    def auth(self) -> dict[str, str]:
        """The Authorization header."""
        return {"Authorization": f"Bearer {self.key}"}


async def terminal(service: Service, user: str, line: str) -> str:
    """Send a line in the terminal chat (the console adapter); what it printed."""
    out = io.StringIO()
    chat = ConsoleChat(out)
    service.register_platform(PLATFORM, lambda chat_id, context: chat)
    await service.handle(parse_line(line, f"{user}-{secrets.token_hex(8)}", user), chat)
    return out.getvalue()


async def key_from_terminal(service: Service, user: str = "you", line: str = "/apikey") -> Account:
    """Send /apikey in the terminal chat and read the key and secret it printed."""
    printed = await terminal(service, user, line)
    if "revoke" in line:
        return Account("", "")
    key, secret = KEY.search(printed), SECRET.search(printed)
    assert key and secret, printed
    return Account(key.group(1), secret.group(1))


def verify(secret: str, header: str, body: bytes) -> bool:
    """Check an X-Voiceover-Signature header the way a receiver would."""
    parts = dict(item.split("=", 1) for item in header.split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256)
    return hmac.compare_digest(expected.hexdigest(), parts["v1"])


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1: answers `fail_first` POSTs with 500, then 200."""

    fail_first: int = 0
    calls: list[tuple[bytes, str]] = field(default_factory=list)  # every POST
    accepted: list[tuple[bytes, str]] = field(default_factory=list)  # those answered 200
    port: int = 0
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    called: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def url(self) -> str:
        """Where to point callback_url."""
        return f"http://127.0.0.1:{self.port}/hook"

    async def handle(self, request: web.Request) -> web.Response:
        """One POST."""
        body = await request.read()
        self.calls.append((body, request.headers.get("X-Voiceover-Signature", "")))
        self.called.set()
        if len(self.calls) <= self.fail_first:
            return web.Response(status=500)
        self.accepted.append(self.calls[-1])
        self.arrived.set()
        return web.Response(text="ok")

    async def wait_calls(self, count: int, limit_s: float = 60.0) -> None:
        """Until `count` POSTs came (accepted or not)."""
        async with asyncio.timeout(limit_s):
            while len(self.calls) < count:
                self.called.clear()
                await self.called.wait()

    async def wait(self, count: int, limit_s: float = 120.0) -> None:
        """Until `count` POSTs were accepted."""
        async with asyncio.timeout(limit_s):
            while len(self.accepted) < count:
                self.arrived.clear()
                await self.arrived.wait()


@asynccontextmanager
async def receiver(fail_first: int = 0) -> AsyncIterator[Receiver]:
    """A running Receiver."""
    hooks = Receiver(fail_first)
    app = web.Application()
    app.router.add_post("/hook", hooks.handle)
    runner = web.AppRunner(app)
    hooks.port = await serve_loopback(runner)
    try:
        yield hooks
    finally:
        await runner.cleanup()


def base_url(service: Service) -> str:
    """The service's web server."""
    assert service.link_server is not None
    return f"http://127.0.0.1:{service.link_server.port}"


async def wait_ended(client: httpx.AsyncClient, job_id: str, auth: dict[str, str]) -> Any:
    """Poll GET /api/v1/jobs/{id} until the job ends; its JSON."""
    async with asyncio.timeout(180):
        while True:
            answer = await client.get(f"/api/v1/jobs/{job_id}", headers=auth)
            assert answer.status_code == 200, answer.text
            job = answer.json()
            if job["state"] in ("done", "failed", "cancelled"):
                return job
            await asyncio.sleep(0.2)
