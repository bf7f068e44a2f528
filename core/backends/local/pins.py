"""Pinned inputs of the local backend's jobs: hard links that outlive the user's own files.

A job pins the project's files when it is queued, so the user may replace or delete them at
once (a new video, a new project) while the job still renders exactly what was asked.
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path

from core.backends.base import Pinned
from core.backends.local.project import Project, build_draft

PIN_KEY = "pin"


def pin_project(project: Project, pins_root: Path) -> Pinned:
    """The project's draft and payload, its files hard-linked (else copied) into a pin folder."""
    folder = pins_root / secrets.token_hex(12)
    folder.mkdir(parents=True, exist_ok=True)
    payload = project.to_payload()
    try:
        for role, entry in project.files().items():
            source = Path(entry["path"])
            target = folder / f"{role}{source.suffix}"
            _link_or_copy(source, target)
            payload[role] = {**entry, "path": str(target)}
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    payload[PIN_KEY] = folder.name
    return Pinned(build_draft(project), payload)


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def unpin(pinned: Pinned, pins_root: Path) -> None:
    """Delete a job's pin folder (its files stay wherever else they are linked)."""
    name = pinned.payload.get(PIN_KEY)
    if isinstance(name, str) and name.isalnum():
        shutil.rmtree(pins_root / name, ignore_errors=True)


def sweep_pins(pins_root: Path, keep: set[object]) -> int:
    """Delete every pin folder whose name is not in `keep`; returns how many."""
    if not pins_root.is_dir():
        return 0
    stale = [folder for folder in pins_root.iterdir() if folder.name not in keep]
    for folder in stale:
        shutil.rmtree(folder, ignore_errors=True)
    return len(stale)
