"""A loopback HTTP proxy that holds one request until the test lets it go (real HTTP on both
sides): the way a test stops a browser's upload at a chosen moment without timing."""

from __future__ import annotations

import asyncio

import aiohttp
from aiohttp import web

PASSED = ("Content-Type", "Location", "Cache-Control", "Content-Security-Policy")
PASSED_PREFIXES = ("Tus-", "Upload-")


def _kept(headers: object) -> dict[str, str]:
    items = headers.items() if hasattr(headers, "items") else []  # type: ignore[attr-defined]
    return {k: v for k, v in items if k.title() in PASSED or k.title().startswith(PASSED_PREFIXES)}


class GateProxy:
    """Forwards to `target`; the `hold_nth` PATCH waits until `release` is set (then fails)."""

    def __init__(self, target: str, hold_nth: int) -> None:
        self.target, self.hold_nth = target.rstrip("/"), hold_nth
        self.patches = 0
        self.held, self.release = asyncio.Event(), asyncio.Event()
        self.base = ""
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> str:
        """Listen on a free loopback port; returns the proxy's base URL."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._session = aiohttp.ClientSession()
        self.base = f"http://127.0.0.1:{port}"
        return self.base

    async def stop(self) -> None:
        """Stop listening."""
        self.release.set()
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        if request.method == "PATCH":
            self.patches += 1
            if self.patches == self.hold_nth:
                self.held.set()
                await self.release.wait()
                return web.Response(status=503)
        body = await request.read()
        assert self._session is not None
        async with self._session.request(
            request.method,
            self.target + request.path_qs,
            headers=_kept(request.headers),
            data=body,
            allow_redirects=False,
        ) as answer:
            data = await answer.read()
            headers = _kept(answer.headers)
            if "Location" in headers:
                headers["Location"] = headers["Location"].replace(self.target, self.base)
            return web.Response(status=answer.status, body=data, headers=headers)
