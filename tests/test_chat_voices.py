"""Voices from chat: an admin installs one from the catalog (the loopback repository), others
may not, and a Chinese script is then read by the Chinese voice."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from core.config import Settings
from core.engine.voices import installed_voices
from core.errors import ErrorCode
from core.service import Service
from core.words.errors import message_for
from tests.chat_helpers import incoming
from tests.fakes import RecordingChat
from tests.voice_repo import RepoServer, install_relabelled

CHINESE = "认识一下极光台灯，它会跟随太阳。日出时它发出柔和的琥珀色光。"


@pytest.fixture
def service_settings(settings: Settings, repo: RepoServer) -> Settings:
    """An admin, and the voice repository on loopback."""
    installed_voices.cache_clear()
    return settings.model_copy(
        update={
            "http_port": 0,
            "admin_users": ["telegram:admin"],
            "voices_base_url": repo.base_url,
        }
    )


async def test_an_admin_installs_a_voice_from_chat_and_it_reads_chinese(
    service: Service, tiny: Path
) -> None:
    chat = RecordingChat()
    await service.handle(incoming("/voices install zh_CN-huayan-medium", user="7"), chat)
    assert chat.texts[-1] == message_for(ErrorCode.NOT_ALLOWED)
    await service.handle(incoming("/voices install zh_CN-huayan-medium", user="admin"), chat)
    assert chat.texts[-1].startswith("✅ Installed zh_CN-huayan-medium (Chinese, female)")
    await service.handle(incoming("/voices install zh_CN-huayan-medium", user="admin"), chat)
    assert chat.texts[-1] == "zh_CN-huayan-medium (Chinese, female) is already installed."
    await service.handle(incoming("/voices"), chat)
    assert "zh_CN-huayan-medium" in chat.texts[-1]
    await service.handle(incoming(CHINESE, files=(tiny,)), chat)
    await asyncio.wait_for(service.wait_idle(), 120)
    assert [r.kind for r in chat.results] == ["video"]


async def test_an_unknown_voice_is_refused_in_one_line(service: Service) -> None:
    chat = RecordingChat()
    await service.handle(incoming("/voices install xx_XX-nobody-low", user="admin"), chat)
    (refusal,) = chat.texts
    assert "xx_XX-nobody-low" in refusal and "Traceback" not in refusal


async def test_a_voice_that_fails_to_load_gives_way_to_the_default_and_says_so(
    service: Service, service_settings: Settings, tiny: Path
) -> None:
    folder = install_relabelled(service_settings.data_dir / "voices", "en_US-amy-medium")
    model = folder / "en_US-amy-medium.onnx"
    model.unlink()
    model.write_bytes(b"not an onnx model")  # installed, but it cannot load
    installed_voices.cache_clear()
    chat = RecordingChat()
    args = {"voice": "en_US-amy-medium", "script": "Hello there, and welcome to the demo."}
    await service.handle(incoming(command="voiceover", args=args, files=(tiny,)), chat)
    await asyncio.wait_for(service.wait_idle(), 120)
    (result,) = chat.results  # the job is not lost
    assert result.kind == "video"
    assert "en_US-amy-medium could not be loaded, so en_US-joe-medium read" in result.text


async def test_a_chinese_speaker_is_told_in_chinese(service: Service, tiny: Path) -> None:
    chat = RecordingChat()
    await service.handle(incoming(CHINESE, files=(tiny,), lang="zh"), chat)
    assert "🎬 已收到 demo.mp4：0:04，160×120" in chat.texts  # after "📥 正在接收…" when slow
    assert any(t.startswith("📝 脚本：") and t.endswith("字") for t in chat.texts)
    assert [t for t in chat.texts if t.isascii()] == []  # no reply in English only


async def test_asking_for_a_female_voice_gets_one_and_the_result_names_it(
    service: Service, service_settings: Settings, tiny: Path
) -> None:
    install_relabelled(service_settings.data_dir / "voices", "en_US-amy-medium")
    installed_voices.cache_clear()
    chat = RecordingChat()
    await service.handle(
        incoming("Meet Aurora, the lamp that follows the sun.", files=(tiny,)), chat
    )
    await service.handle(incoming("use a female voice"), chat)
    await asyncio.wait_for(service.wait_idle(), 120)
    assert "🗣 Read by en_US-amy-medium" in chat.results[-1].text
    assert all("🗣 Read by" in r.text for r in chat.results)
