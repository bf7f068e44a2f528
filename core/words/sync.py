"""What a synced render says it did, in English and Chinese (words only; no engine here)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def _seconds(value: float) -> str:
    return f"{value:.1f}"


def sync_summary(
    paragraphs: int, shots: int, holds: Iterable[tuple[int, float]], zh: bool = False
) -> str:
    """'5 paragraphs on 5 shots; shot 3 held 2.4 s' (shots counted from 1)."""
    held = [(shot, s) for shot, s in holds if s > 0]
    if zh:
        text = f"{paragraphs} 段对齐 {shots} 个镜头"
        text += "".join(f"；镜头 {shot} 停留 {_seconds(s)} 秒" for shot, s in held)
        return text
    noun = "paragraph" if paragraphs == 1 else "paragraphs"
    text = f"{paragraphs} {noun} on {shots} shot{'s' if shots != 1 else ''}"
    return text + "".join(f"; shot {shot} held {_seconds(s)} s" for shot, s in held)


def holds_of(segments: Sequence[object]) -> list[tuple[int, float]]:
    """(shot counted from 1, seconds held) of the segments that held their shot."""
    found = []
    for seg in segments:
        shot, held = getattr(seg, "shot", None), float(getattr(seg, "held_s", 0.0) or 0.0)
        if shot is not None and held > 0:
            found.append((int(shot) + 1, held))
    return found


def shots_line(
    shots: Sequence[Sequence[float]], zh: bool = False, holds: Sequence[tuple[int, float]] = ()
) -> str:
    """'Shots (5): 1 0:00.0–0:02.5 · 2 0:02.5–0:04.0 (held 2.4 s) …' for status (holds: the
    latest render's, shots counted from 1)."""

    def clock(t: float) -> str:
        minutes, seconds = divmod(t, 60)
        return f"{int(minutes)}:{seconds:04.1f}"

    held = dict(holds)
    tag = "（停留 {} 秒）" if zh else " (held {} s)"
    parts = [
        f"{n} {clock(a)}–{clock(b)}" + (tag.format(_seconds(held[n])) if n in held else "")
        for n, (a, b) in enumerate(shots, 1)
    ]
    head = f"镜头（{len(shots)}）：" if zh else f"Shots ({len(shots)}): "
    return head + " · ".join(parts)


def synced_line(record: object, language: str) -> str:
    """'\\n🎬 5 paragraphs on 5 shots; shot 3 held 2.4 s' for a result laid on the shots
    (its stored record: paragraphs, shots, holds), else ''."""
    if not isinstance(record, dict) or not record.get("shots"):
        return ""
    holds = [(int(shot), float(s)) for shot, s in record.get("holds") or ()]
    zh = language.lower().startswith("zh")
    return "\n🎬 " + sync_summary(
        int(record.get("paragraphs") or 0), int(record["shots"]), holds, zh
    )
