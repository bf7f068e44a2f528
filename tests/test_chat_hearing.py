"""Hearing the video in chat: transcribe, send the fixed SRT back, revoice it, karaoke captions
at the top; the Chinese refusal before credits; the phrases in English and Chinese."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.backends.local.instructions import apply_changes, parse
from core.chat.routing import route
from core.config import Settings
from core.engine.asr import get_recognizer
from core.engine.model import CaptionPosition, Captions, CaptionStyle, RenderOptions
from core.errors import ErrorCode
from core.service import Service
from tests.chat_helpers import incoming
from tests.fake_telegram import FakeTelegram, message_update
from tests.fakes import RecordingChat
from tests.speech import (
    decode_audio,
    espeak_samples,
    piper_samples,
    talking_track,
    talking_video,
    word_error_rate,
    words_of,
)
from tests.telegram_helpers import bot_running, push_video
from tests.test_telegram import wait_for_text

LINES = [
    "Meet Aurora, the desk lamp that follows the sun.",
    "At sunrise it glows a soft amber light.",
]


@pytest.fixture(scope="module")
def talking(tmp_path_factory: pytest.TempPathFactory) -> Path:
    track, _ = talking_track(list(zip([0.4, 4.0], piper_samples(LINES), strict=True)), 7.5)
    return talking_video(tmp_path_factory.mktemp("chat") / "talk.mp4", track)


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("revoice it", "revoice", True),
        ("replace my voice", "revoice", True),
        ("重新配音", "revoice", True),
        ("karaoke captions", "caption_style", CaptionStyle.KARAOKE),
        ("captions at the top", "caption_position", CaptionPosition.TOP),
        ("字幕放上面", "caption_position", CaptionPosition.TOP),
        ("bigger captions", "caption_scale", 1.2),
        ("字幕大一点", "caption_scale", 1.2),
        ("yellow captions", "caption_colour", "&H0000E5FF"),
        ("黄色字幕", "caption_colour", "&H0000E5FF"),
    ],
)
def test_phrases_in_both_languages(text: str, field: str, value: object) -> None:
    found = parse(text)
    assert found.script is None, found
    options = apply_changes(RenderOptions(), found.changes)
    assert getattr(options, field) == value
    if field != "revoice":
        assert options.captions is Captions.BURN  # a look is drawn on burned captions


def test_revoice_with_a_female_voice_and_transcribe_routes() -> None:
    options = apply_changes(RenderOptions(), parse("re-voice it with a female voice").changes)
    assert options.revoice and options.gender == "female"
    for text in ("transcribe", "转写", "/transcribe"):
        command = text[1:] if text.startswith("/") else None
        assert route(incoming("" if command else text, command=command)).intent == "transcribe"


async def test_transcribe_fix_revoice_karaoke(service: Service, talking: Path) -> None:
    chat = RecordingChat()
    await service.handle(incoming(files=(talking,)), chat)
    await service.handle(incoming("transcribe"), chat)
    [sent] = [c for c in chat.calls if c.kind == "file"]
    assert "2 lines" in sent.text and "English" in sent.text and "0:08" in sent.text
    srt = Path(str(sent.url))
    fixed = srt.read_text().replace("amber", "golden")  # noqa: ASYNC240
    assert "golden" in fixed
    edited = srt.with_name("fixed.srt")
    edited.write_text(fixed)
    await service.handle(incoming(files=(edited,)), chat)  # the fixed script: a voiceover
    await service.wait_idle()

    await service.handle(incoming("revoice it"), chat)
    await service.wait_idle()
    videos = [c.video for c in chat.calls if c.kind == "video" and c.video is not None]
    assert len(videos) == 2, chat.texts
    heard = words_of(
        get_recognizer(service.settings).transcribe(decode_audio(videos[-1].path)).text
    )
    assert "golden" in heard and "amber" not in heard, heard

    await service.handle(incoming("karaoke captions at the top"), chat)
    await service.wait_idle()
    videos = [c.video for c in chat.calls if c.kind == "video" and c.video is not None]
    assert len(videos) == 3, chat.texts
    await service.handle(incoming("status"), chat)
    assert "karaoke" in chat.texts[-1] and "top" in chat.texts[-1], chat.texts[-1]


async def test_chinese_speech_is_refused_before_credits(service: Service, tmp_path: Path) -> None:
    pinyin = "jin1 tian1 tian1 qi4 hen3 hao3, wo3 men qu4 gong1 yuan2 san4 bu4 ba"
    track, _ = talking_track([(0.3, espeak_samples(pinyin, "cmn-latn-pinyin"))], 5.0)
    video = talking_video(tmp_path / "zh.mp4", track)
    chat = RecordingChat()
    await service.handle(incoming(files=(video,), lang="zh"), chat)
    await service.handle(incoming("重新配音", lang="zh"), chat)
    await service.wait_idle()
    assert "ASR_MODEL" in chat.texts[-1] and "voiceover models install" in chat.texts[-1]
    assert "英语" in chat.texts[-1]
    credits = await service.backend.credits("telegram:1")
    assert (credits.available, credits.frozen) == (100, 0)
    assert await service.queue.active_for("telegram:1") == []
    assert not [c for c in chat.calls if c.kind == "video"]
    assert int(ErrorCode.ASR_WRONG_LANGUAGE) == 4133


async def test_add_captions_on_a_talking_video_captions_its_speech(
    service: Service, talking: Path, clip: Path
) -> None:
    chat = RecordingChat()
    await service.handle(incoming(files=(talking,)), chat)
    await service.handle(incoming("burn in captions"), chat)
    await service.wait_idle()
    videos = [c.video for c in chat.calls if c.kind == "video" and c.video is not None]
    assert len(videos) == 1, chat.texts
    video = videos[0]
    credits = await service.backend.credits("telegram:1")
    assert credits.available < 100 and credits.frozen == 0  # charged like a render
    before, after = decode_audio(talking), decode_audio(video.path)
    n = min(len(before), len(after))
    assert abs(float((after[:n] ** 2).mean() / (before[:n] ** 2).mean()) - 1) < 0.2

    other = RecordingChat()  # a video without speech: captions wait for a script, as before
    await service.handle(incoming(files=(clip,), user="2"), other)
    await service.handle(incoming("add captions", user="2"), other)
    await service.wait_idle()
    assert not [c for c in other.calls if c.kind == "video"]
    assert await service.queue.active_for("telegram:2") == []


async def test_transcribe_on_the_telegram_fake_sends_the_srt_as_a_document(
    fake: FakeTelegram, tg_settings: Settings, talking: Path
) -> None:
    async with bot_running(tg_settings, fake) as service:
        push_video(fake, talking, None)
        await wait_for_text(fake, "Got")
        fake.push(message_update(text="/transcribe"))
        [document] = await fake.wait_for("sendDocument", within_s=120)
        await service.wait_idle()
    srt = document.files["document"].decode()
    said = " ".join(
        line for line in srt.splitlines() if " --> " not in line and not line.isdigit()
    )
    assert srt.count(" --> ") == 2 and word_error_rate(" ".join(LINES), said) <= 0.2, srt
    assert "2 lines" in document.params["caption"]
