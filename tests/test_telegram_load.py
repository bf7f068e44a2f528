"""20 users at once through the real Telegram adapter: each sends a clip, cancels it, sends
another. Everyone is served, credits add up, and nobody is told something went wrong."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from core.config import Settings
from core.errors import ErrorCode
from core.words.errors import message_for
from tests.fake_telegram import FakeTelegram, message_update
from tests.telegram_helpers import SCRIPT, bot_running, video_update

USERS = 20


async def test_twenty_users_send_cancel_and_send_again(
    fake: FakeTelegram, tg_settings: Settings, clip: Path
) -> None:
    settings = tg_settings.model_copy(update={"max_concurrent_jobs": 2})
    async with bot_running(settings, fake) as service:
        started = time.monotonic()
        for n in range(USERS):
            user = 1000 + n
            where = {"chat_id": user, "user_id": user}
            fake.push(video_update(fake, clip, SCRIPT, **where))
            fake.push(message_update(text="/cancel", **where))
            fake.push(video_update(fake, clip, f"{SCRIPT} Take two.", **where))
        await fake.wait_until(lambda: served(fake) >= USERS, within_s=600)
        await service.wait_idle()
        elapsed = time.monotonic() - started
        videos = Counter(int(c.params["chat_id"]) for c in fake.called("sendVideo"))
        assert set(videos) == {1000 + n for n in range(USERS)}  # every user got a video
        for n in range(USERS):
            credits = await service.backend.credits(f"telegram:{1000 + n}")
            assert credits.frozen == 0
            assert credits.available == 100 - 10 * videos[1000 + n]  # charged for what came
    texts = [str(c.params.get("text", "")) for c in fake.called("sendMessage")]
    assert message_for(ErrorCode.INTERNAL) not in texts
    assert not any("went wrong" in t for t in texts)
    cancelled = sum(1 for t in texts if t.startswith("🛑 Cancelled"))
    assert cancelled == USERS
    print(f"\n{USERS} users served in {elapsed:.1f} s; {sum(videos.values())} videos delivered")


def served(fake: FakeTelegram) -> int:
    """How many users got at least one video."""
    return len({c.params["chat_id"] for c in fake.called("sendVideo")})
