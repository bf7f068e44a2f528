"""Operations endpoints on the service's aiohttp app: /healthz, /readyz and /metrics."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from core.metrics import Metrics

Problems = Callable[[], Awaitable[list[str]]]
"""What keeps the service from working now (the queue or the store unreachable); [] when ready."""
Refresh = Callable[[], Awaitable[None]]
"""Bring the gauges up to date (jobs by state, workers) before a scrape."""


def add_ops_routes(
    app: web.Application, problems: Problems, metrics: Metrics, refresh: Refresh
) -> None:
    """GET /healthz (alive), /readyz (queue and store reachable) and /metrics (Prometheus)."""

    async def healthz(_request: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def readyz(_request: web.Request) -> web.Response:
        found = await problems()
        if found:
            return web.Response(status=503, text="".join(f"{p}\n" for p in found))
        return web.Response(text="ready\n")

    async def scrape(_request: web.Request) -> web.Response:
        await refresh()
        body = metrics.exposition()
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", scrape)
