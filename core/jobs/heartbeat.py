"""While a job runs: the chat's 'working' signal, one edited progress message, 'Still working'."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from types import TracebackType

from core.clock import Clock
from core.config import Settings
from core.ports import Chat, MessageRef
from core.words.replies import reply, stage_label

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HeartbeatTimings:
    """How often the chat's 'working' signal repeats, progress is edited, and when a quiet
    step says 'Still working...'."""

    interval_s: float = 4.0
    edit_interval_s: float = 3.0
    still_after_s: float = 120.0

    @classmethod
    def from_settings(cls, settings: Settings) -> HeartbeatTimings:
        """The configured timings."""
        return cls(
            settings.heartbeat_interval_s,
            settings.progress_edit_interval_s,
            settings.still_working_after_s,
        )


class Heartbeat:
    """An async context manager (like aiogram's ChatActionSender) that keeps a chat informed."""

    def __init__(
        self, chat: Chat, clock: Clock, timings: HeartbeatTimings, language: str = "en"
    ) -> None:
        self.chat = chat
        self.clock = clock
        self.language = language
        self.interval_s = timings.interval_s
        self.edit_interval_s = timings.edit_interval_s
        self.still_after_s = timings.still_after_s
        self._ref: MessageRef | None = None
        self._shown = ""
        self._pending = ""
        self._last_edit = float("-inf")
        self._last_visible = clock.now()
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> Heartbeat:
        self._last_visible = self.clock.now()
        self._task = asyncio.create_task(self._beat())
        await asyncio.sleep(0)  # the first beat goes out now
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def text_for(self, stage: str, percent: float) -> str:
        """The progress line for a stage and percent."""
        label = stage_label(stage, self.language)
        return reply("progress", self.language, stage=label, percent=int(percent))

    async def progress(self, stage: str, percent: float) -> None:
        """Report progress; the message is edited now or at the next allowed moment."""
        self._pending = self.text_for(stage, max(0.0, min(100.0, percent)))
        await self._flush()

    def visible_change(self) -> None:
        """Something else the user can see happened (resets the 'Still working' timer)."""
        self._last_visible = self.clock.now()

    async def _flush(self) -> None:
        async with self._lock:
            now = self.clock.now()
            if not self._pending or self._pending == self._shown:
                return
            if self._ref is not None and now - self._last_edit < self.edit_interval_s:
                return
            if self._ref is None:
                self._ref = await self.chat.say(self._pending)
            else:
                await self.chat.edit(self._ref, self._pending)
            self._shown, self._last_edit, self._last_visible = self._pending, now, now

    async def _beat(self) -> None:
        next_beat = self.clock.now()
        while True:
            try:
                await self.chat.working()
                await self._flush()
                if self.clock.now() - self._last_visible >= self.still_after_s:
                    await self.chat.say(reply("still_working", self.language))
                    self._last_visible = self.clock.now()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("heartbeat could not reach the chat", exc_info=True)
            next_beat += self.interval_s
            await self.clock.sleep(max(0.0, next_beat - self.clock.now()))
