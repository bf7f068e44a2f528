"""The instruction reader: options in English and Chinese, scripts, slash-command options."""

from __future__ import annotations

from typing import Any

import pytest

from core.backends.local.instructions import apply_changes, parse
from core.engine.model import Aspect, Captions, Fit, MixMode, RenderOptions
from core.errors import ErrorCode, VoiceoverError
from core.words.option_text import args_to_text, describe_options


def options_after(text: str, start: RenderOptions | None = None) -> RenderOptions:
    found = parse(text)
    assert found.script is None, f"{text!r} read as a script"
    return apply_changes(start or RenderOptions(), found.changes)


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("slower", "speed", 0.9),
        ("faster", "speed", 1.1),
        ("much slower", "speed", 0.8),
        ("speed 1.2", "speed", 1.2),
        ("set the speed to 0.75x", "speed", 0.75),
        ("慢一点", "speed", 0.9),
        ("快一点", "speed", 1.1),
        ("use a female voice", "gender", "female"),
        ("male voice please", "gender", "male"),
        ("女声", "gender", "female"),
        ("男声", "gender", "male"),
        ("in Chinese", "language", "zh"),
        ("用英文", "language", "en"),
        ("voice: en_US-joe-medium", "voice", "en_US-joe-medium"),
        ("remove captions", "captions", Captions.NONE),
        ("no subtitles", "captions", Captions.NONE),
        ("add subtitles", "captions", Captions.SOFT),
        ("burn the captions", "captions", Captions.BURN),
        ("去掉字幕", "captions", Captions.NONE),
        ("烧录字幕", "captions", Captions.BURN),
        ("加字幕", "captions", Captions.SOFT),
        ("make it 9:16", "aspect", Aspect.TALL),
        ("vertical", "aspect", Aspect.TALL),
        ("square", "aspect", Aspect.SQUARE),
        ("竖屏", "aspect", Aspect.TALL),
        ("横屏", "aspect", Aspect.WIDE),
        ("make it 16:9", "aspect", Aspect.WIDE),
        ("crop it", "fit", Fit.CROP),
        ("don't crop, use black bars", "fit", Fit.PAD),
        ("music at 20%", "music_volume", 0.2),
        ("add music at 35%", "music_volume", 0.35),
        ("背景音乐 20%", "music_volume", 0.2),
        ("no music", "music_volume", 0.0),
        ("replace the original audio", "mix", MixMode.REPLACE),
        ("keep the original sound", "mix", MixMode.KEEP),
        ("保留原声", "mix", MixMode.KEEP),
        ("替换原声", "mix", MixMode.REPLACE),
    ],
)
def test_each_instruction(text: str, field: str, value: Any) -> None:
    start = RenderOptions(captions=Captions.SOFT, music_volume=0.5)
    assert getattr(options_after(text, start), field) == value


def test_relative_speed_accumulates_and_stays_in_bounds() -> None:
    options = options_after("slower", RenderOptions(speed=0.6))
    assert options.speed == 0.5
    with pytest.raises(VoiceoverError) as caught:
        options_after("slower", options)
    assert caught.value.code is ErrorCode.BAD_OPTION


def test_music_volume_over_100_is_refused() -> None:
    with pytest.raises(VoiceoverError):
        options_after("music at 250%")


def test_the_seeds_example_with_a_script_on_the_next_line() -> None:
    text = (
        "add a natural-sounding male voiceover reading my script in English\n"
        "Welcome to the demo. Today we show the new dashboard."
    )
    found = parse(text)
    assert found.changes["gender"] == "male" and found.changes["language"] == "en"
    assert found.script == "Welcome to the demo. Today we show the new dashboard."


def test_instruction_then_colon_then_script_in_chinese() -> None:
    found = parse("用中文女声配音：欢迎来到我们的产品演示。")
    assert found.changes["language"] == "zh" and found.changes["gender"] == "female"
    assert found.script == "欢迎来到我们的产品演示。"


def test_a_plain_script_is_a_script_even_with_option_words_inside() -> None:
    text = "Welcome. Our new tool helps every woman and man work faster in a square office."
    found = parse(text)
    assert (found.changes, found.script) == ({}, text)


def test_a_long_caption_is_a_script() -> None:
    text = " ".join(["This product saves time."] * 12)
    assert parse(text).script == text


def test_slash_options_round_trip_through_the_parser() -> None:
    args = {
        "script": "Hello there.",
        "voice": "en_US-joe-medium",
        "speed": "1.2",
        "captions": "burn",
        "aspect": "9:16",
        "music_volume": "20",
        "language": "en",
        "gender": "male",
    }
    found = parse(args_to_text(args))
    options = apply_changes(RenderOptions(), found.changes)
    assert found.script == "Hello there."
    assert options == RenderOptions(
        voice="en_US-joe-medium",
        language="en",
        gender="male",
        speed=1.2,
        captions=Captions.BURN,
        aspect=Aspect.TALL,
        music_volume=0.2,
    )


def test_bad_slash_option_is_a_bad_option_error() -> None:
    with pytest.raises(VoiceoverError) as caught:
        apply_changes(RenderOptions(), {"captions": "sideways"})
    assert caught.value.code is ErrorCode.BAD_OPTION


def test_describe_options_in_both_languages() -> None:
    after = RenderOptions(speed=0.9, captions=Captions.BURN)
    assert describe_options(RenderOptions(), after, "en") == [
        "✅ Speed: 0.9×",
        "✅ Captions: burned in",
    ]
    assert describe_options(RenderOptions(), after, "zh") == ["✅ 语速：0.9×", "✅ 字幕：烧录"]
