"""Helpers shared by the NemoVideo tests: fast timings and event collectors."""

from __future__ import annotations

from collections.abc import AsyncIterator

from core.backends.base import BackendEvent, EventKind
from core.backends.nemo.timings import NemoTimings

FAST = NemoTimings(
    rate_limit_wait_s=0.05,
    drop_wait_s=0.05,
    drop_recheck_s=0.05,
    heartbeat_only_s=0.6,
    hard_timeout_s=1.5,
    stream_silence_s=2.0,
    heartbeat_every_s=0.05,
    second_stage_poll_s=0.05,
    second_stage_max_polls=6,
    max_render_polls=4,
)


async def collect(events: AsyncIterator[BackendEvent]) -> list[BackendEvent]:
    """Every event of a stream."""
    return [event async for event in events]


def texts(events: list[BackendEvent]) -> list[str]:
    """The TEXT events' texts."""
    return [e.text for e in events if e.kind == EventKind.TEXT]
