"""The edit page's tests' shared parts: a project made through the Telegram fake, its edit
link, the page's JSON over loopback HTTP, and a second voice that sounds different."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import aiohttp

from core.config import Settings
from core.engine.voices import installed_voices
from tests.fake_telegram import FakeTelegram, message_update
from tests.telegram_helpers import push_video
from tests.voice_repo import install_relabelled

EDIT_LINK = re.compile(
    r"http://127\.0\.0\.1:\d+/e/[0-9a-f]{24}/[0-9a-f]{32}\?e=\d+&s=[0-9a-f]{64}"
)
SCRIPT = "[0:00] Meet Aurora.\n[0:03] It follows the sun.\n[0:06] Your desk glows."
SLOW = "en_US-amy-medium"  # joe's model declared at 16 kHz: read slower and lower, resampled


def install_slow_voice(settings: Settings) -> Path:
    """A second installed voice whose speech is ~1.38× longer than joe's (same model, its
    samples taken as 16 kHz and resampled to 22.05 kHz), so who read a line can be measured."""
    folder = install_relabelled(settings.data_dir / "voices", SLOW)
    config_path = folder / f"{SLOW}.onnx.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["audio"]["sample_rate"] = 16000
    config_path.write_text(json.dumps(config), encoding="utf-8")
    installed_voices.cache_clear()
    return folder


def texts(fake: FakeTelegram) -> list[str]:
    """Every text the bot sent."""
    return [str(c.params.get("text", "")) for c in fake.called("sendMessage")]


def edit_link(fake: FakeTelegram, after: int = 0) -> str:
    """The newest edit link the bot offered (with its button) after the first `after` texts."""
    for call in reversed(fake.called("sendMessage")[after:]):
        found = EDIT_LINK.search(str(call.params.get("text", "")))
        if found and call.params.get("reply_markup"):
            return found.group(0)
    raise AssertionError(f"no edit link in {texts(fake)}")


async def project_with_script(fake: FakeTelegram, clip: Path, **where: Any) -> None:
    """A video with a timed three-line script as its caption; waits for its first render."""
    videos = len(fake.called("sendVideo"))
    push_video(fake, clip, SCRIPT, **where)
    await fake.wait_until(lambda: len(fake.called("sendVideo")) > videos, 180)


async def ask_for_link(fake: FakeTelegram, text: str = "/edit", **where: Any) -> str:
    """Send `text` and return the edit link it is answered with."""
    before = len(fake.called("sendMessage"))
    fake.push(message_update(text=text, **where))
    await fake.wait_until(lambda: any(EDIT_LINK.search(t) for t in texts(fake)[before:]), 30)
    return edit_link(fake, before)


def part(link: str, tail: str) -> str:
    """The link's address of one of the page's parts ('/draft', '/listen', …)."""
    base, _, query = link.partition("?")
    return f"{base}{tail}?{query}"


async def call(
    method: str, url: str, body: dict[str, Any] | None = None, **headers: str
) -> tuple[int, dict[str, Any]]:
    """A JSON request to the page's server: (status, JSON answer)."""
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, url, json=body, headers=headers) as response,
    ):
        return response.status, await response.json(content_type=None)
