"""Start and stop as an async context manager: `async with part:` is start(), then stop()."""

from __future__ import annotations

from types import TracebackType
from typing import Self


class StartStop:
    """A part with async start() and stop(); `async with` runs them around the block."""

    async def start(self) -> None:
        """Start (a part that fails part-way closes what did start before raising)."""

    async def stop(self) -> None:
        """Stop and close."""

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()
