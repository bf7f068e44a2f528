"""Files of projects nobody can reach any more: freed as soon as they are abandoned.

A user has one current project; `/new` opens another, so the earlier ones' uploads only take
space. Their keys are deleted (and their entries cleared) when the owner opens a new project. A
queued or running job is not affected: it renders its own pinned copies (hard links under
pins/ that keep the bytes alive until the job ends).
"""

from __future__ import annotations

from core.backends.local.project import Project
from core.media.store import MediaStore
from core.store import Store

ROLES = ("media", "music", "narration")


async def free_abandoned(store: Store, media: MediaStore, owner: str, current: str) -> int:
    """Delete the files of `owner`'s projects other than `current`; returns how many."""
    rows = await store.fetchall(
        "SELECT * FROM projects WHERE owner=? AND id<>? AND"
        " (media IS NOT NULL OR music IS NOT NULL OR narration IS NOT NULL)",
        (owner, current),
    )
    freed = 0
    for row in rows:
        project = Project.from_row(row)
        await store.execute(
            "UPDATE projects SET media=NULL, music=NULL, narration=NULL WHERE id=?", (project.id,)
        )
        for entry in project.files().values():
            if "key" in entry:
                await media.delete(entry["key"])
                freed += 1
    return freed
