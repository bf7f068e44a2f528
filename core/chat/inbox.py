"""Updates a platform handed us, kept until their messages were handled: a platform that counts
an update as taken once we ask for the next ones (Telegram's getUpdates offset) would otherwise
lose a message taken just before a kill -9. The next start hands them in again; a message that
was already handled does nothing the second time (its id is `seen`)."""

from __future__ import annotations

from collections.abc import Iterable

from core.store import Store


class Inbox:
    """The `inbox` table: (platform, update id) → the update's body as the platform sent it."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def keep(self, platform: str, updates: Iterable[tuple[int, str]]) -> None:
        """Remember these updates (id, body) until `handled` (kept once, whatever repeats)."""
        await self.store.open()  # a bot may poll before the service has started
        async with self.store.transaction() as db:
            await db.executemany(
                "INSERT OR IGNORE INTO inbox(platform, update_id, body) VALUES (?,?,?)",
                [(platform, update_id, body) for update_id, body in updates],
            )

    async def handled(self, platform: str, update_id: int) -> None:
        """The update's message was handled (or ignored): forget it."""
        await self.store.execute(
            "DELETE FROM inbox WHERE platform=? AND update_id=?", (platform, update_id)
        )

    async def waiting(self, platform: str) -> list[str]:
        """The bodies of updates taken and not handled yet, oldest first."""
        await self.store.open()
        rows = await self.store.fetchall(
            "SELECT body FROM inbox WHERE platform=? ORDER BY update_id", (platform,)
        )
        return [str(row["body"]) for row in rows]
