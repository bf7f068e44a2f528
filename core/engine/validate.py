"""Checks on a render request that need no file I/O: script present and sized, options in range."""

from __future__ import annotations

import math

from core.engine.model import Limits, RenderOptions, RenderRequest
from core.errors import ErrorCode, VoiceoverError

SPEED_RANGE = (0.5, 2.0)
VOLUME_RANGE = (0.0, 1.0)


def check_range(option: str, value: float, bounds: tuple[float, float]) -> float:
    """`value` if it lies within `bounds`, else BAD_OPTION naming the option and the range."""
    low, high = bounds
    if not (math.isfinite(value) and low <= value <= high):
        raise VoiceoverError(
            ErrorCode.BAD_OPTION,
            option=option,
            value=f"{value:g}",
            reason=f"it must be between {low:g} and {high:g}",
        )
    return value


def check_options(options: RenderOptions) -> None:
    """Refuse options outside their ranges, naming the option and the allowed range."""
    check_range("speed", options.speed, SPEED_RANGE)
    check_range("music volume", options.music_volume, VOLUME_RANGE)


def check_inputs(request: RenderRequest, limits: Limits) -> None:
    """A script (or the user's recording) must be there, non-empty and within the word limit."""
    check_options(request.options)
    if request.script is None and request.narration is None:
        raise VoiceoverError(ErrorCode.NOTHING_TO_RENDER)
    if request.script is None:
        return
    words = request.script.word_count
    if words == 0 and request.narration is None:
        raise VoiceoverError(ErrorCode.EMPTY_SCRIPT)
    if words > limits.max_script_words:
        raise VoiceoverError(ErrorCode.SCRIPT_TOO_LONG, words=words, limit=limits.max_script_words)
