"""One place for every flow: route a message, run it, translate errors, run jobs, deliver."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import tempfile
import time
from collections.abc import Awaitable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.backends.base import Backend, Pinned, RenderHandle
from core.chat.lanes import Lanes
from core.chat.replies import reply
from core.chat.routing import Routed, route
from core.clock import Clock, SystemClock
from core.config import Settings
from core.delivery.links import LinkServer, LinkSigner, link_app, load_link_key
from core.engine.leftovers import remove_stale_work
from core.engine.model import VoiceInfo
from core.errors import ErrorCode, VoiceoverError, from_record, message_for
from core.failpoints import pause_point
from core.jobs.store import Job, JobRunner, JobStatus, JobStore
from core.ports import Chat, ChatFactory, Incoming
from core.store import Store
from core.uninterrupted import uninterrupted

log = logging.getLogger(__name__)
# Intents that only answer: a /cancel lets them run (in order); it stops the others' work.
READ_ONLY = frozenset({"help", "credits", "voices", "status", "cancel", "did_you_mean",
                       "unknown_command", "language"})  # fmt: skip
ACK_AFTER_S = 0.8
DELIVERY_TRIES = 3  # per process; undelivered results are tried again at the next start


def make_backend(settings: Settings) -> Backend:
    """The configured backend."""
    if settings.backend == "nemo":
        from core.backends.nemo.backend import NemoBackend

        return NemoBackend(settings)
    from core.backends.local.backend import LocalBackend

    return LocalBackend(settings)


@dataclass
class Ctx:
    """One message being handled: who, where, in which language."""

    incoming: Incoming
    chat: Chat
    owner: str
    lang: str
    preempted: int = 0  # earlier messages a /cancel stopped before it ran

    async def say(self, key: str, **fields: Any) -> None:
        """Say a reply from the table."""
        await self.chat.say(reply(key, self.lang, **fields))


class Service:
    """The chat core. Flows live in core/flows.py as methods of FlowsMixin, jobs here."""

    def __init__(
        self, settings: Settings, backend: Backend | None = None, clock: Clock | None = None
    ) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        self.backend = backend or make_backend(settings)
        self.store = Store(settings.data_dir / "service.db")
        self.jobs = JobStore(self.store)
        self.results_dir = settings.data_dir / "results"
        self.workspaces = settings.data_dir / "workspaces"
        self.signer: LinkSigner | None = None
        self.link_server: LinkServer | None = None
        self._factories: dict[str, ChatFactory] = {}
        self._live: dict[str, Chat] = {}
        self._inflight: set[tuple[str, str]] = set()
        self.lanes = Lanes()
        self._delivering: set[str] = set()
        self._failed_deliveries: dict[str, int] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.runner = JobRunner(self.jobs, settings.job_slots, self._run_job)
        from core.chat.flows import Flows

        self.flows = Flows(self)

    # Lifecycle ---------------------------------------------------------------------------------

    async def start(self) -> None:
        """Open the store, start the link server, resume interrupted jobs, start workers."""
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        await self.store.open()
        key = await asyncio.to_thread(load_link_key, self.settings)
        ttl = self.settings.link_ttl_hours * 3600
        self.signer = LinkSigner(key, self.settings.public_base_url, ttl, self.clock)
        host, port = self.settings.http_host, self.settings.http_port
        self.link_server = LinkServer(link_app(self.signer, self._resolve_link), host, port)
        await self.link_server.start()
        if port == 0:
            self.signer.base_url = f"http://{host}:{self.link_server.port}"
        await self._remove_leftovers()
        _, given_up = await self.jobs.resume_interrupted()
        for job in given_up:
            log.warning("job %s interrupted too often; failed", job.id)
            await self.job_ended(job)  # its frozen credits go back now, not at the next use
        self.runner.start()
        self._spawn(self._maintain())

    async def stop(self) -> None:
        """Stop workers (running jobs resume at the next start) and close everything."""
        await self.lanes.stop()
        await self.runner.stop()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.link_server is not None:
            await self.link_server.stop()
        await self.backend.aclose()
        await self.store.close()

    async def _remove_leftovers(self) -> None:
        """What a killed process left: its temp work and partial files, pins of ended jobs."""
        renders = self.settings.data_dir / "local" / "renders"
        tmp = Path(tempfile.gettempdir())
        removed = await asyncio.to_thread(remove_stale_work, tmp, self.results_dir, renders)
        sweep = getattr(self.backend, "sweep_pins", None)
        if callable(sweep):
            active = await self.jobs.active_pinned()
            removed += await sweep({p.payload.get("pin") for p in active})
        if removed:
            log.info("removed %d leftovers of an earlier process", removed)

    def _spawn(self, coro: Awaitable[None]) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def register_platform(self, platform: str, factory: ChatFactory) -> None:
        """How to reach a chat of this platform after a restart (pending results go out now)."""
        self._factories[platform] = factory
        if self.signer is not None:
            self._spawn(self._deliver_pending())

    def voices(self) -> list[VoiceInfo]:
        """Installed voices (for autocomplete and /voices)."""
        voices = getattr(self.backend, "voices", None)
        return list(voices()) if callable(voices) else []

    async def wait_idle(self) -> None:
        """Until no job is queued or running and every result is delivered."""
        while True:
            await self.runner.wait_idle()
            pending = [
                j for j in await self.jobs.undelivered()
                if self._chat_for(j) and self._failed_deliveries.get(j.id, 0) < DELIVERY_TRIES
            ]  # fmt: skip
            if not pending and not self._delivering:
                return
            await self._deliver_pending()
            await asyncio.sleep(0.05)

    # Messages ----------------------------------------------------------------------------------

    async def handle(self, incoming: Incoming, chat: Chat) -> None:
        """Handle one message in its user's order; long work becomes a job."""
        await self.accept(incoming, chat)

    def accept(self, incoming: Incoming, chat: Chat) -> Awaitable[None]:
        """Queue a message behind the same user's earlier ones, now (so call order is kept).

        Every message of a user takes effect in the order it arrived, read-only ones included;
        /cancel first stops every earlier message still waiting or running (an upload being
        received, say). A redelivered message does nothing. Returns what to await for the end.
        """
        key = (incoming.platform, incoming.message_id)
        if key in self._inflight:
            return asyncio.sleep(0)
        self._inflight.add(key)
        owner = f"{incoming.platform}:{incoming.user_id}"
        ctx = Ctx(incoming, chat, owner, incoming.language)
        routed = route(incoming)
        task, ctx.preempted = self.lanes.submit(
            owner,
            lambda: self._handle(ctx, routed),
            preempt=routed.intent == "cancel",
            stoppable=routed.intent not in READ_ONLY,
        )
        task.add_done_callback(lambda _: self._inflight.discard(key))
        return self._outcome(task)

    @staticmethod
    async def _outcome(task: asyncio.Task[None]) -> None:
        """Await a message's handling; a later /cancel stopping it is not the caller's error."""
        try:
            await task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise

    async def _handle(self, ctx: Ctx, routed: Routed) -> None:
        key = (ctx.incoming.platform, ctx.incoming.message_id)
        created = False
        try:
            if await self.jobs.seen(*key):
                created = True  # nothing to record again
                return
            ctx.lang = await self.flows.language_of(ctx)
            created = await self.flows.run(ctx, routed)
        except VoiceoverError as err:
            await self._say_safely(ctx.chat, err.message(ctx.lang), refusal=True)
        except Exception:
            log.exception("message %s:%s failed", *key)
            await self._say_safely(ctx.chat, message_for(ErrorCode.INTERNAL, ctx.lang))
        finally:
            if not created:
                with contextlib.suppress(Exception):
                    await uninterrupted(self.jobs.mark_seen(*key))

    async def _say_safely(self, chat: Chat, text: str, *, refusal: bool = False) -> None:
        try:
            await (chat.refuse(text) if refusal else chat.say(text))
        except Exception:
            log.warning("could not send an error message", exc_info=True)

    async def ack_if_slow(self, ctx: Ctx, work: Awaitable[Any], key: str, **fields: Any) -> Any:
        """Await work; if it takes longer than a moment, tell the user it's under way first."""
        task = asyncio.ensure_future(work)
        try:
            done, _ = await asyncio.wait({task}, timeout=ACK_AFTER_S)
            if not done:
                await self._say_safely(ctx.chat, reply(key, ctx.lang, **fields))
            return await task
        finally:
            if not task.done():  # we were cancelled (a /cancel): the work stops with us
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)

    # Jobs --------------------------------------------------------------------------------------

    def _chat_for(self, job: Job) -> Chat | None:
        chat = self._live.get(job.id)
        factory = self._factories.get(job.platform)
        if chat is None and factory is not None:
            chat = factory(job.chat_id, job.reply_context)
            self._live[job.id] = chat
        return chat

    def remember_chat(self, job_id: str, chat: Chat) -> None:
        """The chat a job answers in, while this process lives."""
        self._live[job_id] = chat

    async def _run_job(self, job: Job) -> None:
        from core.jobs.render import run_render_job

        await run_render_job(self, job)
        await self.deliver(job.id)

    async def job_ended(self, job: Job) -> None:
        """Give back what an ended job held (frozen credits, pinned files); never twice harmful."""
        pinned = Pinned.from_record(job.inputs)
        await uninterrupted(self.backend.release(job.owner, job.id, pinned))

    async def cancel_job(self, job: Job) -> None:
        """Stop a job: the queued one is dropped, the running one stopped; credits released."""
        if job.status == "queued":
            changed = await self.store.execute(
                "UPDATE jobs SET status='cancelled', delivered=? WHERE id=? AND status='queued'",
                (time.time(), job.id),
            )
            if changed:
                await self.job_ended(job)
                return
        task = self.runner.cancel(job.id)
        if task is not None:
            with contextlib.suppress(BaseException):
                await asyncio.wait_for(asyncio.shield(task), timeout=30)
        fresh = await self.jobs.get(job.id)
        if fresh is not None and fresh.status in ("queued", "running"):
            await self.jobs.finish(job.id, JobStatus.CANCELLED, delivered=time.time())
        if fresh is not None and fresh.handle:
            await self.backend.cancel(RenderHandle(fresh.handle, fresh.session_id))

    async def deliver(self, job_id: str) -> None:
        """Tell a finished job's owner (once): the result, or what went wrong."""
        job = await self.jobs.get(job_id)
        if job is None or job.delivered is not None or job_id in self._delivering:
            return
        chat = self._chat_for(job)
        if chat is None or self.signer is None:
            return
        self._delivering.add(job_id)
        try:
            pause_point("deliver")  # the crash tests kill us between done and delivered
            await self._send_outcome(job, chat)
            await self.jobs.update(job_id, delivered=time.time())
            self._live.pop(job_id, None)
        except Exception:
            self._failed_deliveries[job_id] = self._failed_deliveries.get(job_id, 0) + 1
            log.exception("delivering job %s failed; will retry", job_id)
        finally:
            self._delivering.discard(job_id)

    async def _send_outcome(self, job: Job, chat: Chat) -> None:
        from core.delivery.results import deliver_result

        assert self.signer is not None
        if job.status == "done" and job.output:
            await deliver_result(
                chat, job.output, job_id=job.id, owner=job.owner, signer=self.signer,
                language=job.language,
            )  # fmt: skip
        elif job.status == "failed":
            await chat.say(from_record(job.error, ErrorCode.INTERNAL).message(job.language))

    async def _deliver_pending(self) -> None:
        for job in await self.jobs.undelivered():
            await self.deliver(job.id)

    async def _resolve_link(self, job_id: str) -> tuple[str, Path] | None:
        job = await self.jobs.get(job_id)
        if job is None or job.status != "done":
            return None
        return job.owner, self.results_dir / f"{job_id}.mp4"

    async def _maintain(self) -> None:
        from core.delivery.results import cleanup_results

        await self._deliver_pending()
        retention = self.settings.result_retention_hours * 3600
        folders = [self.results_dir, self.settings.data_dir / "local" / "renders"]
        while True:
            removed = await asyncio.to_thread(cleanup_results, folders, retention, time.time())
            if removed:
                log.info("removed %d old results", removed)
            await asyncio.sleep(3600)
