"""Heartbeat timing with a fake clock: working signal, throttled edits, 'Still working'."""

from __future__ import annotations

import asyncio

from core.config import Settings
from core.jobs.heartbeat import Heartbeat, HeartbeatTimings
from tests.fakes import FakeClock, RecordingChat


async def settle() -> None:
    for _ in range(10):
        await asyncio.sleep(0)


async def test_working_signal_about_every_4_seconds(settings: Settings) -> None:
    chat, clock = RecordingChat(), FakeClock()
    async with Heartbeat(chat, clock, HeartbeatTimings.from_settings(settings)):
        await settle()
        await clock.advance(20)
    assert chat.count("working") == 6  # t = 0, 4, 8, 12, 16, 20


async def test_progress_edits_at_most_every_3_seconds_and_never_identical(
    settings: Settings,
) -> None:
    chat, clock = RecordingChat(), FakeClock()
    async with Heartbeat(chat, clock, HeartbeatTimings.from_settings(settings)) as beat:
        await beat.progress("speech", 10)
        await beat.progress("speech", 20)
        await beat.progress("speech", 30)
        assert chat.texts == ["⏳ Generating the voice: 10%"]
        await clock.advance(4)  # the beat at t=4 flushes the pending 30%
        assert chat.texts[-1] == "⏳ Generating the voice: 30%"
        await beat.progress("speech", 30)
        await clock.advance(8)
        await beat.progress("encode", 50)
    assert [c.kind for c in chat.calls if c.kind != "working"] == ["say", "edit", "edit"]
    assert chat.texts[-1] == "⏳ Encoding the video: 50%"


async def test_steady_progress_is_throttled(settings: Settings) -> None:
    chat, clock = RecordingChat(), FakeClock()
    async with Heartbeat(chat, clock, HeartbeatTimings.from_settings(settings)) as beat:
        for percent in range(0, 100, 5):
            await beat.progress("encode", percent)
            await clock.advance(1)
    shown = [c for c in chat.calls if c.kind in ("say", "edit")]
    assert 6 <= len(shown) <= 8  # 20 s of updates: one visible change per >= 3 s
    assert len(set(chat.texts)) == len(chat.texts)


async def test_still_working_after_two_quiet_minutes(settings: Settings) -> None:
    chat, clock = RecordingChat(), FakeClock()
    async with Heartbeat(chat, clock, HeartbeatTimings.from_settings(settings)) as beat:
        await beat.progress("encode", 40)
        await clock.advance(119)
        assert "⏳ Still working..." not in chat.texts
        await clock.advance(5)
        assert chat.texts.count("⏳ Still working...") == 1
        await beat.progress("encode", 41)
        await clock.advance(100)
        assert chat.texts.count("⏳ Still working...") == 1
        await clock.advance(30)
        assert chat.texts.count("⏳ Still working...") == 2


async def test_chinese_progress_and_still_working(settings: Settings) -> None:
    chat, clock = RecordingChat(), FakeClock()
    async with Heartbeat(
        chat, clock, HeartbeatTimings.from_settings(settings), language="zh"
    ) as beat:
        await beat.progress("speech", 50)
        await clock.advance(125)
    assert chat.texts[:2] == ["⏳ 生成配音：50%", "⏳ 仍在处理中..."]


async def test_a_failing_chat_does_not_stop_the_heartbeat(settings: Settings) -> None:
    class Flaky(RecordingChat):
        async def working(self) -> None:
            await super().working()
            raise ConnectionError("chat down")

    chat, clock = Flaky(), FakeClock()
    async with Heartbeat(chat, clock, HeartbeatTimings.from_settings(settings)):
        await settle()
        await clock.advance(12)
    assert chat.count("working") == 4
