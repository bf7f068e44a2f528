"""Start an aiohttp app on a free 127.0.0.1 port: the one way every fake server listens."""

from __future__ import annotations

import socket

from aiohttp import web


async def serve_loopback(runner: web.AppRunner, port: int = 0) -> int:
    """Set the runner up, listen on 127.0.0.1 (port 0: a free one), and return the port."""
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return int(runner.addresses[0][1])


def free_port() -> int:
    """A 127.0.0.1 port nothing listens on (connections are refused) until a test uses it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def port_free(port: int) -> bool:
    """True when nothing holds `port` on 127.0.0.1 (a server that stopped let it go)."""
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True
