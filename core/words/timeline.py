"""The NemoVideo draft timeline in words: a one-line summary, readiness, and what an edit changed.

Draft shape (both backends): {"d": total_ms, "t": [{"tt": 0|1|7, "sg": [{"s": start_ms,
"d": dur_ms, "m": {"name", "text", "role", "volume"}}]}]}. Missing or odd keys are tolerated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.words.languages import GENDER_TEXT, language_words
from core.words.sync import shots_line
from core.words.text import Bilingual, is_zh

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
# Labels, and the names our own drafts give segments, for a Chinese speaker.
LABELS_ZH: dict[str, str] = {
    "Video": "视频",
    "Image": "图片",
    "Voiceover": "配音",
    "BGM": "背景音乐",
    "Original audio": "原声",
    "Captions": "字幕",
    "Title": "标题",
    "Text": "文字",
    "Audio": "音频",
    "Track": "轨道",
}
NAMES_ZH: dict[str, str] = {
    "original audio": "原声",
    "captions": "字幕",
    "untitled": "未命名",
    "voice": "默认声音",
}
TEXTS: dict[str, Bilingual] = {
    "summary": Bilingual(
        "Timeline ({count} {noun}): {parts}", "时间线（{count} 条轨道）：{parts}"
    ),
    "track": Bilingual("{n}. {label}: {body}", "{n}. {label}：{body}"),
    "empty": Bilingual("empty", "空"),
    "segment": Bilingual("{desc} ({span})", "{desc}（{span}）"),
    "short_span": Bilingual("{start}-{end}s", "{start}-{end}秒"),
    "volume": Bilingual(", {volume}%", "，{volume}%"),
    "quoted": Bilingual('"{text}"', "“{text}”"),
    "lines": Bilingual("{count} lines ({span})", "{count} 行（{span}）"),
    "more": Bilingual(" +{more} more", " 等另外 {more} 段"),
    "separator": Bilingual(", ", "，"),
    "span": Bilingual("{start}–{end} s", "{start}–{end} 秒"),
    "added": Bilingual(
        "✅ {label} added: '{desc}' ({span}{extra})", "✅ 已添加{label}：“{desc}”（{span}{extra}）"
    ),
    "changed": Bilingual(
        "✏️ {label} changed{subject}: {notes}", "✏️ 已修改{label}{subject}：{notes}"
    ),
    "subject": Bilingual(" '{desc}'", "“{desc}”"),
    "renamed": Bilingual("'{old}' → '{new}'", "“{old}” → “{new}”"),
    "moved": Bilingual("{old} → {new}", "{old} → {new}"),
    "volume_change": Bilingual("volume {old}% → {new}%", "音量 {old}% → {new}%"),
    "removed": Bilingual("🗑️ {label} removed: '{desc}'", "🗑️ 已删除{label}：“{desc}”"),
    "length": Bilingual("⏱️ Length: {old} s → {new} s", "⏱️ 时长：{old} 秒 → {new} 秒"),
}


@dataclass(frozen=True)
class Item:
    """One segment, flattened: what it is, what it shows (also for a Chinese speaker), where it
    sits."""

    label: str
    desc: str
    start_ms: int
    end_ms: int
    volume: int | None  # percent
    desc_zh: str = ""

    def shown(self, zh: bool) -> str:
        """The description in the reader's language."""
        return (self.desc_zh or self.desc) if zh else self.desc

    def span(self, zh: bool = False) -> str:
        """The time span as the changes list writes it: 0–3 s."""
        return _t("span", zh, start=_secs(self.start_ms), end=_secs(self.end_ms))


def _t(key: str, zh: bool, **fields: Any) -> str:
    text = TEXTS[key]
    return (text.zh if zh else text.en).format(**fields)


def _label(label: str, zh: bool) -> str:
    return LABELS_ZH.get(label, label) if zh else label


def label_in(label: str, language: str) -> str:
    """A track label ("Voiceover") in the user's language."""
    return _label(label, is_zh(language))


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


def _track_label(track: Mapping[str, Any], seg: Mapping[str, Any] | None) -> str:
    role = str(_meta(seg).get("role", "")).lower() if seg is not None else ""
    if role in ROLE_LABELS:
        return ROLE_LABELS[role]
    return TRACK_TYPE_LABELS.get(_as_int(track.get("tt", -1)), "Track")


