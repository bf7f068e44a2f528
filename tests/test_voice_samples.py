"""Voice samples in chat: /voices sends a sample of each installed voice as a voice message
(at most a few), rendered once and cached; one voice's sample on request; through the real PTB
adapter against the Telegram fake and discord.py against the Discord fake."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import av
import pytest

from core.chat.voice_flows import MAX_SAMPLES
from core.config import Settings
from core.engine.sample import ogg_opus_duration
from core.engine.voices import DEFAULT_VOICE_ID, installed_voices
from core.errors import ErrorCode
from core.service import Service
from core.words.errors import message_for
from tests.chat_helpers import incoming
from tests.fake_discord import FakeDiscord
from tests.fake_telegram import FakeTelegram, message_update
from tests.fakes import RecordingChat
from tests.media import FFMPEG
from tests.telegram_helpers import bot_running
from tests.test_discord import running_bot
from tests.voice_repo import install_relabelled

# Voices whose espeak voice exists here (en_GB-alan's "en-gb" does not: see the broken test).
SPEAKING = (
    "de_DE-corrupt-medium",
    "en_US-amy-medium",
    "fr_FR-cut-medium",
    "zh_CN-huayan-medium",
    "zh_CN-test-medium",
)


def opus_seconds(data: bytes) -> float:
    """Decode Ogg/Opus bytes for real (libavcodec): the seconds of non-silent audio decoded."""
    with av.open(io.BytesIO(data)) as container:
        (stream,) = container.streams.audio
        assert container.format.name == "ogg" and stream.codec_context.name == "opus"
        frames = list(container.decode(stream))
    peak = max(float(abs(f.to_ndarray()).max()) for f in frames)
    assert peak > 0.05, "the sample is silent"
    return sum(f.samples for f in frames) / frames[0].sample_rate


def stamp(path: Path) -> tuple[int, int]:
    """A file's inode and modification time: equal when it was not written again."""
    info = path.stat()
    return info.st_ino, info.st_mtime_ns


@pytest.fixture
def with_voices(settings: Settings) -> list[str]:
    """joe plus relabelled copies installed: one more voice than /voices plays."""
    keys = list(SPEAKING[:MAX_SAMPLES])
    for key in keys:
        install_relabelled(settings.data_dir / "voices", key)
    installed_voices.cache_clear()
    return [DEFAULT_VOICE_ID, *keys]


async def test_voices_sends_capped_samples_rendered_once(
    service: Service, with_voices: list[str]
) -> None:
    chat = RecordingChat()
    await service.handle(incoming("/voices"), chat)
    listing = next(t for t in chat.texts if t.startswith("🗣 Installed voices:"))
    assert all(key in listing for key in with_voices)
    assert "• zh_CN-huayan-medium (Chinese, female, medium quality)" in listing
    first = chat.voices
    assert len(first) == MAX_SAMPLES  # not one per installed voice: no flood
    assert len({n.path for n in first}) == MAX_SAMPLES
    assert first[0].caption == "🔊 en_US-joe-medium (English, male, medium quality)"
    assert (
        "/voices sample" in chat.texts[-1]
        and f"{MAX_SAMPLES} of {len(with_voices)}" in (chat.texts[-1])
    )
    for note in first:
        seconds = opus_seconds(note.path.read_bytes())
        assert 1.0 < seconds < 15.0 and abs(note.duration_s - seconds) < 0.1
    before = [stamp(n.path) for n in first]

    await service.handle(incoming("/voices"), chat)
    again = chat.voices[MAX_SAMPLES:]
    assert [n.path for n in again] == [n.path for n in first]
    assert [stamp(n.path) for n in again] == before  # the cached files, not rendered again


