"""The service: the chat side (messages in each user's order → flows) and the job side
(queue → runner → render → delivery), wired together and started and stopped as one."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import tempfile
from collections.abc import Awaitable
from pathlib import Path
from types import TracebackType

from core.backends.base import Backend
from core.backends.registry import make_backend
from core.chat.api_keys import ApiKeys
from core.chat.commands import READ_ONLY
from core.chat.floodgate import Admission, FloodGate, FloodLimits
from core.chat.flows import Flows
from core.chat.lanes import Lanes
from core.chat.routing import Routed, route
from core.chat.sessions import Sessions
from core.chat.turn import FlowDeps, Turn, installed_voices
from core.clock import Clock, SystemClock
from core.config import Settings
from core.delivery.deliveries import Deliveries
from core.delivery.links import LinkServer, LinkSigner, link_app, load_link_key
from core.disk import DiskCollector, disk_full_of, low_space
from core.engine.model import VoiceInfo
from core.errors import ErrorCode, VoiceoverError
from core.housekeeping import maintain, remove_leftovers
from core.jobs.control import JobControl
from core.jobs.health import problems, refresh_gauges
from core.jobs.heartbeat import HeartbeatTimings
from core.jobs.pipeline import RenderThenDeliver
from core.jobs.remote import HandOver, RemoteJobs, WorkerSlots
from core.jobs.render import RenderJobs
from core.jobs.runner import JobRunner
from core.jobs.select import make_queue, on_workers
from core.media.select import make_media_store
from core.metrics import Metrics
from core.ports import Chat, ChatFactory, Incoming
from core.store import Store
from core.uninterrupted import uninterrupted
from core.web.api import HttpApi
from core.web.api.chat import PLATFORM as API_PLATFORM
from core.web.api.chat import api_chat
from core.web.ops import add_ops_routes
from core.web.result_page import ResultPageMaker
from core.web.uploads import UploadDesk
from core.words.errors import message_for
from core.work.chats import ChatDirectory
from core.work.model import Job

log = logging.getLogger(__name__)


class Service:
    """Messages in, jobs run, results out; an async context manager (or start/stop)."""

    def __init__(
        self, settings: Settings, backend: Backend | None = None, clock: Clock | None = None
    ) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        self.media = make_media_store(settings)
        self.backend = backend or make_backend(settings, self.media)
        self.store = Store(settings.data_dir / "service.db")
        self.jobs = make_queue(settings, self.store)
        self.metrics = Metrics()
        self.metrics.registry.register(DiskCollector())  # voiceover_disk_short_total
        ttl = settings.link_ttl_hours * 3600
        self.signer = LinkSigner(b"", settings.public_base_url, ttl, self.clock)
        self.chats = ChatDirectory()
        self.deliveries = Deliveries(self.jobs, self.chats, self.signer, self.media)
        self.timings = HeartbeatTimings.from_settings(settings)
        self._build_job_side()
        self._build_chat_side()
        self.link_server: LinkServer | None = None
        self._inflight: set[tuple[str, str]] = set()
        self._stopping = False  # a message cut short by a stop is not "seen": it may come again
        self._tasks: set[asyncio.Task[None]] = set()

    def _build_job_side(self) -> None:
        """The runner, the control the flows use, render-then-deliver, and (with Redis, whose
        renders run in `voiceover worker`s) the follower of the workers' jobs."""
        self.runner = JobRunner(self.jobs, self.settings.job_slots, self._run_job)
        remote_jobs = self.jobs if on_workers(self.jobs) else None
        self.slots = WorkerSlots() if remote_jobs is not None else None
        busy = self.slots.busy if self.slots is not None else None
        self.queue = JobControl(self.jobs, self.runner, self.backend, workers_busy=busy)
        self.renders = RenderJobs(
            backend=self.backend,
            jobs=self.jobs,
            chats=self.chats,
            clock=self.clock,
            timings=self.timings,
            media=self.media,
            stopped_by_user=self.runner.cancelled_by_user,
            ended=self.queue.ended,
        )
        self.pipeline = RenderThenDeliver(self.renders, self.deliveries, self.jobs, self.metrics)
        self.remote = None
        if remote_jobs is not None and self.slots is not None:
            hand_over = HandOver(
                remote_jobs, self.backend, self.queue, self.deliveries, self.pipeline.deliver
            )
            self.remote = RemoteJobs(
                remote_jobs, self.chats, self.clock, self.timings, hand_over, self.metrics,
                self.slots,
            )  # fmt: skip

    def _build_chat_side(self) -> None:
        """Upload links, result pages, the flows with what they work with, the users' lanes."""
        settings = self.settings
        self.uploads = UploadDesk(
            settings.data_dir / "tus",
            self.signer,
            self.clock,
            settings.max_upload_bytes,
            self.chats,
            self.accept,
            settings.disk_reserve_bytes,
        )
        self.pages = ResultPageMaker(self.jobs.get, settings.data_dir / "timelines" / "results")
        deps = FlowDeps(
            settings,
            self.clock,
            self.backend,
            Sessions(self.store),
            self.queue,
            self.chats,
            self.signer,
            self.media,
            self.uploads,
            ApiKeys(self.store),
        )
        self.flows = Flows(deps)
        self.lanes = Lanes()
        self.gate = FloodGate(FloodLimits.from_settings(settings), self.clock.now)
        self.queue.max_queued = settings.max_queued_renders
        self.api = HttpApi(deps, self.lanes, self.store, self.jobs, self.metrics)
        self.deliveries.on_end.append(self.api.webhooks.job_ended)
        self.chats.register(API_PLATFORM, api_chat)

    # Lifecycle ---------------------------------------------------------------------------------

    async def __aenter__(self) -> Service:
        await self.start()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        """Open the store, start the link server, resume interrupted jobs, start workers. When
        a part fails to start, what did start is stopped before the error goes up (like
        python-telegram-bot's Application.__aenter__)."""
        try:
            await self._start()
        except BaseException:
            with contextlib.suppress(Exception):
                await self.stop()
            raise

    async def _start(self) -> None:
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        await self.store.open()
        self.signer.key = await asyncio.to_thread(load_link_key, self.settings)
        host, port = self.settings.http_host, self.settings.http_port
        app = link_app(self.signer, self.deliveries.resolve_link, self.pages)
        app.add_routes(self.uploads.routes())
        add_ops_routes(app, self.readiness, self.metrics, self._refresh_gauges)
        self.api.install(app)
        self.link_server = LinkServer(app, host, port)
        await self.link_server.start()
        if port == 0:
            self.signer.base_url = f"http://{host}:{self.link_server.port}"
        await remove_leftovers(self.settings, self.media, self.backend, self.jobs)
        _, given_up = await self.jobs.resume_interrupted()
        for job in given_up:
            log.warning("job %s interrupted too often; failed", job.id)
            await self.queue.ended(job)  # its frozen credits go back now, not at the next use
        if self.remote is not None:
            self._spawn(self.remote.run())
        else:
            self.runner.start()
        self._spawn(self.deliveries.deliver_pending())
        self._spawn(self.api.run())
        expiries = (self._expire_uploads, self.pages.expire)
        self._spawn(maintain(self.settings, self.media, expiries))

    async def stop(self) -> None:
        """Stop workers (running jobs resume at the next start) and close everything."""
        self._stopping = True
        await self.lanes.stop()
        await self.runner.stop()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.link_server is not None:
            await self.link_server.stop()
        await self.uploads.aclose()
        await self.backend.aclose()
        await self.store.close()
        await self.jobs.close()

    async def problems(self) -> list[str]:
        """What keeps the service from working now (the queue or the store unreachable)."""
        return await problems(self.jobs, self.media)

    async def readiness(self) -> list[str]:
        """problems(), and disks short of space (for /readyz; a start is not refused for it)."""
        folders = (self.settings.data_dir, Path(tempfile.gettempdir()))
        low = await asyncio.to_thread(low_space, folders, self.settings.disk_reserve_bytes)
        return [*await self.problems(), *low]

    async def _refresh_gauges(self) -> None:
        await refresh_gauges(self.metrics, self.jobs)

    async def _expire_uploads(self, age_s: float, now: float) -> int:
        return await self.uploads.expire()  # uploads age by their links' own lifetime

    def _spawn(self, coro: Awaitable[None]) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def register_platform(self, platform: str, factory: ChatFactory) -> None:
        """How to reach a chat of this platform after a restart (pending results go out now)."""
        self.chats.register(platform, factory)
        if self.link_server is not None:
            self._spawn(self.deliveries.deliver_pending())
            self._spawn(_discard(self.uploads.hand_off_waiting(platform)))

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

    async def _run_job(self, job: Job) -> None:
        await self.pipeline.run(job)  # built after the runner, which hands it the jobs

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