def _voice_zh(meta: Mapping[str, Any]) -> str:
    """Our own voiceover's name ('male ZH voice') for a Chinese speaker: '中文男声'."""
    gender = GENDER_TEXT.get(str(meta.get("gender") or ""))
    language = language_words(str(meta["language"])).zh if meta.get("language") else ""
    if not language and gender is None:
        return NAMES_ZH["voice"]
    return language + (gender.zh if gender is not None else "声音")


def _item(track: Mapping[str, Any], seg: Mapping[str, Any]) -> Item:
    meta = _meta(seg)
    label = _track_label(track, seg)
    desc = str(meta.get("text") or meta.get("name") or "").strip()
    if label not in TEXT_LABELS and meta.get("name"):
        desc = str(meta["name"]).strip()
    desc = desc or "untitled"
    desc_zh = NAMES_ZH.get(desc, desc)
    ours = "gender" in meta and not meta.get("voice") and not meta.get("own")
    if label == "Voiceover" and ours:
        desc_zh = _voice_zh(meta)
    start = _as_int(seg.get("s"))
    volume = meta.get("volume")
    percent = round(float(volume) * 100) if isinstance(volume, int | float) else None
    return Item(label, desc, start, start + _as_int(seg.get("d")), percent, desc_zh)


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


def _describe_segment(item: Item, zh: bool) -> str:
    desc = item.shown(zh)
    desc = _t("quoted", zh, text=desc) if item.label in TEXT_LABELS else desc
    span = _t("short_span", zh, start=_secs(item.start_ms), end=_secs(item.end_ms))
    if item.volume is not None and item.label in AUDIO_LABELS:
        span += _t("volume", zh, volume=item.volume)
    return _t("segment", zh, desc=desc, span=span)


def _describe_track(n: int, track: Mapping[str, Any], zh: bool) -> str:
    segs = _segments(track)
    label = _track_label(track, segs[0] if segs else None)
    items = [_item(track, seg) for seg in segs]
    if not items:
        body = _t("empty", zh)
    elif label == "Captions" and len(items) > 1:
        first, last = items[0], items[-1]
        span = _t("short_span", zh, start=_secs(first.start_ms), end=_secs(last.end_ms))
        body = _t("lines", zh, count=len(items), span=span)
    else:
        listed = [_describe_segment(i, zh) for i in items[:MAX_SEGMENTS_LISTED]]
        more = len(items) - MAX_SEGMENTS_LISTED
        body = _t("separator", zh).join(listed) + (_t("more", zh, more=more) if more > 0 else "")
    return _t("track", zh, n=n, label=_label(label, zh), body=body)


def summarize_draft(draft: Mapping[str, Any] | None, language: str = "en") -> str:
    """One line: 'Timeline (3 tracks): 1. Video: city timelapse (0-10s) 2. BGM: …' (or in
    Chinese for a Chinese speaker)."""
    zh = is_zh(language)
    tracks = _tracks(draft)
    parts = " ".join(_describe_track(n, track, zh) for n, track in enumerate(tracks, 1))
    noun = "track" if len(tracks) == 1 else "tracks"
    line = _t("summary", zh, count=len(tracks), noun=noun, parts=parts or _t("empty", zh))
    shots = draft_shots(draft)
    return line + ("\n" + shots_line(shots, zh, draft_holds(draft)) if shots else "")


def draft_holds(draft: Mapping[str, Any] | None) -> list[tuple[int, float]]:
    """(shot from 1, seconds) the latest render held, as the draft keeps them, else []."""
    for track in _tracks(draft):
        for seg in _segments(track):
            holds = _meta(seg).get("holds")
            if isinstance(holds, list):
                return [(int(h[0]), float(h[1])) for h in holds if len(h) == 2]
    return []


def draft_shots(draft: Mapping[str, Any] | None) -> list[list[float]]:
    """The video's shots as the draft keeps them (local backend, once found), else []."""
    for track in _tracks(draft):
        for seg in _segments(track):
            shots = _meta(seg).get("shots")
            if isinstance(shots, list):
                return [list(map(float, s)) for s in shots]
    return []