async def test_one_voice_sample_on_request(service: Service, with_voices: list[str]) -> None:
    chat = RecordingChat()
    await service.handle(incoming("/voices sample zh_CN-huayan-medium"), chat)
    await service.handle(incoming("play the sample of zh_CN-huayan-medium"), chat)
    await service.handle(incoming("试听 zh_CN-huayan-medium", lang="zh"), chat)
    notes = chat.voices
    assert len(notes) == 3 and len({n.path for n in notes}) == 1
    assert notes[2].caption == "🔊 zh_CN-huayan-medium（中文，女声，中等音质）"
    assert opus_seconds(notes[0].path.read_bytes()) > 1.0
    await service.handle(incoming("/sample xx_XX-nobody-low"), chat)
    assert chat.texts[-1] == message_for(ErrorCode.UNKNOWN_VOICE, voice="xx_XX-nobody-low")
    await service.handle(incoming("/voices sample"), chat)
    assert chat.texts[-1].startswith("Which voice? Send /voices sample KEY")
    await service.handle(incoming("/voices", lang="zh"), chat)
    assert chat.texts[-1] == (
        "🔊 以上是前 5 个声音的样本（共 6 个）。试听其他声音请发送“试听 声音名”"
        "（例如“试听 zh_CN-test-medium”）。"
    )
    await service.handle(incoming("/voices 试听 zh_CN-test-medium", lang="zh"), chat)
    assert chat.voices[-1].caption == "🔊 zh_CN-test-medium（中文，中等音质）"
    assert len(chat.voices) == 3 + MAX_SAMPLES + 1


async def test_a_voice_that_cannot_speak_its_sample_spoils_no_other(
    service: Service, settings: Settings
) -> None:
    install_relabelled(settings.data_dir / "voices", "en_GB-alan-medium")  # espeak lacks en-gb
    installed_voices.cache_clear()
    chat = RecordingChat()
    await service.handle(incoming("/voices"), chat)
    assert [n.caption.split()[1] for n in chat.voices] == [DEFAULT_VOICE_ID]
    (failed,) = [t for t in chat.texts if "en_GB-alan-medium:" in t]
    assert failed.startswith("⚠️ I couldn't make a sample of en_GB-alan-medium: ")
    assert "Traceback" not in chat.all_text and "\n" not in failed


def test_the_duration_read_from_the_ogg_matches_the_decoder(tmp_path: Path) -> None:
    ogg = tmp_path / "tone.ogg"
    tone = ["-f", "lavfi", "-i", "sine=f=440:d=2.5"]
    subprocess.run(
        [FFMPEG, "-nostdin", "-v", "error", *tone, "-c:a", "libopus", str(ogg)], check=True
    )
    assert abs(ogg_opus_duration(ogg) - opus_seconds(ogg.read_bytes())) < 0.03
    assert abs(ogg_opus_duration(ogg) - 2.5) < 0.03


async def test_telegram_sends_samples_as_voice_messages(
    tg_settings: Settings, fake: FakeTelegram
) -> None:
    installed_voices.cache_clear()
    async with bot_running(tg_settings, fake):
        fake.push(message_update(text="/voices"))
        (call,) = await fake.wait_for("sendVoice", 1, within_s=120)
        fake.push(message_update(text="/voices"))
        calls = await fake.wait_for("sendVoice", 2, within_s=120)
    assert calls[0].params["caption"] == "🔊 en_US-joe-medium (English, male, medium quality)"
    seconds = opus_seconds(call.files["voice"])
    assert abs(int(call.params["duration"]) - seconds) <= 0.6
    assert calls[1].files["voice"] == call.files["voice"]
    (cached,) = (tg_settings.data_dir / "samples").glob("*.ogg")
    assert cached.read_bytes() == call.files["voice"]


async def test_discord_sends_samples_as_ogg_attachments(
    tmp_path: Path, discord_fake: FakeDiscord
) -> None:
    installed_voices.cache_clear()
    fake = discord_fake
    async with running_bot(tmp_path, fake) as harness:
        interaction = await fake.slash("voices")
        token = str(interaction["token"])
        await fake.wait_for(lambda: bool(harness.uploads(token)), 120)
        (upload,) = harness.uploads(token)
        cached = next((harness.settings.data_dir / "samples").glob("*.ogg"))
        before = stamp(cached)
        second = str((await fake.slash("voices"))["token"])
        await fake.wait_for(lambda: bool(harness.uploads(second)), 120)
        third = str((await fake.slash("voices", sample="en_US-joe-medium"))["token"])
        await fake.wait_for(lambda: bool(harness.uploads(third)), 120)
        assert "Installed voices" not in " ".join(harness.texts(third))  # only the sample
    name, data = upload.files["files[0]"]
    assert name.endswith(".ogg") and name.startswith("en_US-joe-medium")
    assert opus_seconds(data) > 1.0
    assert "en_US-joe-medium" in str(upload.json.get("content"))
    assert harness.uploads(second)[0].files["files[0]"][1] == data
    assert stamp(cached) == before
