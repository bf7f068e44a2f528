"""Checks on a render request that need no file I/O: script present and sized, options in range.

`check_script` is the one gate for scripts: typed text and files (`core.engine.scripts`, which
the chat and the CLI use) and every `render()` go through it, before any other work:

- at most `max_script_words` words (each CJK character counts as one);
- no word longer than MAX_WORD_CHARS characters (links and e-mail addresses: MAX_LINK_CHARS),
  where a word is what whitespace separates once CJK characters are taken out, so a Chinese or
  Japanese paragraph, written without spaces, is never one long word;
- no timed cue starting or ending after `max_duration_s`;
- the narration's floor, estimated from the text at a generous fast reading rate (timed cues
  laid out from their start times) plus its pauses (each at most 10 s), must end within
  `max_duration_s`.
"""

from __future__ import annotations

import math
import re

from core.engine.model import Limits, RenderOptions, RenderRequest, Script
from core.engine.pauses import pause_seconds
from core.engine.script_text import cjk_characters, count_words, spaced_words
from core.errors import ErrorCode, VoiceoverError
from core.words.numbers import human_duration

SPEED_RANGE = (0.5, 2.0)
VOLUME_RANGE = (0.0, 1.0)
MAX_WORD_CHARS = 80  # longer than real words (German compounds stay under ~65)
MAX_LINK_CHARS = 500  # a link or e-mail address (only its host and path are read out)
LINK = re.compile(r"^[(\[<\"']*(?:https?://|www\.)|^[^@\s]+@[^@\s]+\.[^@\s]+$", re.I)
SHOWN_CHARS = 20  # how much of a refused word the message quotes
# Faster than the engine ever reads at speed 1.0 (Piper en_US voices: about 3 words/s on typical
# text, 4.1 on monosyllables; Chinese narration runs at 4-5 characters/s), so the estimate below
# is a floor on the real length, never a guess that refuses a script that would fit.
FAST_WORDS_PER_S = 5.0
FAST_CJK_PER_S = 8.0


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


def speech_floor_s(text: str, speed: float = 1.0) -> float:
    """Seconds that reading `text` at `speed` takes at least (see FAST_WORDS_PER_S)."""
    cjk = cjk_characters(text)
    words = len(spaced_words(text))
    return (words / FAST_WORDS_PER_S + cjk / FAST_CJK_PER_S) / speed


def check_word_lengths(text: str) -> None:
    """Refuse a word longer than MAX_WORD_CHARS (a link: MAX_LINK_CHARS) with WORD_TOO_LONG."""
    for word in spaced_words(text):
        if len(word) <= MAX_WORD_CHARS:
            continue
        limit = MAX_LINK_CHARS if LINK.search(word) else MAX_WORD_CHARS
        if len(word) > limit:
            length, shown = f"{len(word):,}", word[:SHOWN_CHARS]
            raise VoiceoverError(ErrorCode.WORD_TOO_LONG, length=length, word=shown, limit=limit)


def check_output_length(seconds: float, limits: Limits) -> None:
    """Refuse an output longer than `max_duration_s` (SPEECH_TOO_LONG)."""
    if seconds > limits.max_duration_s:
        raise VoiceoverError(
            ErrorCode.SPEECH_TOO_LONG,
            duration=human_duration(seconds),
            limit=human_duration(limits.max_duration_s),
        )


def _check_timing(script: Script, limits: Limits, fastest_speed: float) -> None:
    """Cues within the length limit, and the estimated narration's end too."""
    limit = limits.max_duration_s
    end = 0.0
    for cue in script.cues:
        for at in (cue.start_s, cue.end_s):
            if at is not None and at > limit:
                shown = (human_duration(at), human_duration(limit))
                raise VoiceoverError(ErrorCode.CUE_TOO_LATE, at=shown[0], limit=shown[1])
        start = max(end, cue.start_s or 0.0) if script.timed else end
        end = start + speech_floor_s(cue.text, fastest_speed) + pause_seconds(cue.text)
    check_output_length(end, limits)


def check_script(script: Script, limits: Limits, fastest_speed: float = SPEED_RANGE[1]) -> None:
    """Refuse a script over the limits (see the module's docstring) before any work is done.

    `fastest_speed` is the fastest the script may be read (by default the top of the speed
    range, for a script whose options are not known yet); math.inf when it is not spoken.
    """
    words = sum(count_words(c.text) for c in script.cues)
    if words > limits.max_script_words:
        raise VoiceoverError(ErrorCode.SCRIPT_TOO_LONG, words=words, limit=limits.max_script_words)
    for cue in script.cues:
        check_word_lengths(cue.text)
    _check_timing(script, limits, fastest_speed)


def check_inputs(request: RenderRequest, limits: Limits, max_speedup: float = 1.0) -> None:
    """A script (or the user's recording) must be there, non-empty and within the limits.

    `max_speedup` is how much faster than the asked speed the narration may be read to fit.
    """
    check_options(request.options)
    if request.script is None and request.narration is None and not request.hears_speech:
        raise VoiceoverError(ErrorCode.NOTHING_TO_RENDER)
    if request.script is None:
        return
    if request.script.word_count == 0 and request.narration is None:
        raise VoiceoverError(ErrorCode.EMPTY_SCRIPT)
    fastest = min(SPEED_RANGE[1], request.options.speed * max_speedup)
    check_script(request.script, limits, math.inf if request.narration else fastest)
