"""Sync and hold in chat words, English and Chinese: rows of the instruction table."""

from __future__ import annotations

import pytest

from core.backends.local.instructions import apply_changes, parse
from core.engine.model import Hold, RenderOptions, Sync
from core.words.option_text import describe_options


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("sync to the cuts", "sync", Sync.SHOTS),
        ("match the scenes", "sync", Sync.SHOTS),
        ("please sync the narration to the shots", "sync", Sync.SHOTS),
        ("对齐镜头", "sync", Sync.SHOTS),
        ("don't sync", "sync", Sync.NONE),
        ("不要对齐", "sync", Sync.NONE),
        ("freeze the picture", "hold", Hold.FREEZE),
        ("slow the video", "hold", Hold.SLOW),
        ("放慢画面", "hold", Hold.SLOW),
    ],
)
def test_phrases_set_the_draft_field(text: str, field: str, value: object) -> None:
    found = parse(text)
    assert found.script is None
    assert getattr(apply_changes(RenderOptions(), found.changes), field) == value
    assert "speed_delta" not in found.changes  # "slow the video" is not "slower narration"


def test_slower_narration_is_still_speed() -> None:
    assert parse("slow down").changes == {"speed_delta": -0.1}
    assert parse("放慢").changes == {"speed_delta": -0.1}


def test_the_change_is_said_in_both_languages() -> None:
    after = RenderOptions(sync=Sync.SHOTS, hold=Hold.SLOW)
    assert describe_options(RenderOptions(), after, "en") == [
        "✅ Sync to the cuts: on",
        "✅ A paragraph longer than its shot: slow the video",
    ]
    zh = describe_options(RenderOptions(), RenderOptions(sync=Sync.NONE), "zh")
    assert zh == ["✅ 对齐镜头：关闭"]
