"""The core's console chat with BACKEND=nemo against the fake: upload, generate with heartbeats,
the status summary, credits, export and the link — and faults ending in clear messages."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bots.console import run_console
from core.backends.nemo.backend import NemoBackend
from core.config import Settings
from core.errors import ErrorCode
from core.ports import Incoming
from core.service import Service
from core.words.errors import message_for
from tests.fake_nemo import FakeNemo, Step
from tests.fakes import RecordingChat
from tests.nemo_events import HEARTBEAT, TURN_COMPLETE, adk, full_draft, segment, tool_call
from tests.nemo_helpers import FAST

pytest_plugins = ["tests.nemo_fixtures"]  # fixtures: nemo_fake, nemo_settings, nemo_backend


def generated(draft: dict[str, Any]) -> None:
    """The cloud's generation: the NemoVideo draft plus a voiceover track."""
    draft.update(full_draft())
    draft["t"].append({"tt": 1, "sg": [segment("voiceover", "male, English", 0, 9000)]})


@pytest.fixture
async def service(nemo_settings: Settings, nemo_fake: FakeNemo) -> AsyncIterator[Service]:
    settings = nemo_settings.model_copy(update={"http_port": 0, "nemo_poll_interval_s": 0.05})
    backend = NemoBackend(settings, timings=FAST, clock=nemo_fake.time)
    async with Service(settings, backend=backend) as svc:
        yield svc


async def chat(service: Service, *lines: str) -> list[str]:
    out = io.StringIO()
    await asyncio.wait_for(run_console(service, list(lines), out), 60)
    return [block.strip() for block in out.getvalue().split("bot> ") if block.strip()]


async def test_upload_generate_status_credits_export(
    service: Service, nemo_fake: FakeNemo, tmp_path: Path
) -> None:
    clip = tmp_path / "demo.mp4"
    clip.write_bytes(b"\0" * 50_000)
    nemo_fake.script(
        Step(HEARTBEAT),
        Step(tool_call("generate_video"), sleep_s=0.05),
        Step(HEARTBEAT, sleep_s=0.05, edit=generated),
        Step(adk("Your video now has a natural male voiceover. Click Export to download it.")),
        Step(TURN_COMPLETE),
    )
    nemo_fake.credits = {"available": 50, "frozen": 0, "total": 50}
    shown = await chat(
        service,
        str(clip),
        "add a natural-sounding male voiceover reading my script in English",
        "status",
        "credits",
    )
    text = "\n".join(shown)
    assert "🎬 Uploaded demo.mp4 (50 KB) to your cloud project." in shown
    assert "Your video now has a natural male voiceover." in shown
    assert "Click Export" not in text
    summary = (
        "Timeline (4 tracks): 1. Video: city timelapse (0-10s) 2. BGM: Lo-fi (0-10s, 35%) "
        '3. Title: "Urban Dreams" (0-3s) 4. Voiceover: male, English (0-9s)'
    )
    assert summary in text
    assert "💳 Credits: 50 available, 0 frozen, 50 total." in shown
    assert [name for name, _ in next(iter(nemo_fake.sessions.values())).uploads] == ["demo.mp4"]
    assert nemo_fake.messages_sent == [
        "add a natural-sounding male voiceover reading my script in English"
    ]
    assert len(nemo_fake.renders) == 1  # the core started the render once the draft was ready
    assert f"https://cdn.example/{next(iter(nemo_fake.renders))}.mp4" in text
    assert "✅ Video ready! Download it:" in text
    assert "Open the project in the editor: " in text and "/workspace/claim?ct=clm_" in text


async def test_heartbeats_only_keep_the_chat_alive_and_say_still_working(
    nemo_settings: Settings, nemo_fake: FakeNemo
) -> None:
    settings = nemo_settings.model_copy(
        update={"http_port": 0, "heartbeat_interval_s": 0.05, "still_working_after_s": 0.2}
    )
    time = nemo_fake.time
    assert time is not None  # the core's heartbeat and the turn's deadlines on the fake's time
    backend = NemoBackend(settings, timings=FAST, clock=time)
    async with Service(settings, backend=backend, clock=time.clock) as svc:
        beats = [Step(HEARTBEAT, sleep_s=0.1) for _ in range(5)]  # 0.5 s < heartbeat_only_s
        nemo_fake.script(*beats, Step(adk("Done.")))
        recording = RecordingChat()
        await svc.handle(
            Incoming("console", "you", "console", "m1", text="make it moody"), recording
        )
        await asyncio.wait_for(svc.wait_idle(), 30)
    assert 10 <= recording.count("working") <= 11  # every 0.05 s of the 0.5 s (fake time)
    still = [t for t in recording.texts if t.startswith("⏳ Still working")]
    assert len(still) == 2  # at 0.2 s and 0.4 s of nothing visible
    assert recording.texts.index(still[0]) < recording.texts.index("Done.")


async def test_out_of_credits_and_nothing_to_export(service: Service, nemo_fake: FakeNemo) -> None:
    nemo_fake.fail("sse", 2001)
    nemo_fake.credits = {"available": 0, "frozen": 0, "total": 0}
    shown = await chat(service, "generate a city timelapse", "export")
    text = "\n".join(shown)
    assert "out of credits" in text and "https://web.test?bind=anon_42" in text
    assert message_for(ErrorCode.NOTHING_TO_RENDER) in text
    assert nemo_fake.messages_sent == []
