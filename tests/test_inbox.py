"""A message Telegram counts as taken (the next getUpdates asked past it) is not lost when the
bot is killed (kill -9) before handling it: the inbox keeps it, the next start handles it."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
from pathlib import Path

from core.chat.inbox import Inbox
from core.failpoints import HOLD_AT, PAUSE_MARK
from core.store import Store
from tests.cli_helpers import cli_command, cli_env
from tests.fake_telegram import TOKEN, FakeTelegram
from tests.loopback import free_port
from tests.media import make_video
from tests.telegram_helpers import video_update

HANG_GUARD_S = 120.0  # only a broken build waits this long


def start_bot(root: Path, fake: FakeTelegram, **extra: str) -> subprocess.Popen[bytes]:
    """`voiceover serve` against the fake (SQLite queue, its own session and log)."""
    env = cli_env(
        root / "data",
        TMPDIR=str(root),
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_BASE_URL=f"{fake.url}/bot",
        TELEGRAM_BASE_FILE_URL=f"{fake.url}/file/bot",
        HTTP_PORT=str(free_port()),
        **extra,
    )
    log = (root / "bot.log").open("ab")
    return subprocess.Popen(
        cli_command("serve"), env=env, stdout=log, stderr=log, start_new_session=True
    )


def kill9(proc: subprocess.Popen[bytes]) -> None:
    """kill -9 the process group."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(30)


def replies(fake: FakeTelegram, message_id: int) -> list[str]:
    """The bot's texts in reply to one message."""
    return [
        str(c.params.get("text"))
        for c in fake.called("sendMessage")
        if (c.params.get("reply_parameters") or {}).get("message_id") == message_id
    ]


def confirmed(fake: FakeTelegram, update_id: int) -> bool:
    """Telegram's view: a getUpdates asked past the update, so it is never sent again."""
    return any(int(c.params.get("offset") or 0) > update_id for c in fake.called("getUpdates"))


async def test_a_message_taken_then_killed_before_its_reply_is_answered_after_the_restart(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    clip = make_video(tmp_path / "clip.mp4", seconds=1, size="64x64")
    mark = tmp_path / "held"
    bot = start_bot(tmp_path, fake, **{HOLD_AT: "probe", PAUSE_MARK: str(mark)})
    try:
        await fake.wait_for("getUpdates", within_s=HANG_GUARD_S)
        update = fake.push(video_update(fake, clip, None))  # no script yet: a quick reply
        message_id = int(update["message"]["message_id"])
        # Held in the probe, after Telegram was told the update was taken.
        await fake.wait_until(
            lambda: mark.exists() and confirmed(fake, update["update_id"]), HANG_GUARD_S
        )
        before = len(replies(fake, message_id))
        kill9(bot)
        mark.unlink()
        bot = start_bot(tmp_path, fake)
        await fake.wait_until(lambda: len(replies(fake, message_id)) > before, HANG_GUARD_S)
        os.killpg(bot.pid, signal.SIGTERM)  # a graceful stop: what it took is handled first
        await asyncio.to_thread(bot.wait, HANG_GUARD_S)
    finally:
        kill9(bot)
    answer = replies(fake, message_id)[-1]
    assert "script" in answer.lower(), answer  # the video was taken: now the words
    store = await Store(tmp_path / "data" / "service.db").open()
    try:
        assert await Inbox(store).waiting("telegram") == []  # handled, so forgotten
    finally:
        await store.close()
