"""Start an aiohttp app on a free 127.0.0.1 port: the one way every fake server listens."""

from __future__ import annotations

from aiohttp import web


async def serve_loopback(runner: web.AppRunner) -> int:
    """Set the runner up, listen on 127.0.0.1 with a free port, and return the port."""
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return int(runner.addresses[0][1])
