"""Prometheus metrics of one process (prometheus-client, on a registry of its own)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

WAIT_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800)
RENDER_BUCKETS = (1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600)


class Metrics:
    """Jobs by state, queue wait and render seconds, deliveries, refusals, workers."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.jobs = Gauge(
            "voiceover_jobs", "Jobs queued or running, by state", ["state"], registry=r
        )
        self.queue_wait = Histogram(
            "voiceover_queue_wait_seconds", "Enqueued → started", buckets=WAIT_BUCKETS, registry=r
        )
        self.render_seconds = Histogram(
            "voiceover_render_seconds", "Started → done", buckets=RENDER_BUCKETS, registry=r
        )
        self.deliveries = Counter(
            "voiceover_deliveries", "Ended jobs told to their owner", ["status"], registry=r
        )
        self.refusals = Counter(
            "voiceover_refusals", "Messages refused, by error code", ["code"], registry=r
        )
        self.dropped = Counter(
            "voiceover_dropped_messages",
            "Messages dropped by the per-user flood limits, by limit",
            ["reason"],
            registry=r,
        )
        self.slow_down = Counter(
            "voiceover_slow_down_notices", "Users told to slow down", registry=r
        )
        self.workers = Gauge("voiceover_workers", "Render workers seen lately", registry=r)

    def exposition(self) -> bytes:
        """The text format Prometheus scrapes."""
        return bytes(generate_latest(self.registry))
