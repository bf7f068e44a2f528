"""The NemoVideo draft timeline in words: a one-line summary, readiness, and what an edit changed.

Draft shape (both backends): {"d": total_ms, "t": [{"tt": 0|1|7, "sg": [{"s": start_ms,
"d": dur_ms, "m": {"name", "text", "role", "volume"}}]}]}. Missing or odd keys are tolerated.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# role → how a track or segment is called in chat.
ROLE_LABELS: dict[str, str] = {
    "video": "Video",
    "image": "Image",
    "voiceover": "Voiceover",
    "bgm": "BGM",
    "music": "BGM",
    "original": "Original audio",
    "caption": "Captions",
    "title": "Title",
    "text": "Text",
}
# track type (tt) → label when no segment says its role.
TRACK_TYPE_LABELS: dict[int, str] = {0: "Video", 1: "Audio", 7: "Text"}
# Labels whose segments show their volume.
AUDIO_LABELS = frozenset({"Voiceover", "BGM", "Original audio", "Audio"})
# Labels whose descriptions are quoted words on screen.
TEXT_LABELS = frozenset({"Title", "Text", "Captions"})
MAX_SEGMENTS_LISTED = 3


@dataclass(frozen=True)
class Item:
    """One segment, flattened: what it is, what it shows, where it sits."""

    label: str
    desc: str
    start_ms: int
    end_ms: int
    volume: int | None  # percent

    @property
    def span(self) -> str:
        """The time span as the changes list writes it: 0–3 s."""
        return f"{_secs(self.start_ms)}–{_secs(self.end_ms)} s"


def _secs(ms: int) -> str:
    """Milliseconds as seconds, one decimal at most: 3000 → '3', 2500 → '2.5'."""
    text = f"{ms / 1000:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _as_int(value: Any) -> int:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return 0


def _tracks(draft: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    tracks = draft.get("t") if isinstance(draft, Mapping) else None
    return [t for t in tracks if isinstance(t, Mapping)] if isinstance(tracks, list) else []


def _segments(track: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    segs = track.get("sg")
    return [s for s in segs if isinstance(s, Mapping)] if isinstance(segs, list) else []


def _meta(seg: Mapping[str, Any]) -> Mapping[str, Any]:
    meta = seg.get("m")
    return meta if isinstance(meta, Mapping) else {}


def _label(track: Mapping[str, Any], seg: Mapping[str, Any] | None) -> str:
    role = str(_meta(seg).get("role", "")).lower() if seg is not None else ""
    if role in ROLE_LABELS:
        return ROLE_LABELS[role]
    return TRACK_TYPE_LABELS.get(_as_int(track.get("tt", -1)), "Track")


def _item(track: Mapping[str, Any], seg: Mapping[str, Any]) -> Item:
    meta = _meta(seg)
    label = _label(track, seg)
    desc = str(meta.get("text") or meta.get("name") or "").strip()
    if label not in TEXT_LABELS and meta.get("name"):
        desc = str(meta["name"]).strip()
    start = _as_int(seg.get("s"))
    volume = meta.get("volume")
    percent = round(float(volume) * 100) if isinstance(volume, int | float) else None
    return Item(label, desc or "untitled", start, start + _as_int(seg.get("d")), percent)


def _items(draft: Mapping[str, Any] | None) -> list[Item]:
    return [_item(track, seg) for track in _tracks(draft) for seg in _segments(track)]


def timeline_items(draft: Mapping[str, Any] | None) -> list[Item]:
    """Every segment of the draft, flattened, in track order (for the timeline picture)."""
    return _items(draft)


def track_labels(draft: Mapping[str, Any] | None) -> set[str]:
    """The kinds of segment on the timeline: {"Video", "BGM", "Title", …}."""
    return {item.label for item in _items(draft)}


def draft_ready(draft: Mapping[str, Any] | None) -> bool:
    """True when the draft has a track with at least one segment (ready for export)."""
    return any(_segments(track) for track in _tracks(draft))


def _describe_segment(item: Item) -> str:
    desc = f'"{item.desc}"' if item.label in TEXT_LABELS else item.desc
    span = f"{_secs(item.start_ms)}-{_secs(item.end_ms)}s"
    if item.volume is not None and item.label in AUDIO_LABELS:
        span += f", {item.volume}%"
    return f"{desc} ({span})"


def _describe_track(track: Mapping[str, Any]) -> str:
    segs = _segments(track)
    label = _label(track, segs[0] if segs else None)
    if not segs:
        return f"{label}: empty"
    items = [_item(track, seg) for seg in segs]
    if label == "Captions" and len(items) > 1:
        first, last = items[0], items[-1]
        return f"{label}: {len(items)} lines ({_secs(first.start_ms)}-{_secs(last.end_ms)}s)"
    listed = ", ".join(_describe_segment(i) for i in items[:MAX_SEGMENTS_LISTED])
    more = len(items) - MAX_SEGMENTS_LISTED
    return f"{label}: {listed}" + (f" +{more} more" if more > 0 else "")


def summarize_draft(draft: Mapping[str, Any] | None) -> str:
    """One line: 'Timeline (3 tracks): 1. Video: city timelapse (0-10s) 2. BGM: …'."""
    tracks = _tracks(draft)
    if not tracks:
        return "Timeline (0 tracks): empty"
    noun = "track" if len(tracks) == 1 else "tracks"
    parts = [f"{n}. {_describe_track(track)}" for n, track in enumerate(tracks, 1)]
    return f"Timeline ({len(tracks)} {noun}): " + " ".join(parts)


def _added(item: Item) -> str:
    extra = f", {item.volume}%" if item.volume is not None and item.label in AUDIO_LABELS else ""
    return f"✅ {item.label} added: '{item.desc}' ({item.span}{extra})"


def _changed(old: Item, new: Item) -> str:
    notes: list[str] = []
    if old.desc != new.desc:
        notes.append(f"'{old.desc}' → '{new.desc}'")
    if (old.start_ms, old.end_ms) != (new.start_ms, new.end_ms):
        notes.append(f"{old.span} → {new.span}")
    if old.volume != new.volume and new.label in AUDIO_LABELS:
        notes.append(f"volume {old.volume if old.volume is not None else '?'}% → {new.volume}%")
    subject = "" if old.desc != new.desc else f" '{new.desc}'"
    return f"✏️ {new.label} changed{subject}: " + ", ".join(notes)


def _take(pool: list[Item], match: Any) -> Item | None:
    for index, item in enumerate(pool):
        if match(item):
            return pool.pop(index)
    return None


def describe_changes(
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
) -> list[str]:
    """What an edit did, one line each: "✅ Title added: 'Paradise Found' (0–3 s)"."""
    old_pool = _items(before)
    lines: list[str] = []
    fresh: list[Item] = []
    for item in _items(after):
        if _take(old_pool, lambda o, i=item: o == i) is not None:
            continue
        same = _take(old_pool, lambda o, i=item: (o.label, o.desc) == (i.label, i.desc))
        if same is not None:
            lines.append(_changed(same, item))
        else:
            fresh.append(item)
    for item in fresh:  # a removed and an added segment of one kind read as a change
        old = _take(old_pool, lambda o, i=item: o.label == i.label)
        lines.append(_changed(old, item) if old is not None else _added(item))
    lines.extend(f"🗑️ {old.label} removed: '{old.desc}'" for old in old_pool)
    old_ms = _as_int(before.get("d")) if isinstance(before, Mapping) else 0
    new_ms = _as_int(after.get("d")) if isinstance(after, Mapping) else 0
    if old_ms and new_ms and old_ms != new_ms:
        lines.append(f"⏱️ Length: {_secs(old_ms)} s → {_secs(new_ms)} s")
    return lines


def fingerprint(draft: Mapping[str, Any]) -> str:
    """A stable hash of a draft (what changed since the last render)."""
    return hashlib.sha256(json.dumps(draft, sort_keys=True, default=str).encode()).hexdigest()


def draft_roles(draft: Mapping[str, Any]) -> set[str]:
    """Every segment role in a draft."""
    return {
        str(seg.get("m", {}).get("role", ""))
        for track in draft.get("t", [])
        if isinstance(track, dict)
        for seg in track.get("sg", [])
        if isinstance(seg, dict)
    }
