"""Every wait and limit of the NemoVideo protocol, in one record the backend hands down."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NemoTimings:
    """Every wait and limit of the cloud protocol (the notes' values; tests shrink them)."""

    rate_limit_wait_s: float = 30.0  # 429: wait, then one retry
    drop_wait_s: float = 30.0  # stream dropped: first state read after this
    drop_recheck_s: float = 60.0  # then every this long
    drop_max_reads: int = 5  # unchanged reads before giving up
    heartbeat_only_s: float = 600.0  # heartbeats and nothing else this long → timeout
    hard_timeout_s: float = 900.0  # a turn never streams longer
    stream_silence_s: float = 120.0  # not even a heartbeat this long → treat as a drop
    heartbeat_every_s: float = 20.0  # our own heartbeats while we wait
    second_stage_poll_s: float = 20.0  # after a raw video: poll for the music/title stage
    second_stage_max_polls: int = 9
    max_render_polls: int = 10  # polls of one render before it counts as stuck
