"""Narration laid on the shots: paragraph k starts just after the cut into shot k.

Items (the script's paragraphs, or the sentences of a one-paragraph script) go onto the shots
in order: as many items as shots, one each; fewer, each takes a run of consecutive shots in
proportion to its length; more, several share a shot. A group (the items on one run of shots)
that is longer than its shots first uses the rest of them, then is read faster, evenly, up to
the speed-up cap, and last the picture holds on its last shot until it ends. The next group
still starts just after its own cut, so nothing drifts into another group's shot.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from core.engine.model import Sync
from core.engine.sync_items import unit_items, unit_weights

LEAD_S = 0.1  # speech starts this long after its cut (the promise: within 0.3 s)
CUT_MARGIN_S = 0.25  # and ends this long before the next cut …
MARGIN_SLACK_S = 0.15  # … or up to this much later (no hold for a voice a hair too long)
MIN_SYNC_SHOTS = 2


def use_shots(mode: Sync, items: int, shots: int) -> bool:
    """Whether the render lays the script on the shots: `shots` always (with any shot found),
    `auto` when the paragraphs match the shots in number (within one, with more than three)."""
    if mode is Sync.NONE or shots < 1:
        return False
    if mode is Sync.SHOTS:
        return True
    if shots < MIN_SYNC_SHOTS:
        return False
    return items == shots or (shots > 3 and abs(items - shots) <= 1)


@dataclass(frozen=True)
class Group:
    """Items laid on the shots first…last."""

    items: tuple[int, ...]
    first: int
    last: int


def _nearest_start(spans: Sequence[tuple[float, float]], at: float) -> int:
    return min(range(len(spans)), key=lambda j: abs(spans[j][0] - at))


def _containing(spans: Sequence[tuple[float, float]], at: float) -> int:
    return max(j for j, (start, _) in enumerate(spans) if start <= at + 1e-9)


def group_items(weights: Sequence[float], spans: Sequence[tuple[float, float]]) -> list[Group]:
    """The items (by length `weights`) on the shots `spans`, in order, as described above."""
    count, shots = len(weights), len(spans)
    total = sum(weights) or 1.0
    length = spans[-1][1]
    targets = [length * sum(weights[:k]) / total for k in range(count)]
    if count <= shots:
        firsts: list[int] = []
        for k, at in enumerate(targets):
            low = firsts[-1] + 1 if firsts else 0
            high = shots - (count - k) if k else 0
            firsts.append(min(max(_nearest_start(spans, at), low), high))
        lasts = [f - 1 for f in firsts[1:]] + [shots - 1]
        return [Group((k,), f, e) for k, (f, e) in enumerate(zip(firsts, lasts, strict=True))]
    on: list[int] = []
    for k, at in enumerate(targets):
        low = max(on[-1] if on else 0, shots - count + k)
        high = min(on[-1] + 1 if on else 0, shots - 1)
        on.append(min(max(_containing(spans, at), low), high))
    return [
        Group(tuple(k for k in range(count) if on[k] == s), s, s) for s in range(shots) if s in on
    ]


def groups_of_runs(runs: Sequence[tuple[int, int]]) -> list[Group]:
    """Groups from each item's first and last shot (items on one run share it)."""
    groups: list[Group] = []
    for k, (first, last) in enumerate(runs):
        if groups and (groups[-1].first, groups[-1].last) == (first, last):
            groups[-1] = Group((*groups[-1].items, k), first, last)
        else:
            groups.append(Group((k,), first, last))
    return groups


def runs_of_groups(groups: Sequence[Group]) -> list[tuple[int, int]]:
    """Each item's first and last shot."""
    return [(g.first, g.last) for g in groups for _ in g.items]


class Unit(Protocol):
    """What the plan reads of a narration unit."""

    @property
    def text(self) -> str: ...  # empty for a pause
    @property
    def gap_before_s(self) -> float: ...
    @property
    def paragraph(self) -> int: ...


Respeak = Callable[[list[int], list[float]], list[np.ndarray]]
"""Speak the units (by index) again at these speed-up factors."""


@dataclass
class ShotPlan:
    """Per unit: start, speed-up, shot and the hold it caused; and the holds per shot."""

    starts: list[float]
    factors: list[float]
    shots: list[int | None]
    held_s: list[float]
    holds: tuple[tuple[int, float], ...]


@dataclass
class _Laid:
    units: list[int]
    group: Group
    factor: float = 1.0
    hold_s: float = 0.0


@dataclass(frozen=True)
class Pace:
    """The track's sample rate, the asked speed and the speed-up cap."""

    rate: int
    speed: float
    max_speedup: float
    lead_s: float = LEAD_S  # after the cut
    margin_s: float = CUT_MARGIN_S  # before the next cut


