"""'preview' / '预览': the first 20 s at 360p with the narration and burned captions, from the
real engine, sent as a video; no credits, no job."""

from __future__ import annotations

from pathlib import Path

import av
import pytest

from core.engine.model import Script, ScriptCue
from core.engine.preview import PREVIEW_S, preview_script
from core.engine.script_text import count_words
from core.errors import ErrorCode
from core.service import Service
from core.words.errors import message_for
from tests.chat_helpers import incoming
from tests.fakes import RecordingChat
from tests.media import make_video

LONG = " ".join(
    f"Sentence number {n} tells a little more about the lamp and its light." for n in range(20)
)


@pytest.fixture(scope="module")
def long_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 30 s 640×480 clip with sound."""
    return make_video(tmp_path_factory.mktemp("preview") / "long.mp4", seconds=30, size="640x480")


def test_an_untimed_script_is_cut_to_whole_sentences_within_the_time() -> None:
    cut = preview_script(Script((ScriptCue(LONG),)), speed=1.0)
    text = cut.text
    assert text.startswith("Sentence number 0 ") and text.endswith("light.")
    assert 0 < count_words(text) <= PREVIEW_S * 2.5
    faster = preview_script(Script((ScriptCue(LONG),)), speed=1.5)
    assert count_words(faster.text) > count_words(text)


def test_a_timed_script_keeps_the_cues_that_start_in_time() -> None:
    cues = tuple(ScriptCue(f"Cue {n}.", n * 6.0, n * 6.0 + 5) for n in range(8))
    cut = preview_script(Script(cues), speed=1.0)
    assert [c.text for c in cut.cues] == ["Cue 0.", "Cue 1.", "Cue 2.", "Cue 3."]


async def test_preview_sends_20_seconds_at_360p_and_costs_nothing(
    service: Service, long_clip: Path
) -> None:
    chat = RecordingChat()
    await service.handle(incoming(LONG, files=(long_clip,)), chat)  # a full render starts…
    await service.handle(incoming("/cancel"), chat)  # …and is stopped: nothing held
    await service.wait_idle()
    assert await service.queue.active_for("telegram:1") == []

    await service.handle(incoming("preview"), chat)

    [video] = [c.video for c in chat.calls if c.kind == "video" and "Preview" in c.text]
    assert video is not None and video.height == 360 and video.width == 480
    assert video.duration_s <= PREVIEW_S + 0.1
    with av.open(str(video.path)) as container:
        assert container.streams.video[0].height == 360 and container.streams.audio
    credits = await service.backend.credits("telegram:1")
    assert (credits.available, credits.frozen) == (100, 0)  # not charged
    assert await service.queue.active_for("telegram:1") == []  # and no job


async def test_preview_in_chinese_and_with_nothing_to_preview(service: Service) -> None:
    chat = RecordingChat()
    await service.handle(incoming("预览", lang="zh"), chat)
    assert chat.texts[-1] == message_for(ErrorCode.NO_PROJECT, "zh")
    await service.handle(incoming("new project"), chat)
    await service.handle(incoming("/preview"), chat)
    assert chat.texts[-1] == message_for(ErrorCode.NOTHING_TO_RENDER)
