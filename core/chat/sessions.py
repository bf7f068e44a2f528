"""Each user's current project session, reply language, pronunciation fixes and last render
(the chat's tables)."""

from __future__ import annotations

import time

from core.engine.lexicon import MAX_ENTRIES, Lexicon, LexiconEntry, parse_entry
from core.errors import ErrorCode, VoiceoverError
from core.store import Row, Store

LANGUAGE_TABLES = frozenset({"prefs", "heard"})  # chosen, and heard in the owner's words


class Sessions:
    """The sessions and prefs tables: one current session per owner."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def _language_in(self, table: str, owner: str) -> str | None:
        assert table in LANGUAGE_TABLES
        row = await self.store.fetchone(f"SELECT language FROM {table} WHERE owner=?", (owner,))
        return str(row["language"]) if row else None

    async def _keep_language(self, table: str, owner: str, language: str) -> None:
        assert table in LANGUAGE_TABLES
        await self.store.execute(
            f"INSERT OR REPLACE INTO {table}(owner, language) VALUES (?,?)", (owner, language)
        )

    async def language(self, owner: str) -> str | None:
        """The reply language the owner chose, if any."""
        return await self._language_in("prefs", owner)

    async def set_language(self, owner: str, language: str) -> None:
        """Remember the owner's reply language."""
        await self._keep_language("prefs", owner, language)

    async def heard_language(self, owner: str) -> str | None:
        """The language the owner's own words were last in (platforms without a locale)."""
        return await self._language_in("heard", owner)

    async def heard(self, owner: str, language: str) -> None:
        """Remember the language of the owner's words."""
        await self._keep_language("heard", owner, language)

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

    async def lexicon(self, owner: str) -> Lexicon:
        """The owner's pronunciation fixes, oldest first."""
        rows = await self.store.fetchall(
            "SELECT word, say FROM lexicon WHERE owner=? ORDER BY created, key", (owner,)
        )
        return Lexicon(tuple(parse_entry(row["word"], row["say"]) for row in rows))

    async def add_word(self, owner: str, entry: LexiconEntry) -> None:
        """Add or replace one fix (at most MAX_ENTRIES per owner)."""
        async with self.store.transaction() as db:
            async with db.execute(
                "SELECT COUNT(*) FROM lexicon WHERE owner=? AND key<>?", (owner, entry.key)
            ) as cursor:
                row = await cursor.fetchone()
            if row is not None and row[0] >= MAX_ENTRIES:
                raise VoiceoverError(ErrorCode.LEXICON_FULL, limit=MAX_ENTRIES)
            await db.execute(
                "INSERT OR REPLACE INTO lexicon(owner, key, word, say, created)"
                " VALUES (?,?,?,?,?)",
                (owner, entry.key, entry.word, entry.say, time.time()),
            )

    async def remove_word(self, owner: str, word: str) -> bool:
        """Forget the fix for `word` (any case); False when there was none."""
        key = " ".join(word.split()).casefold()
        return bool(
            await self.store.execute("DELETE FROM lexicon WHERE owner=? AND key=?", (owner, key))
        )
