"""The issue's session in the terminal chat: a five-shot product video, a five-paragraph script;
every paragraph over its own shot, the short shot held for its long paragraph, and it says so."""

from __future__ import annotations

import io
from pathlib import Path

import httpx

from bots.console import run_console
from core.config import Settings
from core.service import Service
from tests.fake_telegram import FakeTelegram
from tests.shot_clips import frame_colours, make_colour_shots, shot_at
from tests.telegram_helpers import bot_running, push_video

SCRIPT = """Meet Aurora, the lamp that wakes you gently.

Its soft light grows brighter over thirty minutes.

The battery lasts a full week on one charge, so you can carry it from the bedroom to the \
kitchen and out onto the porch without a cable.

Set it up in seconds with the app.

Aurora. Wake up better."""
LENGTHS = (3.0, 3.0, 1.5, 3.0, 3.0)


async def test_five_paragraphs_on_five_shots_in_the_terminal_chat(
    service: Service, tmp_path: Path
) -> None:
    video = make_colour_shots(tmp_path / "product.mp4", LENGTHS)
    script = tmp_path / "script.txt"
    script.write_text(SCRIPT, encoding="utf-8")
    out = io.StringIO()
    await run_console(service, [str(video), str(script), "export", "status"], out)
    text = out.getvalue()
    assert "🎬 5 paragraphs on 5 shots; shot 3 held " in text
    assert "Shots (5): 1 0:00.0–0:03.0 · 2 0:03.0–0:06.0 · 3 0:06.0–0:07.5" in text
    link = next(line.strip() for line in text.splitlines() if "/r/" in line)
    result = tmp_path / "result.mp4"
    async with httpx.AsyncClient() as client:
        result.write_bytes((await client.get(link)).content)
    held = float(text.split("shot 3 held ", 1)[1].split(" s", 1)[0])
    colours, step = frame_colours(result, 10.0)
    shown = [shot_at(c) for c in colours]
    seconds = [shown.count(s) * step for s in range(5)]
    expected = [*LENGTHS[:2], LENGTHS[2] + held, *LENGTHS[3:]]
    assert all(abs(a - b) <= 0.15 for a, b in zip(seconds, expected, strict=True)), seconds


async def test_the_same_on_the_telegram_fake(
    fake: FakeTelegram, tg_settings: Settings, tmp_path: Path
) -> None:
    video = make_colour_shots(tmp_path / "product.mp4", LENGTHS)
    async with bot_running(tg_settings, fake) as service:
        push_video(fake, video, SCRIPT)
        [upload] = await fake.wait_for("sendVideo", within_s=120)
        await service.wait_idle()
    caption = str(upload.params.get("caption"))
    assert "🎬 5 paragraphs on 5 shots; shot 3 held " in caption, caption
    held = float(caption.split("shot 3 held ", 1)[1].split(" s", 1)[0])
    result = tmp_path / "tg.mp4"
    result.write_bytes(upload.files["video"])
    colours, step = frame_colours(result, 10.0)
    shown = [shot_at(c) for c in colours]
    assert abs(shown.count(2) * step - (1.5 + held)) <= 0.15
    assert all(abs(shown.count(s) * step - 3.0) <= 0.15 for s in (0, 1, 3, 4))
