"""Per-user limits on what comes in: a token bucket on messages, caps on messages waiting in a
user's lane and on uploads among them. Past a limit the message is dropped (counted), and the
user is told to slow down at most once per window."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from core.config import Settings


@dataclass(frozen=True)
class FloodLimits:
    """The limits, from the settings (FLOOD_*, MAX_WAITING_MESSAGES, MAX_UPLOADS_IN_FLIGHT)."""

    rate_per_s: float  # tokens back per second
    burst: int  # bucket size: messages a calm user may send at once
    window_s: float  # a flooder is told once per this many seconds
    max_waiting: int  # messages waiting or handled in a user's lane
    max_uploads: int  # of those, messages carrying a file

    @classmethod
    def from_settings(cls, settings: Settings) -> FloodLimits:
        """The limits the operator set."""
        return cls(
            rate_per_s=settings.flood_rate_per_s,
            burst=settings.flood_burst,
            window_s=settings.flood_notice_window_s,
            max_waiting=settings.max_waiting_messages,
            max_uploads=settings.max_uploads_in_flight,
        )


@dataclass
class TokenBucket:
    """`burst` tokens, refilled at `rate` per second; a message takes one."""

    rate: float
    burst: int
    tokens: float = -1.0
    stamp: float = 0.0

    def take(self, now: float) -> bool:
        """Take a token if one is there (refilled for the time since the last look)."""
        if self.tokens < 0:
            self.tokens, self.stamp = float(self.burst), now
        self.tokens = min(float(self.burst), self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < 1.0:
            return False
        self.tokens -= 1.0
        return True


@dataclass
class _Owner:
    bucket: TokenBucket
    waiting: int = 0
    uploads: int = 0
    told_at: float | None = None


@dataclass
class Admission:
    """What the gate decided about one message: `reason` None means it goes in; `tell` says
    whether this drop is the one of the window the user hears about."""

    reason: str | None
    tell: bool = False


@dataclass
class FloodGate:
    """Admits or drops each user's messages; `left` is called when an admitted one is done."""

    limits: FloodLimits
    now: Callable[[], float]
    _owners: dict[str, _Owner] = field(default_factory=dict)

    def admit(self, owner: str, *, upload: bool, exempt: bool = False) -> Admission:
        """Let a message in (counted as waiting until `left`), or say why it is dropped.
        An `exempt` message (/cancel) always goes in: a flooder can always stop."""
        state = self._owners.get(owner)
        if state is None:
            bucket = TokenBucket(self.limits.rate_per_s, self.limits.burst)
            state = self._owners[owner] = _Owner(bucket)
        reason = None if exempt else self._over(state, upload)
        if reason is None:
            state.waiting += 1
            state.uploads += int(upload)
            return Admission(None)
        now = self.now()
        tell = state.told_at is None or now - state.told_at >= self.limits.window_s
        if tell:
            state.told_at = now
        return Admission(reason, tell)

    def _over(self, state: _Owner, upload: bool) -> str | None:
        if state.waiting >= self.limits.max_waiting:
            return "waiting"
        if upload and state.uploads >= self.limits.max_uploads:
            return "uploads"
        if not state.bucket.take(self.now()):
            return "rate"
        return None

    def left(self, owner: str, *, upload: bool) -> None:
        """An admitted message is done (handled, failed or cancelled)."""
        state = self._owners.get(owner)
        if state is None:
            return
        state.waiting = max(0, state.waiting - 1)
        state.uploads = max(0, state.uploads - int(upload))
        full = state.bucket.tokens >= state.bucket.burst
        if not state.waiting and full and state.told_at is None:
            del self._owners[owner]  # calm again: nothing to remember
