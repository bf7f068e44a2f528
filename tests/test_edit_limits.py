"""The edit page's limits (core/web/edit_limits.py) on a fake clock: saves take the chat's
token bucket, Listen a quarter of its rate and one at a time per owner; a refusal says how
many seconds to wait, and each owner and action has its own bucket."""

from __future__ import annotations

from core.chat.floodgate import FloodLimits
from core.web.edit_limits import LISTEN_SHARE, PageLimiter

LIMITS = FloodLimits(rate_per_s=0.5, burst=3, window_s=60, max_waiting=10, max_uploads=1)


def limiter() -> tuple[PageLimiter, list[float]]:
    now = [1000.0]
    return PageLimiter(LIMITS, lambda: now[0]), now


def test_saves_take_the_chats_bucket_and_say_when_to_come_back() -> None:
    gate, now = limiter()
    assert [gate.take("a", "save").retry_after_s for _ in range(3)] == [None, None, None]
    assert gate.take("a", "save").retry_after_s == 2  # one token back every 2 s
    assert gate.take("b", "save").retry_after_s is None  # another owner is not held up
    now[0] += 2.0
    assert gate.take("a", "save").retry_after_s is None
    assert gate.take("a", "save").retry_after_s == 2


def test_one_listen_at_a_time_and_a_slower_refill() -> None:
    gate, now = limiter()
    assert gate.take("a", "listen").retry_after_s is None
    assert gate.take("a", "listen").retry_after_s == 1  # the first is still speaking
    assert gate.take("a", "save").retry_after_s is None  # saves are not held by it
    gate.done("a")
    for _ in range(2):
        assert gate.take("a", "listen").retry_after_s is None
        gate.done("a")
    wait = gate.take("a", "listen").retry_after_s
    assert wait == 2 * LISTEN_SHARE  # a quarter of the rate: 8 s for a token
    now[0] += wait
    assert gate.take("a", "listen").retry_after_s is None
