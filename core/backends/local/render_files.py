"""The files of finished renders that no job will move into the media store: a render whose
process was killed before its job kept it, or an attempt that lost its job to another (a
worker's job swept while it was dead is rendered afresh elsewhere: see core/worker.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from pathlib import Path

from core.backends.base import RenderState
from core.store import Store


async def remove_unkept(store: Store, folder: Path, *busy: Collection[str]) -> int:
    """Delete the files in `folder` of completed job renders in none of `busy` (those a job
    still refers to, or this process is running or settling); how many. Only the files there
    are looked up: a kept render's file has moved out, so the renders' history is never read."""
    present = await asyncio.to_thread(_finished_files, folder)
    candidates = [rid for rid in present if not any(rid in ids for ids in busy)]
    if not candidates:
        return 0
    marks = ",".join("?" * len(candidates))
    rows = await store.fetchall(
        f"SELECT id, ref FROM renders WHERE state=? AND id IN ({marks})",
        (RenderState.COMPLETED, *candidates),
    )
    # a render with no job of its own (ref = its id) is followed by whoever started it
    unkept = [present[r["id"]] for r in rows if r["ref"] != r["id"]]
    return sum(await asyncio.to_thread(_remove_each, unkept))


def _finished_files(folder: Path) -> dict[str, Path]:
    """The finished render files in `folder` by render id (partials are hidden: not these)."""
    try:
        return {p.stem: p for p in folder.glob("*.mp4") if not p.name.startswith(".")}
    except OSError:
        return {}


async def forget_stale(store: Store, render_id: str, out: Path) -> None:
    """Forget a render a killed process left unfinished, and its file: a render killed after
    its file was written but before it was recorded as done leaves one."""
    await asyncio.to_thread(out.unlink, True)
    await store.execute("DELETE FROM renders WHERE id=?", (render_id,))


def _remove_each(paths: list[Path]) -> list[int]:
    """1 for each file removed, 0 for one already gone (moved into the media store)."""
    removed = []
    for path in paths:
        try:
            path.unlink()
            removed.append(1)
        except FileNotFoundError:
            removed.append(0)
    return removed
