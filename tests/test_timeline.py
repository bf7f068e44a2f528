"""Draft summaries, readiness and change descriptions (shared by both backends)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from core.words.timeline import draft_ready, summarize_draft, track_labels
from core.words.timeline_changes import describe_changes
from tests.nemo_events import full_draft, segment, video_draft


def test_summary_matches_the_seeds_example() -> None:
    assert summarize_draft(full_draft()) == (
        "Timeline (3 tracks): 1. Video: city timelapse (0-10s) 2. BGM: Lo-fi (0-10s, 35%) "
        '3. Title: "Urban Dreams" (0-3s)'
    )


def test_summary_of_many_segments_captions_and_odd_drafts() -> None:
    captions = [segment("caption", f"line {n}", n * 1000, 1000) for n in range(5)]
    clips = [segment("video", f"clip {n}", n * 2500, 2500) for n in range(5)]
    draft = {"t": [{"tt": 0, "sg": clips}, {"tt": 7, "sg": captions}, {"tt": 1, "sg": []}]}
    assert summarize_draft(draft) == (
        "Timeline (3 tracks): 1. Video: clip 0 (0-2.5s), clip 1 (2.5-5s), clip 2 (5-7.5s) +2 more"
        " 2. Captions: 5 lines (0-5s) 3. Audio: empty"
    )
    assert summarize_draft({}) == "Timeline (0 tracks): empty"
    assert summarize_draft(None) == "Timeline (0 tracks): empty"
    odd: dict[str, Any] = {"t": [{"tt": "1", "sg": [{"s": "x", "m": None}, 7]}, "junk"]}
    assert summarize_draft(odd) == "Timeline (1 track): 1. Audio: untitled (0-0s)"


@pytest.mark.parametrize(
    ("draft", "ready"),
    [
        (full_draft(), True),
        ({"t": [{"tt": 0, "sg": []}, {"tt": 7, "sg": [segment("title", "x", 0, 1)]}]}, True),
        ({"t": [{"tt": 0, "sg": []}]}, False),
        ({}, False),
        ({"t": "nonsense"}, False),
    ],
)
def test_draft_ready(draft: dict[str, Any], ready: bool) -> None:
    assert draft_ready(draft) is ready


def test_added_title_reads_like_the_notes() -> None:
    before = video_draft()
    after = copy.deepcopy(before)
    after["t"].append({"tt": 7, "sg": [segment("title", "Paradise Found", 0, 3000)]})
    assert describe_changes(before, after) == ["✅ Title added: 'Paradise Found' (0–3 s)"]


def test_changes_removals_moves_and_volume() -> None:
    before = full_draft()
    after = copy.deepcopy(before)
    after["t"][1]["sg"][0]["m"]["volume"] = 0.2
    after["t"][2]["sg"][0]["m"]["text"] = "City Nights"
    after["t"][0]["sg"][0]["s"] = 500
    after["d"] = 10500
    after["t"].append({"tt": 1, "sg": [segment("voiceover", "joe", 0, 9000, volume=1.0)]})
    lines = describe_changes(before, after)
    assert lines == [
        "✏️ Video changed 'city timelapse': 0–10 s → 0.5–10.5 s",
        "✏️ BGM changed 'Lo-fi': volume 35% → 20%",
        "✏️ Title changed: 'Urban Dreams' → 'City Nights'",
        "✅ Voiceover added: 'joe' (0–9 s, 100%)",
        "⏱️ Length: 10 s → 10.5 s",
    ]
    assert describe_changes(after, {}) == [
        "🗑️ Video removed: 'city timelapse'",
        "🗑️ BGM removed: 'Lo-fi'",
        "🗑️ Title removed: 'City Nights'",
        "🗑️ Voiceover removed: 'joe'",
    ]


def test_no_change_is_an_empty_list() -> None:
    assert describe_changes(full_draft(), full_draft()) == []
    assert describe_changes(None, {}) == []


def test_track_labels() -> None:
    assert track_labels(full_draft()) == {"Video", "BGM", "Title"}


def test_the_timeline_and_its_changes_in_chinese() -> None:
    assert summarize_draft(full_draft(), "zh-hans") == (
        "时间线（3 条轨道）：1. 视频：city timelapse（0-10秒） 2. 背景音乐：Lo-fi（0-10秒，35%） "
        "3. 标题：“Urban Dreams”（0-3秒）"
    )
    assert summarize_draft(None, "zh") == "时间线（0 条轨道）：空"
    before = full_draft()
    after = copy.deepcopy(before)
    after["t"][1]["sg"][0]["m"]["volume"] = 0.2
    after["t"][0]["sg"][0]["s"] = 500
    after["d"] = 10500
    assert describe_changes(before, after, "zh") == [
        "✏️ 已修改视频“city timelapse”：0–10 秒 → 0.5–10.5 秒",
        "✏️ 已修改背景音乐“Lo-fi”：音量 35% → 20%",
        "⏱️ 时长：10 秒 → 10.5 秒",
    ]
    assert describe_changes(after, {}, "zh")[0] == "🗑️ 已删除视频：“city timelapse”"


def test_our_own_track_names_in_chinese() -> None:
    voice = {"name": "male ZH voice", "role": "voiceover", "volume": 1.0, "gender": "male"}
    original = {"name": "original audio", "role": "original", "volume": 0.3}
    draft = {
        "t": [
            {"tt": 1, "sg": [{"s": 0, "d": 4400, "m": {**voice, "language": "zh"}}]},
            {"tt": 1, "sg": [{"s": 0, "d": 4000, "m": original}]},
        ]
    }
    assert summarize_draft(draft, "zh") == (
        "时间线（2 条轨道）：1. 配音：中文男声（0-4.4秒，100%） 2. 原声：原声（0-4秒，30%）"
    )
    assert summarize_draft(draft).startswith("Timeline (2 tracks): 1. Voiceover: male ZH voice")
