"""How often one owner may save and listen on the edit page: the chat's token bucket
(core/chat/floodgate.py) per owner and action, and one Listen at a time per owner, so one
owner cannot keep the voice busy. A refusal is a 429 with Retry-After."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from core.chat.floodgate import FloodLimits, TokenBucket

LISTEN_SHARE = 4  # Listen refills at a quarter of the chat's message rate (it runs the voice)
LISTEN_BURST = 10  # … and at most this many at once


@dataclass(frozen=True)
class Verdict:
    """None: go on; else how many seconds to wait."""

    retry_after_s: int | None = None


@dataclass
class PageLimiter:
    """Token buckets per (owner, action), and the owners with a Listen running."""

    limits: FloodLimits
    now: Callable[[], float]
    _buckets: dict[tuple[str, str], TokenBucket] = field(default_factory=dict)
    _listening: set[str] = field(default_factory=set)

    def _bucket(self, owner: str, action: str) -> TokenBucket:
        key = (owner, action)
        if key not in self._buckets:
            rate, burst = self.limits.rate_per_s, self.limits.burst
            if action == "listen":
                rate, burst = rate / LISTEN_SHARE, min(burst, LISTEN_BURST)
            self._buckets[key] = TokenBucket(rate, burst)
        return self._buckets[key]

    def take(self, owner: str, action: str) -> Verdict:
        """Admit one save or listen (a listen is running until `done`), or say how long to wait."""
        if action == "listen" and owner in self._listening:
            return Verdict(1)
        bucket = self._bucket(owner, action)
        if not bucket.take(self.now()):
            return Verdict(max(1, math.ceil((1.0 - bucket.tokens) / bucket.rate)))
        if action == "listen":
            self._listening.add(owner)
        return Verdict()

    def done(self, owner: str) -> None:
        """The owner's Listen has ended."""
        self._listening.discard(owner)
