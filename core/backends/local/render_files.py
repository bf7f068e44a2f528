"""The files of finished renders that no job will move into the media store: a render whose
process was killed before its job kept it, or an attempt that lost its job to another (a
worker's job swept while it was dead is rendered afresh elsewhere: see core/worker.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from core.backends.base import RenderState
from core.store import Store


async def remove_unkept(store: Store, busy: set[str]) -> int:
    """Delete the files of completed job renders not in `busy` (those a job still refers to,
    or this process is running or settling); how many were there."""
    rows = await store.fetchall(
        "SELECT id, out, ref FROM renders WHERE state=?", (RenderState.COMPLETED,)
    )
    # a render with no job of its own (ref = its id) is followed by whoever started it
    unkept = [Path(r["out"]) for r in rows if r["id"] not in busy and r["ref"] != r["id"]]
    return sum(await asyncio.to_thread(_remove_each, unkept))


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
