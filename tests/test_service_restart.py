"""Restarts in every job state, and 20 users at once on 2 slots (real renders of tiny clips)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from core.config import Settings
from core.errors import ErrorCode
from core.ports import Chat, MessageRef, VideoReply
from core.service import Service
from core.store import Store
from core.words.errors import message_for
from tests.chat_helpers import SCRIPT, incoming
from tests.fakes import RecordingChat
from tests.held_render import RenderGate

LONG = SCRIPT


def configured(settings: Settings, slots: int) -> Settings:
    return settings.model_copy(update={"http_port": 0, "max_concurrent_jobs": slots})


class Chats:
    """A ChatFactory for after the restart: one RecordingChat per chat id."""

    def __init__(self) -> None:
        self.by_id: dict[str, RecordingChat] = {}

    def __call__(self, chat_id: str, context: object) -> Chat:
        return self.by_id.setdefault(chat_id, RecordingChat(chat_id))


async def test_restart_with_one_job_running_and_one_queued(
    settings: Settings, tiny: Path, render_gate: RenderGate
) -> None:
    chat_a, chat_b = RecordingChat("chat1"), RecordingChat("chat2")
    async with Service(configured(settings, 1)) as first:
        await first.handle(incoming(LONG, user="1", files=(tiny,)), chat_a)
        await first.handle(incoming(LONG, user="2", files=(tiny,)), chat_b)
        assert chat_b.texts[-1].startswith("🕒 Queued: you're number 1")
        await render_gate.reached("speech")  # the first job is still running when we stop
        await chat_a.wait_for(lambda c: any(t.startswith("⏳") for t in c.texts), 60)
    render_gate.release_all()  # the stopped render ends; the next process renders freely
    peek = await Store(settings.data_dir / "service.db").open()
    rows = await peek.fetchall("SELECT status FROM jobs ORDER BY created")
    assert [r["status"] for r in rows] == ["running", "queued"]
    await peek.close()

    chats = Chats()
    async with Service(configured(settings, 1)) as second:
        second.register_platform("telegram", chats)
        await asyncio.wait_for(second.wait_idle(), 180)
        for chat_id in ("chat1", "chat2"):
            assert len(chats.by_id[chat_id].results) == 1, chat_id
        assert chat_a.results == [] and chat_b.results == []
        rows = await second.store.fetchall("SELECT status, attempts FROM jobs ORDER BY created")
        assert [r["status"] for r in rows] == ["done", "done"] and rows[0]["attempts"] == 2
        await second.handle(incoming("/credits", user="1"), chats("chat1", {}))
        assert chats.by_id["chat1"].texts[-1] == "💳 Credits: 90 available, 0 frozen, 90 total."


class BrokenUpload(RecordingChat):
    """A chat whose video uploads fail (the process 'dies' before recording the delivery)."""

    async def send_video(self, video: VideoReply) -> None:
        raise ConnectionError("upload cut")


async def test_restart_after_done_but_undelivered_delivers_exactly_once(
    settings: Settings, tiny: Path
) -> None:
    async with Service(configured(settings, 2)) as first:
        broken = BrokenUpload("chat1")
        await first.handle(incoming(SCRIPT, user="1", files=(tiny,)), broken)
        await asyncio.wait_for(first.wait_idle(), 120)  # gives up on the broken chat
    for attempt in range(2):  # done+undelivered, then done+delivered
        chats = Chats()
        async with Service(configured(settings, 2)) as again:
            again.register_platform("telegram", chats)
            await asyncio.wait_for(again.wait_idle(), 60)
            delivered = len(chats.by_id["chat1"].results) if "chat1" in chats.by_id else 0
            assert delivered == (1 if attempt == 0 else 0)


async def test_twenty_users_on_two_slots(
    settings: Settings, tiny: Path, render_gate: RenderGate
) -> None:
    chats = [RecordingChat(f"chat{n}") for n in range(20)]
    peak, both_busy = 0, asyncio.Event()

    async def watch(service: Service) -> None:
        nonlocal peak
        while True:
            row = await service.store.fetchone(
                "SELECT COUNT(*) AS n FROM jobs WHERE status='running'"
            )
            peak = max(peak, int(row["n"]) if row else 0)
            if peak >= 2:
                both_busy.set()
            await asyncio.sleep(0.05)

    async with Service(configured(settings, 2)) as service:
        watcher = asyncio.create_task(watch(service))
        try:
            await asyncio.gather(
                *(
                    service.handle(incoming(SCRIPT, user=str(n), files=(tiny,)), chat)
                    for n, chat in enumerate(chats)
                )
            )
            told = [
                t for c in chats for t in c.texts if t.startswith(("🕒 Queued", "🎬 Rendering"))
            ]
            assert len(told) == 20 and any(t.startswith("🕒 Queued") for t in told)
            await render_gate.reached("speech")  # renders wait there: both slots stay busy
            await asyncio.wait_for(both_busy.wait(), 60)  # seen by the watcher, however fast
            render_gate.release_all()
            await asyncio.wait_for(service.wait_idle(), 400)
        finally:
            watcher.cancel()
        assert peak == 2
        assert [len(c.results) for c in chats] == [1] * 20
        for n in range(20):
            credits = await service.backend.credits(f"telegram:{n}")
            assert (credits.available, credits.frozen) == (90, 0)
        rows = await service.store.fetchall("SELECT status FROM jobs")
        assert [r["status"] for r in rows] == ["done"] * 20


class BrokenBadNews(RecordingChat):
    """A chat that can't take the failure message (the process 'dies' before recording it)."""

    async def say(self, text: str) -> MessageRef:
        if "render failed" in text:
            raise ConnectionError("send cut")
        return await super().say(text)


async def test_restart_after_failed_but_untold_tells_exactly_once(
    settings: Settings, tiny: Path
) -> None:
    poor = configured(settings, 2)
    async with Service(poor) as first:
        await first.runner.stop()
        await first.handle(incoming(SCRIPT, user="1", files=(tiny,)), BrokenBadNews("chat1"))
        for pinned in (settings.data_dir / "pins").rglob("*.mp4"):
            pinned.unlink()  # the disk lost the job's video: its render fails
        first.runner.start()
        await asyncio.wait_for(first.wait_idle(), 120)
    for attempt in range(2):
        chats = Chats()
        async with Service(poor) as again:
            again.register_platform("telegram", chats)
            await asyncio.wait_for(again.wait_idle(), 60)
            told = chats.by_id["chat1"].texts if "chat1" in chats.by_id else []
            assert len(told) == (1 if attempt == 0 else 0)
            assert all("an input file is gone" in t for t in told), told


async def test_a_job_given_up_releases_its_credits_at_once(settings: Settings, tiny: Path) -> None:
    async with Service(configured(settings, 1)) as first:
        await first.runner.stop()
        await first.handle(incoming(SCRIPT, user="1", files=(tiny,)), RecordingChat("chat1"))
        await first.store.execute("UPDATE jobs SET status='running', attempts=3")  # 3 crashes
    async with Service(configured(settings, 1)) as second:
        peek = await Store(settings.data_dir / "local.db").open()
        row = await peek.fetchone(
            "SELECT available, frozen FROM balances WHERE owner='telegram:1'"
        )
        await peek.close()
        assert row == {"available": 100, "frozen": 0}  # before anyone uses anything
        chats = Chats()
        second.register_platform("telegram", chats)
        await asyncio.wait_for(second.wait_idle(), 60)
        assert chats.by_id["chat1"].texts == [message_for(ErrorCode.GAVE_UP)]