def plan_on_shots(
    units: Sequence[Unit],
    clips: list[np.ndarray],
    spans: Sequence[tuple[float, float]],
    pace: Pace,
    respeak: Respeak,
    groups: Sequence[Group] | None = None,
    runs: Sequence[tuple[int, int]] | None = None,
) -> ShotPlan:
    """Where each unit (spoken as `clips`, replaced when read faster) goes on the shots: its
    item (core.engine.sync_items) on the shots `group_items` gives it by the items' text, or on
    the `runs` given (first and last shot per item, as a preview is told the render's), or in
    the `groups` given, whose items are the units."""
    item_of = unit_items(units) if groups is None else list(range(len(units)))
    if groups is None:
        count = max(item_of) + 1 if item_of else 0
        if runs is not None and len(runs) == count:
            groups = groups_of_runs(runs)
        else:
            silence = [len(c) / pace.rate for c in clips]
            groups = group_items(unit_weights(units, silence), spans)
    laid = [_Laid([n for n, i in enumerate(item_of) if i in g.items], g) for g in groups]
    for lay in laid:
        window = spans[lay.group.last][1] - spans[lay.group.first][0]
        room = window - pace.lead_s - pace.margin_s
        need = _length(units, clips, lay.units, pace)
        if need > room > 0:
            lay.factor = min(pace.max_speedup, need / room)
    redo = [(n, lay.factor) for lay in laid if lay.factor > 1.01 for n in lay.units]
    if redo:
        faster = respeak([n for n, _ in redo], [f for _, f in redo])
        for (n, _), clip in zip(redo, faster, strict=True):
            clips[n] = clip
    return _place(units, clips, laid, spans, pace)


def _length(
    units: Sequence[Unit], clips: Sequence[np.ndarray], which: list[int], pace: Pace
) -> float:
    """Seconds the units take in a row (their gaps included, the first one's excepted)."""
    gaps = sum(units[n].gap_before_s for n in which[1:]) / pace.speed
    return gaps + sum(len(clips[n]) for n in which) / pace.rate


def _place(
    units: Sequence[Unit],
    clips: list[np.ndarray],
    laid: list[_Laid],
    spans: Sequence[tuple[float, float]],
    pace: Pace,
) -> ShotPlan:
    """Each group from just after its cut (moved by the holds before it); a group longer than
    its shots holds the last of them (the hold told on its last spoken unit)."""
    count = len(units)
    plan = ShotPlan([0.0] * count, [1.0] * count, [None] * count, [0.0] * count, ())
    held, cursor = 0.0, 0.0
    holds: list[tuple[int, float]] = []
    for lay in laid:
        first, last = lay.group.first, lay.group.last
        cursor = max(spans[first][0] + held + pace.lead_s, cursor)  # never over the last
        for k, n in enumerate(lay.units):
            if k:
                cursor += units[n].gap_before_s / (pace.speed * lay.factor)
            plan.starts[n], plan.factors[n] = cursor, lay.factor
            later = range(first + 1, last + 1)
            plan.shots[n] = first + sum(1 for s in later if spans[s][0] + held <= cursor)
            cursor += len(clips[n]) / pace.rate
        over = cursor - (spans[last][1] + held - pace.margin_s)
        lay.hold_s = round(over, 3) if over > min(MARGIN_SLACK_S, pace.margin_s / 2) else 0.0
        if lay.hold_s > 0:
            holds.append((last, lay.hold_s))
            spoken = [n for n in lay.units if units[n].text]
            plan.held_s[spoken[-1] if spoken else lay.units[-1]] = lay.hold_s
        held += lay.hold_s
    plan.holds = tuple(holds)
    return plan


def cue_windows(
    cues: Sequence[float | None], end_s: float
) -> tuple[list[tuple[float, float]], list[Group]]:
    """For a timed script whose picture holds: the video cut at the cues' starts (windows), and
    each unit (by its cue start) on the window it starts (cues after the end: the last one)."""
    starts = sorted({c for c in cues if c is not None and c < end_s - 0.05})
    if not starts:
        return [(0.0, end_s)], [Group(tuple(range(len(cues))), 0, 0)]
    edges = ([0.0] if starts[0] > 0 else []) + starts + [end_s]
    windows = list(zip(edges, edges[1:], strict=False))
    on = [max(j for j, (a, _) in enumerate(windows) if a <= (c or 0.0) + 1e-9) for c in cues]
    groups = [
        Group(tuple(k for k, w in enumerate(on) if w == j), j, j)
        for j in range(len(windows))
        if j in on
    ]
    return windows, groups
