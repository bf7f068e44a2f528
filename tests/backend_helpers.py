"""Helpers for tests that drive a backend directly."""

from __future__ import annotations

import asyncio

from core.backends.base import RenderHandle, RenderState, RenderStatus
from core.backends.local.backend import LocalBackend


async def finish(backend: LocalBackend, handle: RenderHandle) -> RenderStatus:
    """The render's final status (completed or failed), polled; 120 s at most."""
    async with asyncio.timeout(120):
        while True:
            status = await backend.render_status(handle)
            if status.state in (RenderState.COMPLETED, RenderState.FAILED):
                return status
            await asyncio.sleep(0.1)
