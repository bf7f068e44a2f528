"""One user floods, another stays calm, through the real Telegram adapter and the fake Bot API:
the flooder is told to slow down once per window (a fake clock drives the token bucket), the
dropped messages are counted in /metrics, and the calm user's read-only replies never wait
behind the flooder's upload (held by a hook while the calm user asks)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.chat import work_flows
from core.chat.floodgate import FloodGate, FloodLimits
from core.chat.intake import fetch_attachment
from core.config import Settings
from core.errors import ErrorCode, message_for
from core.service import Service
from tests.fake_telegram import FakeTelegram, message_update
from tests.fakes import FakeClock
from tests.telegram_helpers import bot_running, video_update

FLOODER, CALM = 500, 501
SLOW_DOWN = message_for(ErrorCode.SLOW_DOWN)


def texts_to(fake: FakeTelegram, chat_id: int) -> list[str]:
    """The bot's messages to one chat, in order."""
    return [
        str(c.params.get("text", ""))
        for c in fake.called("sendMessage")
        if int(c.params["chat_id"]) == chat_id
    ]


async def dropped(service: Service) -> float:
    """The dropped-messages count, as /metrics shows it."""
    async with httpx.AsyncClient() as client:
        page = (await client.get(f"{service.signer.base_url}/metrics")).text
    lines = [ln for ln in page.splitlines() if ln.startswith("voiceover_dropped_messages_total")]
    return sum(float(ln.rsplit(" ", 1)[1]) for ln in lines)


async def until(read: Callable[[], Awaitable[float]], value: float) -> None:
    """Until `read()` gives `value` (a generous bound guards against a hang only)."""
    async with asyncio.timeout(60):
        while (seen := await read()) != value:
            assert seen < value, seen
            await asyncio.sleep(0.05)


async def test_a_flooder_is_told_once_per_window_and_the_rest_is_dropped_and_counted(
    fake: FakeTelegram, tg_settings: Settings
) -> None:
    settings = tg_settings.model_copy(
        update={"flood_burst": 5, "flood_rate_per_s": 1.0, "flood_notice_window_s": 60}
    )
    clock = FakeClock()
    where = {"chat_id": FLOODER, "user_id": FLOODER}
    async with bot_running(settings, fake, Service(settings, clock=clock)) as service:
        for _ in range(30):  # a burst: the fake clock stands still, no token comes back
            fake.push(message_update(text="/help", **where))
        await fake.wait_until(lambda: SLOW_DOWN in texts_to(fake, FLOODER))
        await fake.wait_until(lambda: len(texts_to(fake, FLOODER)) >= 6)
        await until(lambda: dropped(service), 25)
        assert texts_to(fake, FLOODER).count(SLOW_DOWN) == 1  # told once in the window
        assert len(texts_to(fake, FLOODER)) == 5 + 1  # the burst's five answered, one notice
        await clock.advance(30)  # half a window: 30 tokens back (5 kept), no new notice
        for _ in range(8):
            fake.push(message_update(text="/help", **where))
        await fake.wait_until(lambda: len(texts_to(fake, FLOODER)) >= 11)
        await until(lambda: dropped(service), 28)
        assert texts_to(fake, FLOODER).count(SLOW_DOWN) == 1
        await clock.advance(31)  # the window is over: the next flood is told again
        for _ in range(8):
            fake.push(message_update(text="/help", **where))
        await fake.wait_until(lambda: texts_to(fake, FLOODER).count(SLOW_DOWN) == 2)
        await until(lambda: dropped(service), 31)
        fake.push(message_update(text="/cancel", **where))  # a flooder can always stop
        nothing = message_for(ErrorCode.NOTHING_TO_CANCEL)
        await fake.wait_until(lambda: nothing in texts_to(fake, FLOODER))


async def test_a_calm_users_credits_never_wait_behind_a_flooders_upload(
    fake: FakeTelegram, tg_settings: Settings, clip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Limits high enough to let every message in: what is tested is the path itself.
    settings = tg_settings.model_copy(
        update={"flood_burst": 1000, "max_waiting_messages": 1000, "max_uploads_in_flight": 1000}
    )
    held, release = asyncio.Event(), asyncio.Event()

    async def held_fetch(*args: Any) -> Path:  # the hook: the flooder's upload waits here
        held.set()
        await release.wait()
        return await fetch_attachment(*args)

    monkeypatch.setattr(work_flows, "fetch_attachment", held_fetch)
    flood = {"chat_id": FLOODER, "user_id": FLOODER}
    async with bot_running(settings, fake) as service:
        fake.push(video_update(fake, clip, None, **flood))
        await asyncio.wait_for(held.wait(), 60)
        for _ in range(300):  # more than PTB's 256 updates at once, all behind that upload
            fake.push(message_update(text="slower", **flood))  # edits: they wait for the file
        fake.push(message_update(text="/credits", chat_id=CALM, user_id=CALM))
        await fake.wait_until(lambda: any("💳" in t for t in texts_to(fake, CALM)))
        assert not release.is_set()  # answered while the flooder's upload was held …
        assert len(texts_to(fake, FLOODER)) <= 1  # … and the flood behind it waits (an ack)
        await service.lanes.stop()  # the held upload and the flood behind it: cancelled


async def test_the_token_bucket_refills_with_time() -> None:
    now = [0.0]
    limits = FloodLimits(rate_per_s=2.0, burst=3, window_s=10, max_waiting=100, max_uploads=1)
    gate = FloodGate(limits, lambda: now[0])
    results = [gate.admit("u", upload=False).reason for _ in range(4)]
    assert results == [None, None, None, "rate"]
    now[0] = 0.5  # one token back
    assert gate.admit("u", upload=False).reason is None
    assert gate.admit("u", upload=False).reason == "rate"
    assert gate.admit("other", upload=False).reason is None  # each user has a bucket


async def test_uploads_in_flight_and_waiting_messages_are_capped() -> None:
    limits = FloodLimits(rate_per_s=1.0, burst=100, window_s=10, max_waiting=3, max_uploads=1)
    gate = FloodGate(limits, lambda: 0.0)
    assert gate.admit("u", upload=True).reason is None
    second = gate.admit("u", upload=True)
    assert (second.reason, second.tell) == ("uploads", True)
    assert gate.admit("u", upload=False).reason is None
    assert gate.admit("u", upload=False).reason is None
    third = gate.admit("u", upload=False)
    assert (third.reason, third.tell) == ("waiting", False)  # told once in the window
    assert gate.admit("u", upload=False, exempt=True).reason is None  # /cancel
    gate.left("u", upload=True)
    assert gate.admit("u", upload=True).reason == "waiting"  # still 3 waiting
    gate.left("u", upload=False)
    gate.left("u", upload=False)
    assert gate.admit("u", upload=True).reason is None
