"""The service: the chat side (messages in each user's order → flows) and the job side
(queue → runner → render, then deliver), built by the composition root (core/wiring.py) and
started and stopped as one."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable

from core.backends.base import Backend
from core.chat.commands import PURE_READS, READ_ONLY
from core.chat.floodgate import Admission
from core.chat.routing import Routed, route
from core.chat.turn import Turn, installed_voices
from core.clock import Clock
from core.config import Settings
from core.disk import disk_full_of
from core.engine.model import VoiceInfo
from core.errors import ErrorCode, VoiceoverError
from core.lifecycle import StartStop
from core.ports import Chat, ChatFactory, Incoming
from core.uninterrupted import uninterrupted
from core.wiring import Parts
from core.words.errors import message_for

log = logging.getLogger(__name__)


class Service(StartStop):
    """Messages in, jobs run, results out; an async context manager (or start/stop)."""

    def __init__(
        self, settings: Settings, backend: Backend | None = None, clock: Clock | None = None
    ) -> None:
        self.parts = parts = Parts(settings, self.accept, backend, clock)
        self.settings = settings
        self.clock = parts.clock
        self.media = parts.media
        self.backend = parts.backend
        self.store = parts.store
        self.jobs = parts.jobs
        self.metrics = parts.metrics
        self.signer = parts.signer
        self.chats = parts.chats
        self.deliveries = parts.deliveries
        self.timings = parts.timings
        self.runner = parts.runner
        self.slots = parts.slots
        self.queue = parts.queue
        self.renders = parts.renders
        self.pipeline = parts.pipeline
        self.remote = parts.remote
        self.uploads = parts.uploads
        self.pages = parts.pages
        self.flows = parts.flows
        self.lanes = parts.lanes
        self.gate = parts.gate
        self.api = parts.api
        self.link_server = parts.link_server
        self._tasks = parts._tasks
        self._inflight: set[tuple[str, str]] = set()
        self._stopping = False  # a message cut short by a stop is not "seen": it may come again

    # Lifecycle ---------------------------------------------------------------------------------

    async def start(self) -> None:
        """Start every part (core/wiring.py); when one fails, what did start is stopped before
        the error goes up (like python-telegram-bot's Application.__aenter__)."""
        await self.parts.start()

    async def stop(self) -> None:
        """Stop the users' lanes, then every part (running jobs resume at the next start)."""
        self._stopping = True
        await self.lanes.stop()
        await self.parts.stop()

    async def problems(self) -> list[str]:
        """What keeps the service from working now (the queue or the store unreachable)."""
        return await self.parts.problems()

    async def readiness(self) -> list[str]:
        """problems(), and disks short of space (for /readyz; a start is not refused for it)."""
        return await self.parts.readiness()

    def register_platform(self, platform: str, factory: ChatFactory) -> None:
        """How to reach a chat of this platform after a restart (pending results go out now)."""
        self.chats.register(platform, factory)
        if self.parts.started:
            self.parts.spawn(self.deliveries.deliver_pending())
            self.parts.spawn(_discard(self.uploads.hand_off_waiting(platform)))

    def voices(self) -> list[VoiceInfo]:
        """Installed voices (for autocomplete and /voices)."""
        return installed_voices(self.backend)

    async def wait_idle(self) -> None:
        """Until no job is queued or running and every result is delivered."""
        while True:
            await self.runner.wait_idle()
            if not await self.deliveries.pending():
                return
            await self.deliveries.deliver_pending()
            await asyncio.sleep(0.05)

    # Messages ----------------------------------------------------------------------------------

    async def handle(self, incoming: Incoming, chat: Chat) -> None:
        """Handle one message in its user's order; long work becomes a job."""
        await self.accept(incoming, chat)

    def accept(self, incoming: Incoming, chat: Chat) -> Awaitable[None]:
        """Queue a message behind the same user's earlier ones, now (so call order is kept).

        Every message of a user takes effect in the order it arrived, read-only ones included,
        but for a pure read (/status, /credits, …): it does not wait for files still being
        received, only for the other messages before it (core/chat/lanes.py). /cancel first
        stops every earlier message still waiting or running (an upload being received, say).
        A redelivered message does nothing. Returns what to await for the end.
        """
        key = (incoming.platform, incoming.message_id)
        if key in self._inflight:
            return asyncio.ensure_future(asyncio.sleep(0))
        self._inflight.add(key)
        owner = f"{incoming.platform}:{incoming.user_id}"
        turn = Turn(incoming, chat, owner, incoming.language)
        routed = route(incoming)
        upload = bool(incoming.attachments)
        admission = self.gate.admit(owner, upload=upload, exempt=routed.intent == "cancel")
        if admission.reason is not None:
            self._inflight.discard(key)
            return asyncio.ensure_future(self._dropped(turn, admission))
        task, turn.preempted = self.lanes.submit(
            owner,
            lambda: self._handle(turn, routed),
            preempt=routed.intent == "cancel",
            stoppable=routed.intent not in READ_ONLY,  # a /cancel lets those run, in order
            slow=upload,
            pure_read=routed.intent in PURE_READS and not upload,  # not behind a file: lanes.py
        )
        task.add_done_callback(lambda _: self._inflight.discard(key))
        task.add_done_callback(lambda _: self.gate.left(owner, upload=upload))
        return asyncio.ensure_future(_outcome(task))  # runs even if the caller never awaits

    async def _dropped(self, turn: Turn, admission: Admission) -> None:
        """A message past the user's limits: counted; the user told once per window."""
        self.metrics.dropped.labels(reason=str(admission.reason)).inc()
        if not admission.tell:
            return
        self.metrics.slow_down.inc()
        with contextlib.suppress(Exception):
            turn.lang = await self.flows.language_of(turn)
        await _say_safely(turn.chat, message_for(ErrorCode.SLOW_DOWN, turn.lang), refusal=True)

    async def _handle(self, turn: Turn, routed: Routed) -> None:
        key = (turn.incoming.platform, turn.incoming.message_id)
        created = False
        try:
            if await self.jobs.seen(*key):
                created = True  # nothing to record again
                return
            turn.lang = await self.flows.language_of(turn)
            created = await self.flows.run(turn, routed)
        except VoiceoverError as err:
            self.metrics.refusals.labels(code=str(int(err.code))).inc()
            await _say_safely(turn.chat, err.message(turn.lang), refusal=True)
        except Exception as exc:
            full = disk_full_of(exc, "chat")  # one log line, the user told what it is
            if full is None:
                log.exception("message %s:%s failed", *key)
            error = full or VoiceoverError(ErrorCode.INTERNAL)
            await _say_safely(turn.chat, error.message(turn.lang), refusal=full is not None)
        finally:
            if not created and not self._stopping:
                with contextlib.suppress(Exception):
                    await uninterrupted(self.jobs.mark_seen(*key))


async def _outcome(task: asyncio.Task[None]) -> None:
    """Await a message's handling; a later /cancel stopping it is not the caller's error."""
    try:
        await task
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if current is not None and current.cancelling():
            raise


async def _discard(work: Awaitable[object]) -> None:
    await work


async def _say_safely(chat: Chat, text: str, *, refusal: bool = False) -> None:
    try:
        await (chat.refuse(text) if refusal else chat.say(text))
    except Exception:
        log.warning("could not send an error message", exc_info=True)
