"""Fault injection for the crash tests: stop at a named point so a test can kill -9 us there.

Set VOICEOVER_PAUSE_AT to a point's name and VOICEOVER_PAUSE_MARK to a file path: when the
process reaches that point it writes the name to the file and waits there forever (the test
then kills it). Unset, a point costs one dictionary lookup.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

PAUSE_AT = "VOICEOVER_PAUSE_AT"
PAUSE_MARK = "VOICEOVER_PAUSE_MARK"


def pause_point(name: str) -> None:
    """Wait here forever (after writing the mark) when the environment names this point."""
    if os.environ.get(PAUSE_AT) != name:
        return
    Path(os.environ[PAUSE_MARK]).write_text(name, encoding="utf-8")
    while True:  # the thread (or the whole loop) stays here until the process is killed
        time.sleep(60)
