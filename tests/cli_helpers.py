"""Running the real `voiceover` entry point (python -m core.cli) in a clean environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from core.failpoints import PAUSE_AT, PAUSE_MARK

ROOT = Path(__file__).resolve().parents[1]
UNSET = ("LOG_LEVEL", PAUSE_AT, PAUSE_MARK)  # the developer's settings that would change output


def cli_command(*args: str) -> list[str]:
    """The `voiceover` command line with these arguments."""
    return [sys.executable, "-m", "core.cli", *args]


def cli_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """This environment without bot tokens, LOG_LEVEL or failpoints, with this checkout on
    PYTHONPATH and its own DATA_DIR; `extra` added last."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "DISCORD_")) and k not in UNSET
    }
    env.update({"DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT), **extra})
    return env


def voiceover(
    *args: str,
    cwd: Path,
    data_dir: Path | None = None,
    stdin: str = "",
    timeout: float = 300,
    **extra: str,
) -> subprocess.CompletedProcess[str]:
    """Run `voiceover args` in cwd (data under cwd/data unless given), stdin given, output
    captured as text."""
    return subprocess.run(
        cli_command(*args),
        input=stdin,
        cwd=cwd,
        env=cli_env(data_dir or cwd / "data", **extra),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
