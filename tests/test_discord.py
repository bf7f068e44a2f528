"""The Discord bot for real: discord.py against a loopback fake Discord, over the real Service."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import aiohttp
import av
import pytest
from pydantic import SecretStr

from bots.discord import bot as discord_bot
from bots.discord.chat import TOKEN_LIFETIME_S
from bots.discord.downloads import attachment_fetch
from core.config import Settings
from core.errors import ErrorCode, VoiceoverError
from core.service import Service
from core.words.errors import message_for
from tests.fake_discord import (
    APP_ID,
    BOT_ID,
    CHANNEL_ID,
    GUILD_ID,
    MESSAGE_CONTENT,
    USER_ID,
    Call,
    FakeAttachment,
    FakeDiscord,
)
from tests.fakes import FakeClock
from tests.held_render import RenderGate
from tests.loopback import free_port

BOT_TOKEN = "bot-token-that-must-never-be-logged"
SCRIPT = "Hello from the test. This sentence is read aloud."
EPHEMERAL = 64
DEFERRED = 5  # DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE ("thinking")
AUTOCOMPLETE_RESULT = 8
MESSAGE_RESULT = 4


@dataclass
class Harness:
    """The fake Discord, the real Service, and the bot running between them."""

    fake: FakeDiscord
    service: Service
    clock: FakeClock
    settings: Settings

    def uploads(self, where: str) -> list[Call]:
        """Calls that uploaded a file, on paths containing `where`."""
        return [c for c in self.fake.calls if "files[0]" in c.files and where in c.path]

    def callbacks(self, interaction: dict[str, Any]) -> list[Call]:
        """The interaction's callbacks (the first is its answer)."""
        return self.fake.find("POST", f"/interactions/{interaction['id']}/")

    def texts(self, token: str) -> list[str]:
        """Every text the bot wrote through one interaction token."""
        return [str((c.json or {}).get("content")) for c in self.fake.calls if token in c.path]


