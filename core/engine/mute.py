"""Silencing stretches of the original audio (where its speech was), with short fades."""

from __future__ import annotations

FADE_S = 0.06  # the original audio fades out and back in this quickly around speech
Spans = tuple[tuple[float, float], ...]


def mute_expression(spans: Spans, fade_s: float = FADE_S) -> str:
    """A volume expression (per frame, t in seconds): 0 inside each span, back to 1 over
    `fade_s` on either side."""
    if not spans:
        return "1"
    factors = [
        f"clip(max({a - fade_s:.3f}-t,t-{b + fade_s:.3f})/{fade_s:.3f}+1,0,1)" for a, b in spans
    ]
    return "*".join(factors)


def mute_filter(spans: Spans) -> str:
    """The filter that silences the original audio in `spans` (for a filtergraph)."""
    return f"volume='{mute_expression(spans)}':eval=frame"
