"""What an edit did to the timeline, in words: one line per segment added, changed or removed,
and the new length ("✅ Title added: 'Paradise Found' (0–3 s)")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.words.text import is_zh
from core.words.timeline import AUDIO_LABELS, Item, _as_int, _items, _label, _secs, _t


def _added(item: Item, zh: bool) -> str:
    audio = item.volume is not None and item.label in AUDIO_LABELS
    extra = _t("volume", zh, volume=item.volume) if audio else ""
    label = _label(item.label, zh)
    return _t("added", zh, label=label, desc=item.shown(zh), span=item.span(zh), extra=extra)


def _changed(old: Item, new: Item, zh: bool) -> str:
    notes: list[str] = []
    if old.desc != new.desc:
        notes.append(_t("renamed", zh, old=old.shown(zh), new=new.shown(zh)))
    if (old.start_ms, old.end_ms) != (new.start_ms, new.end_ms):
        notes.append(_t("moved", zh, old=old.span(zh), new=new.span(zh)))
    if old.volume != new.volume and new.label in AUDIO_LABELS:
        was = old.volume if old.volume is not None else "?"
        notes.append(_t("volume_change", zh, old=was, new=new.volume))
    subject = "" if old.desc != new.desc else _t("subject", zh, desc=new.shown(zh))
    label = _label(new.label, zh)
    notes_text = _t("separator", zh).join(notes)
    return _t("changed", zh, label=label, subject=subject, notes=notes_text)


def _take(pool: list[Item], match: Any) -> Item | None:
    for index, item in enumerate(pool):
        if match(item):
            return pool.pop(index)
    return None


def describe_changes(
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None, language: str = "en"
) -> list[str]:
    """What an edit did, one line each: "✅ Title added: 'Paradise Found' (0–3 s)"."""
    zh = is_zh(language)
    old_pool = _items(before)
    lines: list[str] = []
    fresh: list[Item] = []
    for item in _items(after):
        if _take(old_pool, lambda o, i=item: o == i) is not None:
            continue
        same = _take(old_pool, lambda o, i=item: (o.label, o.desc) == (i.label, i.desc))
        if same is not None:
            lines.append(_changed(same, item, zh))
        else:
            fresh.append(item)
    for item in fresh:  # a removed and an added segment of one kind read as a change
        old = _take(old_pool, lambda o, i=item: o.label == i.label)
        lines.append(_changed(old, item, zh) if old is not None else _added(item, zh))
    lines.extend(
        _t("removed", zh, label=_label(old.label, zh), desc=old.shown(zh)) for old in old_pool
    )
    old_ms = _as_int(before.get("d")) if isinstance(before, Mapping) else 0
    new_ms = _as_int(after.get("d")) if isinstance(after, Mapping) else 0
    if old_ms and new_ms and old_ms != new_ms:
        lines.append(_t("length", zh, old=_secs(old_ms), new=_secs(new_ms)))
    return lines
