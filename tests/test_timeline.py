"""Draft summaries, readiness and change descriptions (shared by both backends)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from core.chat.timeline import describe_changes, draft_ready, summarize_draft, track_labels
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
