"""API keys of chat accounts (stored hashed) and each account's webhook signing secret."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from core.store import Store, fetchone_in

KEY_PREFIX = "vo_"  # keys are recognisable (e.g. by secret scanners); the rest is random
TOKEN_BYTES = 32  # secrets.token_urlsafe(32): 43 URL-safe characters
HINT_CHARS = 6  # the key's last characters, kept to name it without keeping it


@dataclass(frozen=True)
class NewKey:
    """A key as shown once (never stored), with its account's signing secret."""

    key: str
    secret: str


def key_hash(key: str) -> str:
    """The stored form of a key: the hex SHA-256 of its text."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


class ApiKeys:
    """The api_keys and api_accounts tables: one live key per account, one secret each."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def create(self, owner: str) -> NewKey:
        """A new key for the account (its earlier keys revoked) and the account's secret."""
        key = KEY_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
        now = time.time()
        async with self.store.transaction() as db:
            await db.execute(
                "UPDATE api_keys SET revoked=? WHERE owner=? AND revoked IS NULL", (now, owner)
            )
            await db.execute(
                "INSERT INTO api_keys(key_hash, owner, hint, created) VALUES (?,?,?,?)",
                (key_hash(key), owner, key[-HINT_CHARS:], now),
            )
            await db.execute(
                "INSERT OR IGNORE INTO api_accounts(owner, secret) VALUES (?,?)",
                (owner, "whsec_" + secrets.token_urlsafe(TOKEN_BYTES)),
            )
            row = await fetchone_in(db, "SELECT secret FROM api_accounts WHERE owner=?", (owner,))
        assert row is not None
        return NewKey(key, str(row["secret"]))

    async def revoke(self, owner: str) -> int:
        """Revoke the account's live keys; how many there were."""
        return await self.store.execute(
            "UPDATE api_keys SET revoked=? WHERE owner=? AND revoked IS NULL",
            (time.time(), owner),
        )

    async def owner_of(self, key: str) -> str | None:
        """The account a live key belongs to, or None (unknown or revoked)."""
        if not key or len(key) > 200:
            return None
        row = await self.store.fetchone(
            "SELECT owner FROM api_keys WHERE key_hash=? AND revoked IS NULL", (key_hash(key),)
        )
        return str(row["owner"]) if row else None

    async def secret(self, owner: str) -> str | None:
        """The account's webhook signing secret (made with its first key)."""
        row = await self.store.fetchone("SELECT secret FROM api_accounts WHERE owner=?", (owner,))
        return str(row["secret"]) if row else None
