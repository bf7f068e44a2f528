"""The bot's side of jobs that workers run (QUEUE_URL): their progress shown in their chats, and
each ended job handed over once (credits settled or released, the owner told).

Events come over Redis pub/sub as they happen; a poll of the undelivered jobs every few seconds
catches any end the bot missed (it was restarting, the connection dropped).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from core.backends.base import Backend
from core.clock import Clock
from core.jobs.control import JobControl
from core.jobs.heartbeat import Heartbeat, HeartbeatTimings
from core.jobs.reconcile import Reconciler
from core.jobs.redis_queue import RedisJobQueue
from core.metrics import Metrics
from core.work.chats import ChatDirectory
from core.work.model import JobStatus
from core.work.output import RenderOutput

log = logging.getLogger(__name__)
POLL_S = 2.0
Ended = Callable[[str], Awaitable[None]]


class DeliveryTries(Protocol):
    """Whether telling a job's owner has run out of tries (core/delivery/deliveries.py)."""

    def gave_up(self, job_id: str) -> bool:
        """True once the tries for this job ran out."""
        ...


class HandOver:
    """What the bot does for each job a worker ended: settle or release what the job held
    (once per process), then tell its owner (once, until the tries run out)."""

    def __init__(
        self,
        jobs: RedisJobQueue,
        backend: Backend,
        control: JobControl,
        deliveries: DeliveryTries,
        deliver: Ended,
    ) -> None:
        self.jobs = jobs
        self.backend = backend
        self.control = control
        self.deliveries = deliveries
        self.deliver = deliver
        self._released: set[str] = set()

    async def __call__(self, job_id: str) -> None:
        """Hand one ended job over."""
        job = await self.jobs.get(job_id)
        if job is None or job.status not in (
            JobStatus.DONE,
            JobStatus.FAILED,
            JobStatus.CANCELLED,
        ):
            return
        if job_id not in self._released:
            if job.status is JobStatus.DONE and job.output:
                narration_s = RenderOutput.from_record(job.output).narration_s
                await self.backend.settle(job.owner, job.id, narration_s)
            await self.control.ended(job)
            self._released.add(job_id)
        if job.delivered is None and not self.deliveries.gave_up(job_id):
            await self.deliver(job_id)
            job = await self.jobs.get(job_id) or job
        if job.delivered is not None:  # told: nothing more will come for it (safe twice anyway)
            self._released.discard(job_id)


@dataclass
class WorkerSlots:
    """How full the workers were at the last look: RemoteJobs looks, JobControl reads."""

    full: bool = False

    def busy(self) -> bool:
        """True when every worker slot was taken (a new job waits)."""
        return self.full


class RemoteJobs:
    """Follows the jobs of the Redis queue from the bot: progress in, ends handed over."""

    def __init__(
        self,
        jobs: RedisJobQueue,
        chats: ChatDirectory,
        clock: Clock,
        timings: HeartbeatTimings,
        ended: Ended,
        metrics: Metrics,
        slots: WorkerSlots | None = None,
    ) -> None:
        self.jobs = jobs
        self.chats = chats
        self.clock = clock
        self.timings = timings
        self.ended = ended
        self.metrics = metrics
        self._followers: dict[str, asyncio.Queue[tuple[str, float] | None]] = {}
        self._started: dict[str, float] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.slots = slots or WorkerSlots()
        self.reconciler = Reconciler(jobs)

    def busy(self) -> bool:
        """True when every worker slot was taken at the last look (a new job waits)."""
        return self.slots.full

    async def refresh(self) -> None:
        """Look how full the workers are."""
        counts = await self.jobs.counts()
        self.slots.full = sum(counts.values()) >= await self.jobs.worker_slots()

    async def run(self) -> None:
        """Listen for events and poll for missed ends, until cancelled."""
        try:
            await asyncio.gather(self._listen(), self._poll())
        finally:
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _listen(self) -> None:
        while True:
            try:
                async for event in self.jobs.events():
                    await self._event(event)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("job events interrupted; listening again", exc_info=True)
                await asyncio.sleep(1.0)

    async def _poll(self) -> None:
        while True:
            with contextlib.suppress(Exception):
                await self.refresh()
                await self.reconciler.run_once()  # jobs SAQ lost go back to its queue
                for job in await self.jobs.undelivered():
                    await self._end(job.id)
            await asyncio.sleep(POLL_S)

    async def _event(self, event: dict[str, Any]) -> None:
        job_id, kind = str(event.get("id")), event.get("event")
        if kind == "started":
            self._started[job_id] = float(event.get("at") or time.time())
            self.metrics.queue_wait.observe(max(0.0, self._started[job_id] - event["created"]))
        elif kind == "progress":
            self._follower(job_id).put_nowait((str(event["stage"]), float(event["progress"])))
        elif kind == "ended":
            started = self._started.pop(job_id, None)
            if started is not None and event.get("status") == "done":
                self.metrics.render_seconds.observe(max(0.0, time.time() - started))
            self._spawn(self._end(job_id))

    def _follower(self, job_id: str) -> asyncio.Queue[tuple[str, float] | None]:
        updates = self._followers.get(job_id)
        if updates is None:
            updates = self._followers[job_id] = asyncio.Queue()
            self._spawn(self._follow(job_id, updates))
        return updates

    async def _follow(self, job_id: str, updates: asyncio.Queue[tuple[str, float] | None]) -> None:
        """One edited progress message (and 'Still working…') in the job's chat while it runs."""
        job = await self.jobs.get(job_id)
        if job is None:
            return
        chat = self.chats.progress_chat(job)
        async with Heartbeat(chat, self.clock, self.timings, job.language) as beat:
            while (item := await updates.get()) is not None:
                await beat.progress(*item)

    async def _end(self, job_id: str) -> None:
        updates = self._followers.pop(job_id, None)
        if updates is not None:
            updates.put_nowait(None)
        try:
            await self.ended(job_id)
        except Exception:
            log.exception("handing over job %s failed; will retry", job_id)

    def _spawn(self, work: Awaitable[None]) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
