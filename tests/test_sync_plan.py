"""Paragraphs onto shots: the layout rules and `auto`'s choice (pure functions)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from core.engine.model import Sync
from core.engine.sync_plan import (
    CUT_MARGIN_S,
    LEAD_S,
    Group,
    Pace,
    cue_windows,
    group_items,
    plan_on_shots,
    use_shots,
)

FIVE = [(0.0, 2.0), (2.0, 4.0), (4.0, 6.0), (6.0, 8.0), (8.0, 10.0)]
RATE = 1000


@pytest.mark.parametrize(
    ("mode", "items", "shots", "laid"),
    [
        (Sync.AUTO, 5, 5, True),
        (Sync.AUTO, 4, 5, True),  # within one, more than three shots
        (Sync.AUTO, 2, 3, False),  # within one, but only three shots
        (Sync.AUTO, 2, 5, False),
        (Sync.AUTO, 1, 1, False),
        (Sync.SHOTS, 2, 5, True),
        (Sync.NONE, 5, 5, False),
    ],
)
def test_auto_lays_on_shots_only_when_the_counts_match(
    mode: Sync, items: int, shots: int, laid: bool
) -> None:
    assert use_shots(mode, items, shots) is laid


def test_as_many_paragraphs_as_shots_one_each() -> None:
    assert group_items([1, 9, 1, 1, 1], FIVE) == [Group((k,), k, k) for k in range(5)]


def test_fewer_paragraphs_take_runs_in_proportion_and_start_at_cuts() -> None:
    assert group_items([1.0, 4.0], FIVE) == [Group((0,), 0, 0), Group((1,), 1, 4)]
    assert group_items([1.0, 1.0], FIVE) == [
        Group((0,), 0, 1),
        Group((1,), 2, 4),
    ]  # a tie: earlier


def test_more_paragraphs_share_shots_and_every_shot_gets_one() -> None:
    groups = group_items([1.0] * 7, FIVE[:3])
    assert [g.first for g in groups] == [0, 1, 2]
    assert sorted(i for g in groups for i in g.items) == list(range(7))


@dataclass(frozen=True)
class _U:
    text: str
    gap_before_s: float
    paragraph: int


def test_a_long_paragraph_is_sped_up_then_holds_and_the_next_starts_on_its_cut() -> None:
    units = [_U("a", 0.5, 0), _U("b", 0.75, 1), _U("c", 0.75, 2)]
    clips = [np.zeros(1000), np.zeros(4000), np.zeros(1000)]  # 1 s, 4 s, 1 s of speech
    respoken: list[list[int]] = []

    def respeak(which: list[int], factors: list[float]) -> list[np.ndarray]:
        respoken.append(which)
        return [np.zeros(int(len(clips[n]) / f)) for n, f in zip(which, factors, strict=True)]

    spans = FIVE[:3]
    plan = plan_on_shots(units, clips, spans, Pace(RATE, 1.0, 1.2), respeak)
    assert respoken == [[1]] and plan.factors == [1.0, 1.2, 1.0]
    spoken = 4.0 / 1.2
    hold = round(spoken - (2.0 - LEAD_S - CUT_MARGIN_S), 3)
    assert plan.holds == ((1, hold),) and plan.held_s == [0.0, hold, 0.0]
    assert plan.starts == pytest.approx([LEAD_S, 2.0 + LEAD_S, 4.0 + hold + LEAD_S])


def test_one_paragraph_is_laid_by_its_sentences() -> None:
    units = [_U("One.", 0.5, 0), _U("Two.", 0.35, 0), _U("", 0.0, 0), _U("Three.", 0.0, 0)]
    clips = [np.zeros(500)] * 4
    plan = plan_on_shots(units, list(clips), FIVE[:3], Pace(RATE, 1.0, 1.2), lambda w, f: [])
    assert plan.shots == [0, 1, 1, 2]  # the pause stays with the sentence before it


def test_cue_windows_cut_the_video_at_the_cues() -> None:
    windows, groups = cue_windows([1.0, 3.0, 3.0, 20.0], 10.0)
    assert windows == [(0.0, 1.0), (1.0, 3.0), (3.0, 10.0)]
    assert groups == [Group((0,), 1, 1), Group((1, 2, 3), 2, 2)]
