"""Sizes and durations as people read them."""

from __future__ import annotations


def human_size(n: int) -> str:
    """Bytes as a short human string: 512 KB, 20 MB, 1.5 GB."""
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if size >= 10 or unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{n} B"


def human_duration(seconds: float) -> str:
    """Seconds as m:ss or h:mm:ss."""
    total = int(round(seconds))
    h, rem = divmod(total, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"
