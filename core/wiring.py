"""The composition root: every part of the bot process (and of a worker) built from the settings,
each handed its collaborators when it is made; nothing is assigned after construction.

`Parts` is the bot process: the job side (queue → runner → render, then deliver), the chat side
(flows, lanes, flood gate), the web side (upload links, result pages, the HTTP API, /healthz) and
the one link server they share. `async with parts` (or start/stop) starts them in order and,
when a part fails to start, closes what did start before the error goes up. `worker_parts` is
what a `voiceover worker` renders with.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from core.backends.base import Backend
from core.backends.local.backend import LocalBackend
from core.backends.registry import make_backend
from core.chat.api_keys import ApiKeys
from core.chat.floodgate import FloodGate, FloodLimits
from core.chat.flows import Flows
from core.chat.lanes import Lanes
from core.chat.sessions import Sessions
from core.chat.turn import FlowDeps
from core.clock import Clock, SystemClock
from core.config import Settings
from core.delivery.deliveries import Deliveries
from core.delivery.links import Address, LinkServer, LinkSigner, link_app, load_link_key
from core.disk import DiskCollector, low_space
from core.housekeeping import maintain, remove_leftovers
from core.jobs.control import GiveBack, JobControl
from core.jobs.health import problems, refresh_gauges
from core.jobs.heartbeat import HeartbeatTimings
from core.jobs.pipeline import RenderThenDeliver
from core.jobs.remote import HandOver, RemoteJobs, WorkerSlots
from core.jobs.render import RenderJobs
from core.jobs.runner import JobRunner
from core.jobs.select import choose_queue
from core.lifecycle import StartStop
from core.media.select import make_media_store
from core.media.store import MediaStore
from core.metrics import Metrics
from core.store import Store
from core.web.api import HttpApi
from core.web.api.chat import PLATFORM as API_PLATFORM
from core.web.api.chat import api_chat
from core.web.api.submit import JOB_KIND as API_JOB_KIND
from core.web.api.submit import account_language
from core.web.api.webhooks import Webhooks
from core.web.edit_actions import EditActions, EditParts
from core.web.edit_links import EditTickets
from core.web.edit_page import EditPages
from core.web.ops import add_ops_routes
from core.web.result_page import ResultPageMaker
from core.web.uploads import Accept, UploadDesk
from core.work.chats import ChatDirectory
from core.work.model import Job
from core.work.queue import JobQueue

log = logging.getLogger(__name__)


class Parts(StartStop):
    """The bot process's parts, built from the settings in the order they depend on."""

    def __init__(
        self,
        settings: Settings,
        accept: Accept,  # where a finished upload goes: the message entry (Service.accept)
        backend: Backend | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        self.media = make_media_store(settings)
        self.backend = backend or make_backend(settings, self.media)
        self.store = Store(settings.data_dir / "service.db")
        chosen = choose_queue(settings, self.store)
        self.jobs, self.workers = chosen.jobs, chosen.workers  # workers: renders run there
        self.metrics = Metrics()
        self.metrics.registry.register(DiskCollector())  # voiceover_disk_short_total
        self.address = Address(settings.public_base_url, settings.http_host, settings.http_port)
        ttl = settings.link_ttl_hours * 3600
        self.signer = LinkSigner(load_link_key(settings), "", ttl, self.clock, self.address)
        self.chats = ChatDirectory({API_PLATFORM: api_chat})  # chat platforms register later
        self.timings = HeartbeatTimings.from_settings(settings)
        self.sessions = Sessions(self.store)
        self.api_keys = ApiKeys(self.store)
        self.webhooks = Webhooks(
            self.store, self.jobs, self.api_keys, self.signer, self.clock, self.metrics,
            functools.partial(account_language, self.sessions), settings.allow_private_callbacks,
        )  # fmt: skip
        self.deliveries = Deliveries(
            self.jobs, self.chats, self.signer, self.media, on_end=[self.webhooks.job_ended]
        )
        self._build_job_side()
        self._build_chat_side(accept)
        self.link_server = LinkServer(self._app(), settings.http_host, settings.http_port,
                                      self.address)  # fmt: skip
        self._tasks: set[asyncio.Task[None]] = set()
        self._exit = contextlib.AsyncExitStack()  # closes, last made or started first
        for close in (self.jobs.close, self.backend.aclose, self.uploads.aclose):
            self._exit.push_async_callback(close)  # made here: closed by stop(), started or not
        self.started = False  # the link server listens (pending results may go out)

    def _build_job_side(self) -> None:
        """Render, then deliver (the jobs layer's), run here by the runner, or (Redis: the
        renders run in `voiceover worker`s) followed there by RemoteJobs."""
        self.cancelled: set[str] = set()  # jobs a user's cancel is stopping (not a shutdown)
        give_back = GiveBack(self.backend)
        self.renders = RenderJobs(
            backend=self.backend,
            jobs=self.jobs,
            chats=self.chats,
            clock=self.clock,
            timings=self.timings,
            media=self.media,
            stopped_by_user=self.cancelled.__contains__,
            ended=give_back.ended,
        )
        self.pipeline = RenderThenDeliver(self.renders, self.deliveries, self.jobs, self.metrics)
        slots = self.settings.job_slots
        self.runner = JobRunner(self.jobs, slots, self.pipeline.run, self.cancelled)
        self.slots = WorkerSlots() if self.workers is not None else None
        self.queue = JobControl(
            self.jobs,
            self.runner,
            self.backend,
            workers_busy=self.slots.busy if self.slots is not None else None,
            max_queued=self.settings.max_queued_renders,
            on_cancel=[self.webhooks.job_cancelled],
            # An API batch waits in its own budget, not the chats' MAX_QUEUED_RENDERS (README).
            max_queued_by_kind={API_JOB_KIND: self.settings.api_max_queued_jobs},
        )
        self.remote: RemoteJobs | None = None
        if self.workers is not None and self.slots is not None:
            hand_over = HandOver(
                self.workers, self.backend, self.queue, self.deliveries, self.pipeline.deliver
            )
            self.remote = RemoteJobs(
                self.workers, self.chats, self.clock, self.timings, hand_over, self.metrics,
                self.slots,
            )  # fmt: skip

    def _build_chat_side(self, accept: Accept) -> None:
        """Upload links, result pages, the flows with what they work with, the users' lanes,
        the HTTP API (a request goes through the same flows)."""
        settings = self.settings
        self.uploads = UploadDesk(
            settings.data_dir / "tus",
            self.signer,
            self.clock,
            settings.max_upload_bytes,
            self.chats,
            accept,
            settings.disk_reserve_bytes,
        )
        self.pages = ResultPageMaker(self.jobs.get, settings.data_dir / "timelines" / "results")
        edit_tickets = EditTickets(settings.data_dir / "edit" / "tickets", self.signer)
        self.deps = FlowDeps(
            settings, self.clock, self.backend, self.sessions, self.queue, self.chats,
            self.signer, self.media, self.uploads, self.api_keys, self.timings,
            edits=edit_tickets,
        )  # fmt: skip
        self.flows = Flows(self.deps)
        self.lanes = Lanes()
        edit_parts = EditParts(
            settings, self.signer, self.sessions, self.backend, self.media, self.lanes,
            accept, self.chats, self.jobs.get,
        )  # fmt: skip
        self.edit_pages = EditPages(EditActions(edit_parts, edit_tickets), self.clock.now)
        self.gate = FloodGate(FloodLimits.from_settings(settings), self.clock.now)
        self.api = HttpApi(self.deps, self.lanes, self.store, self.webhooks)

    def _app(self) -> web.Application:
        """The one web app: result links and pages, uploads, /healthz and /metrics, the API."""
        app = link_app(self.signer, self.deliveries.resolve_link, self.pages)
        app.add_routes(self.uploads.routes())
        app.add_routes(self.edit_pages.routes())
        add_ops_routes(app, self.readiness, self.metrics, self._refresh_gauges)
        self.api.install(app)
        return app

    # Lifecycle ---------------------------------------------------------------------------------

    async def start(self) -> None:
        """Start each part in order; when one fails, what did start is closed (in reverse)
        before the error goes up, like python-telegram-bot's Application.__aenter__."""
        try:
            await self._start()
        except BaseException:
            with contextlib.suppress(Exception):
                await self.stop()
            raise

    async def _start(self) -> None:
        exit_ = self._exit
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        await self.store.open()
        exit_.push_async_callback(self.store.close)
        await self.link_server.start()
        exit_.push_async_callback(self.link_server.stop)
        self.started = True
        exit_.push_async_callback(self._cancel_tasks)
        await remove_leftovers(self.settings, self.media, self.backend, self.jobs)
        _, given_up = await self.jobs.resume_interrupted()
        for job in given_up:
            log.warning("job %s interrupted too often; failed", job.id)
            await self.queue.ended(job)  # its frozen credits go back now, not at the next use
        exit_.push_async_callback(self.runner.stop)
        if self.remote is not None:
            self.spawn(self.remote.run())
        else:
            self.runner.start()
        self.spawn(self.deliveries.deliver_pending())
        self.spawn(self.api.run())  # the webhooks (after the jobs a stop caught arriving)
        self.spawn(maintain(self.settings, self.media, (self._expire_uploads, self.pages.expire)))

    async def stop(self) -> None:
        """Stop the runner (running jobs resume at the next start) and close every part that
        started, the last started first."""
        self.started = False
        await self._exit.aclose()

    async def _cancel_tasks(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def spawn(self, coro: Awaitable[None]) -> None:
        """Run `coro` until it ends or the parts stop."""
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # Health ------------------------------------------------------------------------------------

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


@dataclass(frozen=True)
class WorkerParts:
    """What a `voiceover worker` renders with: the media store, the engine, the render job."""

    settings: Settings
    media: MediaStore
    backend: LocalBackend
    renders: RenderJobs


async def _nothing_held(job: Job) -> None:
    """A worker holds no credits or pins of its own: the bot gives them back."""


def worker_parts(
    settings: Settings, jobs: JobQueue, fence: Callable[[Job], Awaitable[bool]]
) -> WorkerParts:
    """A worker's parts over its queue: credits are the bot's (unlimited here), a cancel is
    recorded by the bot, progress goes to the bot through the queue."""
    settings = settings.model_copy(update={"unlimited_credits": True})
    media = make_media_store(settings)
    backend = LocalBackend(settings, media=media)
    renders = RenderJobs(
        backend=backend,
        jobs=jobs,
        chats=ChatDirectory(),  # progress goes to the bot through the queue
        clock=SystemClock(),
        timings=HeartbeatTimings.from_settings(settings),
        media=media,
        stopped_by_user=_never,  # a cancel is recorded by the bot
        ended=_nothing_held,
        fence=fence,  # a duplicate hand-out does no second render
    )
    return WorkerParts(settings, media, backend, renders)


def _never(_job_id: str) -> bool:
    return False
