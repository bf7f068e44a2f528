"""The render options' choices (enums); core.engine.model holds the options themselves and
names these too, so either import works."""

from __future__ import annotations

from enum import StrEnum


class Captions(StrEnum):
    NONE = "none"
    SOFT = "soft"
    BURN = "burn"


class CaptionStyle(StrEnum):
    CLASSIC = "classic"
    BOLD = "bold"
    BOXED = "boxed"
    MINIMAL = "minimal"
    KARAOKE = "karaoke"


class CaptionPosition(StrEnum):
    BOTTOM = "bottom"
    MIDDLE = "middle"
    TOP = "top"


class Aspect(StrEnum):
    ORIGINAL = "original"
    WIDE = "16:9"
    TALL = "9:16"
    SQUARE = "1:1"
    PORTRAIT = "4:5"


class Fit(StrEnum):
    PAD = "pad"
    CROP = "crop"


class MixMode(StrEnum):
    DUCK = "duck"
    REPLACE = "replace"
    KEEP = "keep"


class Overrun(StrEnum):
    """What happens when the narration is longer than the video."""

    EXTEND = "extend"  # hold the last frame
    SPEEDUP = "speedup"  # speed the narration up, within the cap
    HOLD = "hold"  # timed scripts: speed up within the cap, then hold the picture at the cue


class Sync(StrEnum):
    """How untimed narration meets the picture."""

    AUTO = "auto"  # on the shots when the paragraphs match them in number
    SHOTS = "shots"  # paragraph k starts on shot k
    NONE = "none"  # read from the start, paced naturally


class Hold(StrEnum):
    """How a shot is held while its paragraph finishes."""

    FREEZE = "freeze"  # its last frame stays
    SLOW = "slow"  # it plays slower (to no less than half speed, then freezes)
