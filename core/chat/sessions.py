"""Each user's current project session, reply language and last render (the chat's tables)."""

from __future__ import annotations

import time

from core.store import Row, Store


class Sessions:
    """The sessions and prefs tables: one current session per owner."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def language(self, owner: str) -> str | None:
        """The reply language the owner chose, if any."""
        row = await self.store.fetchone("SELECT language FROM prefs WHERE owner=?", (owner,))
        return str(row["language"]) if row else None

    async def set_language(self, owner: str, language: str) -> None:
        """Remember the owner's reply language."""
        await self.store.execute(
            "INSERT OR REPLACE INTO prefs(owner, language) VALUES (?,?)", (owner, language)
        )

    async def current(self, owner: str) -> Row | None:
        """The owner's current session row (session_id, last_fp, last_job…), if any."""
        return await self.store.fetchone("SELECT * FROM sessions WHERE owner=?", (owner,))

    async def start(self, owner: str, session_id: str, language: str) -> None:
        """Make session_id the owner's current session (a new project)."""
        await self.store.execute(
            "INSERT OR REPLACE INTO sessions(owner, session_id, language, updated)"
            " VALUES (?,?,?,?)",
            (owner, session_id, language, time.time()),
        )

    async def forget(self, owner: str) -> None:
        """The backend lost the session: the next message opens a new one."""
        await self.store.execute("DELETE FROM sessions WHERE owner=?", (owner,))

    async def rendered(self, owner: str, fingerprint: str, job_id: str) -> None:
        """The owner's last render request: its draft's fingerprint and its job."""
        await self.store.execute(
            "UPDATE sessions SET last_fp=?, last_job=?, updated=? WHERE owner=?",
            (fingerprint, job_id, time.time(), owner),
        )
