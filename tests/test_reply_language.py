"""Where a platform gives no locale (a terminal, a Telegram user without language_code), the
user's own words choose the reply language; a chosen language or a locale wins."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.chat.reply_language import reply_language_of_text
from core.service import Service
from tests.chat_helpers import incoming
from tests.cli_helpers import voiceover
from tests.fakes import RecordingChat


@pytest.mark.parametrize(
    ("text", "language"),
    [("积分", "zh"), ("把视频变慢一点", "zh"), ("slower please", "en"), ("/credits", None)],
)
def test_a_message_tells_its_language_when_it_can(text: str, language: str | None) -> None:
    assert reply_language_of_text(text) == language


async def test_without_a_locale_the_words_decide_and_a_choice_wins(service: Service) -> None:
    chat = RecordingChat()
    await service.handle(incoming("积分", lang=""), chat)
    assert chat.texts[-1].startswith("💳 积分：")
    await service.handle(incoming("credits please", lang=""), chat)
    assert chat.texts[-1].startswith("💳 Credits:")
    await service.handle(incoming("/credits", lang=""), chat)  # no words: as last heard
    assert chat.texts[-1].startswith("💳 Credits:")
    await service.handle(incoming("状态怎么样", lang=""), chat)
    await service.handle(incoming("/credits", lang=""), chat)
    assert chat.texts[-1].startswith("💳 积分：")
    script = "Meet Aurora, the desk lamp that follows the sun all day long, from dawn to dusk."
    await service.handle(incoming(script, lang=""), chat)  # a script: its language is not ours
    assert "📝" not in chat.texts[-1] or "脚本" in chat.texts[-1]
    await service.handle(incoming("/credits", lang=""), chat)
    assert chat.texts[-1].startswith("💳 积分：")
    await service.handle(incoming("/language zh", lang=""), chat)
    await service.handle(incoming("credits please", lang=""), chat)
    assert chat.texts[-1].startswith("💳 积分：")


async def test_a_locale_wins_over_the_words(service: Service) -> None:
    chat = RecordingChat()
    await service.handle(incoming("积分", lang="en-US", user="5"), chat)
    assert chat.texts[-1].startswith("💳 Credits:")


def test_the_terminal_chat_answers_chinese_in_chinese(tmp_path: Path) -> None:
    done = voiceover("chat", cwd=tmp_path, stdin="积分\n/help\n", timeout=120)
    assert done.returncode == 0, done.stderr
    assert "💳 积分：可用 100" in done.stdout


async def test_a_first_message_in_chinese_is_answered_in_chinese(
    service: Service, tiny: Path
) -> None:
    chat = RecordingChat()
    script = "认识一下极光台灯，它会跟随太阳。"
    await service.handle(incoming(script, files=(tiny,), lang="", user="6"), chat)
    assert "🎬 已收到 demo.mp4：0:04，160×120" in chat.texts
    await service.handle(incoming("/credits", lang="", user="6"), chat)
    assert chat.texts[-1].startswith("💳 积分：")
