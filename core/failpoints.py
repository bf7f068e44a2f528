"""Fault injection for the crash tests: stop at a named point so a test can kill -9 us there.

Set VOICEOVER_PAUSE_AT to a point's name and VOICEOVER_PAUSE_MARK to a file path: when the
process reaches that point it writes the name to the file and waits there forever (the test
then kills it). VOICEOVER_HOLD_AT instead holds a `hold_point` only until the test removes the
mark (to signal us there, say). Unset, a point costs one dictionary lookup.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

PAUSE_AT = "VOICEOVER_PAUSE_AT"
PAUSE_MARK = "VOICEOVER_PAUSE_MARK"
HOLD_AT = "VOICEOVER_HOLD_AT"
HOLD_POLL_S = 0.01


def pause_point(name: str) -> None:
    """Wait here forever (after writing the mark) when the environment names this point."""
    if os.environ.get(PAUSE_AT) != name:
        return
    Path(os.environ[PAUSE_MARK]).write_text(name, encoding="utf-8")
    while True:  # the thread (or the whole loop) stays here until the process is killed
        time.sleep(60)


def hold_point(name: str) -> None:
    """Wait here, after writing the mark, until the mark is removed, when the environment's
    VOICEOVER_HOLD_AT names this point."""
    if os.environ.get(HOLD_AT) != name:
        return
    mark = Path(os.environ[PAUSE_MARK])
    mark.write_text(name, encoding="utf-8")
    while mark.exists():
        time.sleep(HOLD_POLL_S)


def stage_point(name: str) -> None:
    """A render's stage: a pause_point, then a hold_point."""
    pause_point(name)
    hold_point(name)
