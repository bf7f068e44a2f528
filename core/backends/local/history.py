"""Each project's undo history (the draft before each change, a bounded stack in SQLite) and
the script a "Read this as the new script?" is waiting on."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from core.store import Store, dumps, loads

MAX_STEPS = 20  # undo goes back this many changes at most


@dataclass(frozen=True)
class Step:
    """The draft as it was before one change, and what that change was (for the user)."""

    options: dict[str, Any]
    script: list[list[Any]] | None
    what: str


class History:
    """The undo stacks and pending scripts of every project, in the backend's store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def push(self, project_id: str, step: Step) -> None:
        """Remember the draft before a change; the oldest steps past MAX_STEPS go."""
        async with self.store.transaction() as db:
            async with db.execute(
                "SELECT COALESCE(MAX(seq), 0) FROM project_history WHERE project_id=?",
                (project_id,),
            ) as cursor:
                row = await cursor.fetchone()
            seq = int(row[0] if row else 0) + 1
            await db.execute(
                "INSERT INTO project_history(project_id, seq, options, script, what, created)"
                " VALUES (?,?,?,?,?,?)",
                (project_id, seq, dumps(step.options), dumps(step.script), step.what, time.time()),
            )
            await db.execute(
                "DELETE FROM project_history WHERE project_id=? AND seq<=?",
                (project_id, seq - MAX_STEPS),
            )

    async def pop(self, project_id: str) -> Step | None:
        """The latest step, taken off the stack (None when there is nothing to undo)."""
        async with self.store.transaction() as db:
            async with db.execute(
                "SELECT seq, options, script, what FROM project_history WHERE project_id=?"
                " ORDER BY seq DESC LIMIT 1",
                (project_id,),
            ) as cursor:
                row = await cursor.fetchone()
            if row is None:
                return None
            await db.execute(
                "DELETE FROM project_history WHERE project_id=? AND seq=?", (project_id, row[0])
            )
        return Step(loads(row[1]), loads(row[2]), str(row[3]))

    async def recent(self, project_id: str, limit: int = 5) -> list[str]:
        """What the latest changes were, newest first."""
        rows = await self.store.fetchall(
            "SELECT what FROM project_history WHERE project_id=? ORDER BY seq DESC LIMIT ?",
            (project_id, limit),
        )
        return [str(row["what"]) for row in rows]

    async def hold(self, project_id: str, text: str) -> None:
        """Keep a script until the user says whether it is the new one."""
        await self.store.execute(
            "INSERT OR REPLACE INTO pending_scripts(project_id, text, created) VALUES (?,?,?)",
            (project_id, text, time.time()),
        )

    async def pending(self, project_id: str) -> str | None:
        """The script waiting for a yes or no, if any."""
        row = await self.store.fetchone(
            "SELECT text FROM pending_scripts WHERE project_id=?", (project_id,)
        )
        return str(row["text"]) if row else None

    async def drop_pending(self, project_id: str) -> None:
        """Forget the waiting script (answered, or another message came)."""
        await self.store.execute("DELETE FROM pending_scripts WHERE project_id=?", (project_id,))
