"""Issue 21's phrases through the real chat flow (no renders run): caption looks, karaoke,
re-voicing and "use the transcript as the script" are instructions, never a script read
aloud; transcription requests get the transcript (or are told how), never a script; looks we
still lack get "I can't … yet" and change nothing (issue 17's bug, issue 21's re-landing)."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.backends.local.classify import Kind, State, classify
from core.backends.local.instructions import apply_changes, read_changes
from core.chat.routing import route
from core.engine.model import CaptionPosition, Captions, CaptionStyle, RenderOptions
from core.service import Service
from tests.chat_helpers import SCRIPT, incoming
from tests.corpus_flow import User
from tests.speech import piper_samples, talking_track, talking_video
from tests.test_understanding import idle  # noqa: F401  (the fixture: a Service, no runner)

KARAOKE, TOP = CaptionStyle.KARAOKE, CaptionPosition.TOP
YELLOW, RED = "&H0000E5FF", "&H003030FF"
# Each phrase, and options it must set (beside what read_changes finds, which must be all).
INSTRUCTIONS: list[tuple[str, dict[str, object]]] = [
    (
        "karaoke captions at the top, in yellow",
        {"caption_style": KARAOKE, "caption_position": TOP, "caption_colour": YELLOW},
    ),
    ("字幕放在顶部", {"caption_position": TOP}),
    ("transcribe the video and use that as the script", {"revoice": True}),
    ("highlight each word as it's spoken", {"caption_style": KARAOKE}),
    (
        "burn the captions, and make them yellow",
        {"captions": Captions.BURN, "caption_colour": YELLOW},
    ),
    ("use the transcript as the script", {"revoice": True}),
    ("用转写的文字当脚本", {"revoice": True}),
    ("replace my voice", {"revoice": True}),
    ("重新配音", {"revoice": True}),
    ("换掉原来的人声", {"revoice": True}),
    ("re-voice it with a female voice", {"revoice": True, "gender": "female"}),
    ("make the subtitles red and bigger", {"caption_colour": RED, "caption_scale": 1.2}),
    ("字幕用黄色，放在顶部", {"caption_colour": YELLOW, "caption_position": TOP}),
    ("把字幕放在屏幕上方", {"caption_position": TOP}),
    ("字幕变大", {"caption_scale": 1.2}),
    ("每个字高亮", {"caption_style": KARAOKE}),
    ("use a bold font for the captions", {"caption_style": CaptionStyle.BOLD}),
    (
        "captions in the middle, a bit bigger",
        {"caption_position": CaptionPosition.MIDDLE, "caption_scale": 1.2},
    ),
]
STILL_LACKING = [
    "captions in the top left corner",
    "animated captions",
    "make the captions purple",
    "字幕加阴影",
    "字幕放在左上角",
    "lip sync it",
    "对口型",
]
TRANSCRIBE_ASKS = [
    "transcribe",
    "transcribe it please",
    "can you transcribe the video?",
    "give me the transcript",
    "I need an SRT of what is said",
    "转写",
    "帮我转写一下",
    "把视频里的话转成文字",
    "识别视频里的语音",
]
STATES = (State(), State(has_media=True), State(has_script=True, has_media=True))


@pytest.fixture(scope="module")
def talking(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 5-second 160×90 video of our voice saying one line."""
    line = ["Meet Aurora, the desk lamp that follows the sun."]
    track, _ = talking_track(list(zip([0.3], piper_samples(line), strict=True)), 5.0)
    return talking_video(tmp_path_factory.mktemp("look") / "talk.mp4", track)


@pytest.mark.parametrize(("text", "wanted"), INSTRUCTIONS, ids=[t for t, _ in INSTRUCTIONS])
def test_the_phrases_read_as_instructions_in_every_state(
    text: str, wanted: dict[str, object]
) -> None:
    options = apply_changes(RenderOptions(), read_changes(text))
    assert {name: getattr(options, name) for name in wanted} == wanted
    for state in STATES:
        reading = classify(text, state)
        assert reading.kind is Kind.INSTRUCTION and not reading.missing, (state, reading)
        assert apply_changes(RenderOptions(), reading.changes) == options


async def test_the_phrases_change_the_draft_and_keep_the_script(
    idle: Service,  # noqa: F811
    talking: Path,
) -> None:
    user = User(idle)
    await user.say(SCRIPT, files=(talking,))
    for text, _ in INSTRUCTIONS:
        turn = await user.say(text)
        said = "\n".join(turn.said)
        expected = apply_changes(turn.before.options, read_changes(text))
        assert turn.after.options == expected != turn.before.options, (text, said)
        assert turn.after.script == turn.before.script and "🤷" not in said, (text, said)
        assert "Script" not in said and "脚本：" not in said, (text, said)
        await user.say("undo")
        assert (await user.snapshot()).options == turn.before.options, text


@pytest.mark.parametrize("text", STILL_LACKING)
async def test_looks_we_lack_are_refused_and_change_nothing(
    idle: Service,  # noqa: F811
    text: str,
) -> None:
    user = User(idle)
    await user.say(SCRIPT)
    turn = await user.say(text)
    assert turn.after == turn.before and not turn.asked, turn.said
    assert turn.said[0].startswith(("🤷 I can't", "🤷 我暂时还不能")), turn.said


@pytest.mark.parametrize("text", TRANSCRIBE_ASKS)
def test_transcription_asks_go_to_the_transcript_never_a_script(text: str) -> None:
    assert route(incoming(text)).intent == "transcribe", text
    for state in STATES:  # if the chat ever hands one to the engine: told how, nothing read
        reading = classify(text, state)
        assert (reading.kind, reading.topic) == (Kind.CHAT, "transcribe"), (text, state)


@pytest.mark.parametrize(
    "text",
    ["transcribe the video and use that as the script", "use the transcript as the script"],
)
def test_a_transcript_as_the_script_is_a_revoice_not_a_transcript(text: str) -> None:
    assert route(incoming(text)).intent == "converse"
    assert classify(text, State(has_media=True)).changes == {"revoice": True}
