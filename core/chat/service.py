"""The service: the chat side (messages in each user's order → flows) and the job side
(queue → runner → render → delivery), wired together and started and stopped as one."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable
from types import TracebackType

from core.api_keys import ApiKeys
from core.backends.base import Backend
from core.backends.registry import make_backend
from core.chat.flows import Flows
from core.chat.heartbeat import HeartbeatTimings
from core.chat.lanes import Lanes
from core.chat.routing import Routed, route
from core.chat.sessions import Sessions
from core.chat.turn import FlowDeps, Turn, installed_voices
from core.clock import Clock, SystemClock
from core.config import Settings
from core.delivery.chats import ChatDirectory
from core.delivery.deliveries import Deliveries
from core.delivery.links import LinkServer, LinkSigner, link_app, load_link_key
from core.engine.model import VoiceInfo
from core.errors import ErrorCode, VoiceoverError, message_for
from core.housekeeping import maintain, remove_leftovers
from core.jobs.control import JobControl
from core.jobs.health import problems, refresh_gauges
from core.jobs.model import Job
from core.jobs.redis_queue import RedisJobQueue
from core.jobs.remote import HandOver, RemoteJobs
from core.jobs.render import RenderJobs
from core.jobs.runner import JobRunner
from core.jobs.select import make_queue
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

log = logging.getLogger(__name__)
# Intents that only answer: a /cancel lets them run (in order); it stops the others' work.
READ_ONLY = frozenset(
    {"help", "credits", "voices", "status", "cancel", "did_you_mean", "unknown_command"}
    | {"language", "apikey"}
)


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
        ttl = settings.link_ttl_hours * 3600
        self.signer = LinkSigner(b"", settings.public_base_url, ttl, self.clock)
        self.chats = ChatDirectory()
        self.deliveries = Deliveries(self.jobs, self.chats, self.signer, self.media)
        self.runner = JobRunner(self.jobs, settings.job_slots, self._run_job)
        self.queue = JobControl(self.jobs, self.runner, self.backend)
        self.renders = RenderJobs(
            backend=self.backend,
            jobs=self.jobs,
            chats=self.chats,
            clock=self.clock,
            timings=HeartbeatTimings.from_settings(settings),
            media=self.media,
            stopped_by_user=self.runner.cancelled_by_user,
            ended=self.queue.ended,
        )
        self.uploads = UploadDesk(
            settings.data_dir / "tus",
            self.signer,
            self.clock,
            settings.max_upload_bytes,
            self.chats,
        )
        self.uploads.accept = self.accept
        self.pages = ResultPageMaker(self.jobs.get, settings.data_dir / "timelines" / "results")
        sessions = Sessions(self.store)
        deps = FlowDeps(
            settings,
            self.clock,
            self.backend,
            sessions,
            self.queue,
            self.chats,
            self.signer,
            self.media,
            self.uploads,
            ApiKeys(self.store),
        )
        self.flows = Flows(deps)
        self.lanes = Lanes()
        self.api = HttpApi(deps, self.lanes, self.store, self.jobs, self.metrics)
        self.deliveries.on_end.append(self.api.webhooks.job_ended)
        self.chats.register(API_PLATFORM, api_chat)
        self.remote = None
        if isinstance(self.jobs, RedisJobQueue):  # renders run in `voiceover worker`s
            timings = HeartbeatTimings.from_settings(settings)
            hand_over = HandOver(
                self.jobs, self.backend, self.queue, self.deliveries, self._deliver
            )
            self.remote = RemoteJobs(
                self.jobs, self.chats, self.clock, timings, hand_over, self.metrics
            )
            self.queue.workers_busy = self.remote.busy
        self.link_server: LinkServer | None = None
        self._inflight: set[tuple[str, str]] = set()
        self._stopping = False  # a message cut short by a stop is not "seen": it may come again
        self._tasks: set[asyncio.Task[None]] = set()

    # Lifecycle ---------------------------------------------------------------------------------

    async def __aenter__(self) -> Service:
        await self.start()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        """Open the store, start the link server, resume interrupted jobs, start workers."""
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        await self.store.open()
        self.signer.key = await asyncio.to_thread(load_link_key, self.settings)
        host, port = self.settings.http_host, self.settings.http_port
        app = link_app(self.signer, self.deliveries.resolve_link, self.pages)
        app.add_routes(self.uploads.routes())
        add_ops_routes(app, self.problems, self.metrics, self._refresh_gauges)
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
        self._spawn(self.api.webhooks.run())
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
        if isinstance(self.jobs, RedisJobQueue):
            await self.jobs.close()

    async def problems(self) -> list[str]:
        """What keeps the service from working now (the queue or the store unreachable)."""
        return await problems(self.jobs, self.media)

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
        """One job, one way: render it, then tell its owner."""
        started = time.time()
        self.metrics.queue_wait.observe(max(0.0, started - job.created))
        await self.renders.run(job)
        self.metrics.render_seconds.observe(time.time() - started)
        await self._deliver(job.id)

    async def _deliver(self, job_id: str) -> None:
        await self.deliveries.deliver(job_id)
        told = await self.jobs.get(job_id)
        if told is not None and told.delivered is not None:
            self.metrics.deliveries.labels(status=str(told.status)).inc()

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
        task, turn.preempted = self.lanes.submit(
            owner,
            lambda: self._handle(turn, routed),
            preempt=routed.intent == "cancel",
            stoppable=routed.intent not in READ_ONLY,
        )
        task.add_done_callback(lambda _: self._inflight.discard(key))
        return asyncio.ensure_future(_outcome(task))  # runs even if the caller never awaits

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
        except Exception:
            log.exception("message %s:%s failed", *key)
            await _say_safely(turn.chat, message_for(ErrorCode.INTERNAL, turn.lang))
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