def make_settings(root: Path, fake: FakeDiscord, **overrides: Any) -> Settings:
    """Settings aimed at the fake, with data under root."""
    values: dict[str, Any] = {
        "data_dir": root / "data",
        "discord_bot_token": SecretStr(BOT_TOKEN),
        "discord_api_base_url": fake.api_base,
        "discord_gateway_url": fake.gateway_url,
        "http_port": (port := free_port()),
        "public_base_url": f"http://127.0.0.1:{port}",
        "link_secret": SecretStr("a-link-secret-for-tests"),
        "max_concurrent_jobs": 1,
        "tts_workers": 1,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@pytest.fixture
def clip_data(clip: Path) -> bytes:
    """The shared test clip's bytes."""
    return clip.read_bytes()


@pytest.fixture
def fake(discord_fake: FakeDiscord) -> FakeDiscord:
    """This module's fake is Discord's."""
    return discord_fake


async def run_clock(clock: FakeClock) -> None:
    """Move the fake clock along with real time (tests jump it further when they need to)."""
    while True:
        await asyncio.sleep(0.05)
        await clock.advance(0.05, step=0.05)


@asynccontextmanager
async def running_bot(
    tmp_path: Path, fake: FakeDiscord, **overrides: Any
) -> AsyncIterator[Harness]:
    """The Service and the bot, once the bot has connected and synced; stopped afterwards."""
    settings = make_settings(tmp_path, fake, **overrides)
    clock = FakeClock()
    ticker = asyncio.create_task(run_clock(clock))  # until the service has stopped
    try:
        async with Service(settings, clock=clock) as service:
            stop = asyncio.Event()
            task = asyncio.create_task(discord_bot.run(settings, service, stop, clock=clock))
            try:
                await fake.wait_connected()
                yield Harness(fake, service, clock, settings)
            finally:
                stop.set()
                await asyncio.wait_for(task, 30)
    finally:
        ticker.cancel()


@pytest.fixture
async def harness(tmp_path: Path, fake: FakeDiscord) -> AsyncIterator[Harness]:
    """The bot over the real Service, talking to the fake."""
    async with running_bot(tmp_path, fake) as bot:
        yield bot


def probe(data: bytes, where: Path) -> tuple[float, int, int, bool]:
    """Duration, width, height and whether there is sound, read with PyAV."""
    where.write_bytes(data)
    with av.open(str(where)) as container:
        video = container.streams.video[0]
        duration = float(container.duration or 0) / 1_000_000
        return duration, video.width, video.height, bool(container.streams.audio)


async def test_voiceover_is_deferred_shows_progress_and_returns_the_mp4(
    harness: Harness, clip_data: bytes, tmp_path: Path
) -> None:
    video = FakeAttachment("clip.mp4", clip_data, "video/mp4")
    interaction = await harness.fake.slash(
        "voiceover", video=video, script=SCRIPT, aspect="1:1", speed=1.0
    )
    await harness.fake.wait_for(lambda: bool(harness.uploads(interaction["token"])), 180)

    answer = harness.callbacks(interaction)[0]
    assert answer.json["type"] == DEFERRED
    edits = harness.fake.find("PATCH", f"/webhooks/{APP_ID}/{interaction['token']}/messages")
    assert edits, "progress should edit the original response"
    upload = harness.uploads(f"/webhooks/{APP_ID}/{interaction['token']}")[-1]
    assert upload.method == "POST" and upload.at > edits[0].at
    name, data = upload.files["files[0]"]
    assert name.endswith(".mp4")
    duration, width, height, sound = probe(data, tmp_path / "result.mp4")
    assert width == height, "the aspect option should reach the render"
    assert duration >= 2.5 and sound


async def test_a_result_over_the_upload_limit_becomes_a_link(
    harness: Harness, clip_data: bytes
) -> None:
    harness.fake.attachment_size_limit = 1000
    video = FakeAttachment("clip.mp4", clip_data, "video/mp4")
    interaction = await harness.fake.slash("voiceover", video=video, script=SCRIPT)
    link = f"http://127.0.0.1:{harness.settings.http_port}/"
    await harness.fake.wait_for(
        lambda: any(link in text for text in harness.texts(interaction["token"])), 180
    )
    assert not [c for c in harness.fake.calls if c.files], "nothing may be uploaded"


async def test_after_the_token_expires_the_result_goes_to_the_channel(
    harness: Harness, clip_data: bytes
) -> None:
    video = FakeAttachment("clip.mp4", clip_data, "video/mp4")
    interaction = await harness.fake.slash("voiceover", video=video, script=SCRIPT)
    await harness.fake.wait_for(lambda: bool(harness.callbacks(interaction)))
    await harness.clock.advance(TOKEN_LIFETIME_S, step=60)
    await harness.fake.wait_for(lambda: bool(harness.uploads(f"/channels/{CHANNEL_ID}/")), 180)

    upload = harness.uploads(f"/channels/{CHANNEL_ID}/messages")[-1]
    assert upload.json["content"].startswith(f"<@{USER_ID}>")
    assert not harness.uploads("/webhooks/"), "an expired token must not be used"


async def test_voice_autocomplete_offers_installed_voices(harness: Harness) -> None:
    interaction = await harness.fake.autocomplete("voiceover", "voice", "joe")
    await harness.fake.wait_for(lambda: bool(harness.callbacks(interaction)))

    answer = harness.callbacks(interaction)[0].json
    assert answer["type"] == AUTOCOMPLETE_RESULT
    choices = answer["data"]["choices"]
    assert 1 <= len(choices) <= 25
    assert "en_US-joe-medium" in [c["value"] for c in choices]


async def test_credits_answers_in_the_deferred_response(harness: Harness) -> None:
    interaction = await harness.fake.slash("credits")
    await harness.fake.wait_for(
        lambda: any("100" in t for t in harness.texts(interaction["token"]))
    )

    assert harness.callbacks(interaction)[0].json["type"] == DEFERRED
    assert any("Credits" in text for text in harness.texts(interaction["token"]))


async def test_a_refusal_from_the_core_is_answered(harness: Harness) -> None:
    interaction = await harness.fake.slash("cancel")
    expected = message_for(ErrorCode.NOTHING_TO_CANCEL)
    await harness.fake.wait_for(lambda: expected in harness.texts(interaction["token"]))

    assert harness.callbacks(interaction)[0].json["type"] == DEFERRED
    answer = next(
        c.json
        for c in harness.fake.calls
        if interaction["token"] in c.path and (c.json or {}).get("content") == expected
    )
    assert answer is not None and answer["flags"] == EPHEMERAL  # only the user sees it


async def test_a_file_over_the_size_limit_is_refused_ephemerally(
    tmp_path: Path, fake: FakeDiscord
) -> None:
    async with running_bot(tmp_path, fake, max_upload_bytes=5000) as bot:
        big = FakeAttachment("big.mp4", b"\0" * 6000, "video/mp4")
        interaction = await fake.slash("voiceover", video=big, script=SCRIPT)
        await fake.wait_for(lambda: bool(bot.callbacks(interaction)))
        answer = bot.callbacks(interaction)[0].json
        assert answer["type"] == MESSAGE_RESULT
        assert answer["data"]["flags"] == EPHEMERAL
        assert "too large" in answer["data"]["content"]


async def test_a_failing_command_is_logged_with_traceback_and_never_the_token(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    harness.fake.callback_deadline_s = 0.0  # every answer now arrives "too late"
    interaction = await harness.fake.slash("help")
    await harness.fake.wait_for(lambda: len(harness.callbacks(interaction)) >= 2)
    await asyncio.sleep(0.2)

    failures = [r for r in caplog.records if r.name.startswith("bots.discord") and r.exc_info]
    assert failures, "the failure should be logged with its traceback"
    reply = harness.callbacks(interaction)[1].json
    assert reply["data"]["flags"] == EPHEMERAL and "\n" not in reply["data"]["content"]
    assert BOT_TOKEN not in caplog.text


@pytest.mark.parametrize("reply", [False, True], ids=["mention", "reply"])
async def test_free_text_to_the_bot_is_answered_in_the_channel(
    harness: Harness, reply: bool
) -> None:
    await harness.fake.chatter("credits, between humans")
    await harness.fake.mention(f"<@{BOT_ID}> credits" if not reply else "credits", reply=reply)
    channel = f"/channels/{CHANNEL_ID}/messages"
    await harness.fake.wait_for(lambda: bool(harness.fake.find("POST", channel)))
    await asyncio.sleep(0.3)

    replies = [c.json["content"] for c in harness.fake.find("POST", channel)]
    assert len(replies) == 1, "only the message to the bot is answered"
    assert replies[0].startswith(f"<@{USER_ID}>") and "100" in replies[0]


async def test_commands_sync_to_the_dev_guild_with_their_options(
    tmp_path: Path, fake: FakeDiscord
) -> None:
    async with running_bot(tmp_path, fake, discord_guild_id=GUILD_ID):
        synced = fake.find("PUT", f"/applications/{APP_ID}/guilds/{GUILD_ID}/commands")
        assert synced
        commands = {c["name"]: c for c in synced[0].json}
        assert set(commands) >= {"voiceover", "credits", "status", "export", "voices", "cancel"}
        options = {o["name"]: o for o in commands["voiceover"]["options"]}
        assert options["voice"]["autocomplete"] is True
        assert [c["value"] for c in options["captions"]["choices"]] == ["none", "soft", "burn"]
        assert (options["speed"]["min_value"], options["speed"]["max_value"]) == (0.5, 2.0)


async def test_without_the_content_intent_the_bot_reconnects_and_still_answers(
    tmp_path: Path, fake: FakeDiscord
) -> None:
    fake.message_content_enabled = False
    async with running_bot(tmp_path, fake) as bot:
        assert [bool(i["intents"] & MESSAGE_CONTENT) for i in fake.identifies] == [True, False]
        interaction = await fake.slash("credits")
        await fake.wait_for(lambda: any("100" in t for t in bot.texts(interaction["token"])))


async def test_after_a_restart_the_result_goes_to_the_channel(
    tmp_path: Path, fake: FakeDiscord, clip_data: bytes, render_gate: RenderGate
) -> None:
    video = FakeAttachment("clip.mp4", clip_data, "video/mp4")
    async with running_bot(tmp_path, fake) as first:
        interaction = await fake.slash("voiceover", video=video, script=SCRIPT)
        token = interaction["token"]
        await render_gate.reached("speech")  # the job is running when the bot stops
        await fake.wait_for(lambda: any("Rendering" in t for t in first.texts(token)))
    render_gate.release_all()  # the stopped render ends; the next process renders freely
    assert not first.uploads("/"), "the job should still be running when the bot stops"

    async with running_bot(tmp_path, fake) as second:
        channel = f"/channels/{CHANNEL_ID}/messages"
        await fake.wait_for(lambda: bool(second.uploads(channel)), 180)
    upload = second.uploads(channel)[-1]
    assert upload.files["files[0]"][0] == "voiceover.mp4"
    assert upload.json["content"].startswith(f"<@{USER_ID}> ")
    assert upload.json["allowed_mentions"]["parse"] == ["users"]
    assert len(fake.find("POST", f"/interactions/{interaction['id']}/")) == 1


async def test_attachment_download_is_capped_while_streaming(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    payload = fake.add_file(FakeAttachment("clip.mp4", bytes(range(256)) * 40))
    async with aiohttp.ClientSession() as session:
        whole = attachment_fetch(session, payload["url"], "clip.mp4", None)
        await whole(tmp_path / "whole.bin", 10_240)
        unsized = attachment_fetch(session, payload["url"], "clip.mp4", None)
        with pytest.raises(VoiceoverError) as refused:
            await unsized(tmp_path / "cut.bin", 10_239)
        announced = attachment_fetch(session, payload["url"], "clip.mp4", 10_240)
        with pytest.raises(VoiceoverError) as early:
            await announced(tmp_path / "never.bin", 100)
    assert (tmp_path / "whole.bin").read_bytes() == bytes(range(256)) * 40
    assert refused.value.code == early.value.code == ErrorCode.FILE_TOO_LARGE
    assert not (tmp_path / "never.bin").exists()


class RefusingCore:
    """Stands in for a core that raises its refusal from handle() (the adapter's other path)."""

    def voices(self) -> list[Any]:
        """No voices."""
        return []

    def register_platform(self, platform: str, factory: Any) -> None:
        """No results to deliver."""

    async def handle(self, incoming: Any, chat: Any) -> None:
        """Refuse everything."""
        raise VoiceoverError(ErrorCode.UNKNOWN_VOICE, voice="nobody")

    def accept(self, incoming: Any, chat: Any) -> Awaitable[None]:
        """Queue the refusal (like the core: nothing runs before it is awaited)."""
        return self.handle(incoming, chat)


async def test_a_raised_refusal_replaces_the_public_answer_with_an_ephemeral_one(
    tmp_path: Path, fake: FakeDiscord
) -> None:
    settings = make_settings(tmp_path, fake)
    discord_bot.point_at(settings)
    core = cast(Service, RefusingCore())
    client = discord_bot.VoiceoverClient(settings, core, clock=FakeClock())
    stop = asyncio.Event()
    task = asyncio.create_task(discord_bot.run_client(client, BOT_TOKEN, stop))
    try:
        await fake.wait_connected()
        interaction = await fake.slash("voiceover", script=SCRIPT, voice="nobody")
        token = interaction["token"]
        await fake.wait_for(lambda: bool(fake.find("POST", f"/webhooks/{APP_ID}/{token}")))
        assert fake.find("DELETE", f"/webhooks/{APP_ID}/{token}/messages/@original")
        followup = fake.find("POST", f"/webhooks/{APP_ID}/{token}")[0].json
        assert followup["flags"] == EPHEMERAL
        assert followup["content"] == message_for(ErrorCode.UNKNOWN_VOICE, voice="nobody")
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


async def test_an_unreachable_discord_is_retried_with_backoff_until_it_answers(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    fake = FakeDiscord(port=free_port())  # not listening yet: the login is refused
    settings = make_settings(tmp_path, fake)
    clock, stop = FakeClock(), asyncio.Event()
    try:
        async with Service(settings) as service:
            task = asyncio.create_task(discord_bot.run(settings, service, stop, clock=clock))
            try:
                await clock.until_sleeping()  # waiting 1 s
                await clock.advance(1)
                await clock.until_sleeping()  # refused again: waiting 2 s
                await fake.start()
                await clock.advance(2)
                await fake.wait_connected()
                token = (await fake.slash("credits"))["token"]

                def answered() -> bool:
                    texts = [
                        str((c.json or {}).get("content")) for c in fake.calls if token in c.path
                    ]
                    return any("100" in t for t in texts)

                await fake.wait_for(answered)
            finally:
                stop.set()
                await asyncio.wait_for(task, 30)
    finally:
        await fake.stop()
    warnings = [r.getMessage() for r in caplog.records if r.name == "bots.reconnect"]
    assert [w.startswith("Discord is unreachable (") for w in warnings] == [True, True]
    assert [w.rsplit("; ", 1)[1] for w in warnings] == [
        "trying again in 1 s",
        "trying again in 2 s",
    ]
    assert BOT_TOKEN not in caplog.text
