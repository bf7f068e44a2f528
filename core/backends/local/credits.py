"""The credit ledger of the local backend: freeze at start, settle or release at the end."""

from __future__ import annotations

import math
import time

import aiosqlite

from core.backends.base import Credits
from core.config import Settings
from core.errors import ErrorCode, VoiceoverError
from core.store import Store, fetchone_in


def price_for(narration_s: float, per_minute: int) -> int:
    """Credits for this much narration: the price per started minute."""
    return math.ceil(max(0.0, narration_s) / 60.0 - 1e-9) * per_minute


class Ledger:
    """Balances per owner with an append-only ledger; one row per (ref, kind), so never twice."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.starting = settings.starting_credits
        self.unlimited = settings.unlimited_credits
        self.per_minute = settings.credits_per_minute

    async def _ensure(self, db: aiosqlite.Connection, owner: str) -> dict[str, int]:
        row = await fetchone_in(db, "SELECT * FROM balances WHERE owner=?", (owner,))
        if row is None:
            await db.execute(
                "INSERT INTO balances(owner, available, frozen) VALUES (?,?,0)",
                (owner, self.starting),
            )
            await self._log(db, owner, f"start:{owner}", "start", self.starting)
            return {"available": self.starting, "frozen": 0}
        return {"available": row["available"], "frozen": row["frozen"]}

    async def _log(
        self, db: aiosqlite.Connection, owner: str, ref: str, kind: str, amount: int
    ) -> None:
        await db.execute(
            "INSERT INTO ledger(owner, ref, kind, amount, created) VALUES (?,?,?,?,?)",
            (owner, ref, kind, amount, time.time()),
        )

    async def _set(
        self, db: aiosqlite.Connection, owner: str, available: int, frozen: int
    ) -> None:
        await db.execute(
            "UPDATE balances SET available=?, frozen=? WHERE owner=?", (available, frozen, owner)
        )

    async def balance(self, owner: str) -> Credits:
        """Available, frozen and total for this owner."""
        async with self.store.transaction() as db:
            row = await self._ensure(db, owner)
        total = row["available"] + row["frozen"]
        return Credits(row["available"], row["frozen"], total, unlimited=self.unlimited)

    async def freeze(self, owner: str, ref: str, amount: int) -> None:
        """Hold `amount` for job `ref`; NO_CREDITS when the balance is short. Idempotent."""
        async with self.store.transaction() as db:
            await self.freeze_in(db, owner, ref, amount)

    async def freeze_in(self, db: aiosqlite.Connection, owner: str, ref: str, amount: int) -> None:
        """`freeze` inside the caller's transaction (one commit with what goes with it)."""
        if self.unlimited:
            return
        row = await self._ensure(db, owner)
        if await self._entry(db, ref, "freeze") is not None:
            return
        if row["available"] < amount:
            raise VoiceoverError(ErrorCode.NO_CREDITS, available=row["available"], needed=amount)
        await self._log(db, owner, ref, "freeze", amount)
        await self._set(db, owner, row["available"] - amount, row["frozen"] + amount)

    async def _entry(self, db: aiosqlite.Connection, ref: str, kind: str) -> int | None:
        row = await fetchone_in(
            db, "SELECT amount FROM ledger WHERE ref=? AND kind=?", (ref, kind)
        )
        return None if row is None else int(row["amount"])

    async def _unfreeze(self, owner: str, ref: str, kind: str, charge: int | None) -> int:
        async with self.store.transaction() as db:
            held = await self._entry(db, ref, "freeze")
            done = await fetchone_in(
                db, "SELECT 1 FROM ledger WHERE ref=? AND kind IN ('settle','release')", (ref,)
            )
            if held is None or done is not None:
                return 0
            row = await self._ensure(db, owner)
            spent = 0 if charge is None else min(charge, held + row["available"])
            await self._log(db, owner, ref, kind, spent if charge is not None else held)
            await self._set(db, owner, row["available"] + held - spent, row["frozen"] - held)
            return spent

    async def settle(self, owner: str, ref: str, narration_s: float) -> int:
        """Charge job `ref` for its actual narration (capped so never negative); returns it."""
        return await self._unfreeze(owner, ref, "settle", price_for(narration_s, self.per_minute))

    async def release(self, owner: str, ref: str) -> None:
        """Give back what job `ref` froze (failure or cancel)."""
        await self._unfreeze(owner, ref, "release", None)

    async def grant(self, owner: str, amount: int, ref: str) -> Credits:
        """Add credits (an admin's grant); `ref` makes a redelivered grant count once."""
        if amount <= 0:
            raise VoiceoverError(
                ErrorCode.BAD_OPTION, option="amount", value=amount, reason="must be positive"
            )
        async with self.store.transaction() as db:
            row = await self._ensure(db, owner)
            if await self._entry(db, ref, "grant") is None:
                await self._log(db, owner, ref, "grant", amount)
                await self._set(db, owner, row["available"] + amount, row["frozen"])
        return await self.balance(owner)
