"""The Redis job queue at work: enqueue → claimed overhead, renders per minute with 1 and 2
workers, and 1,000 cheap jobs from 300 users (none lost, none duplicated, each user's order).

Run: .venv/bin/python bench/bench_queue.py [--renders 8] [--jobs 1000] [--users 300]
Starts Valkey and SeaweedFS from the wheels in .venv on 127.0.0.1 (loopback only); writes
bench/results/queue.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from saq import Worker  # noqa: E402
from saq.types import Context  # noqa: E402

from bench.bench_workers import renders_per_minute, start_workers  # noqa: E402
from core.clock import SystemClock  # noqa: E402
from core.jobs.heartbeat import HeartbeatTimings  # noqa: E402
from core.jobs.redis_queue import RedisJobQueue
from core.jobs.redis_reads import RUN_JOB  # noqa: E402
from core.jobs.remote import RemoteJobs  # noqa: E402
from core.metrics import Metrics  # noqa: E402
from core.work.chats import ChatDirectory  # noqa: E402
from core.work.model import JobStatus  # noqa: E402
from tests.chat_helpers import SCRIPT  # noqa: E402
from tests.media import make_video  # noqa: E402
from tests.servers import S3_KEY_ID, S3_SECRET, seaweed_server, valkey_server  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


async def add(queue: RedisJobQueue, owner: str, n: int) -> str:
    """A cheap job of `owner` (its number in the inputs)."""
    job, _ = await queue.enqueue(
        owner=owner,
        kind="noop",
        platform="bench",
        chat_id=owner,
        message_id=f"{owner}:{n}",
        reply_context={},
        language="en",
        session_id="s",
        inputs={"n": n},
    )
    assert job is not None
    return job.id


@contextlib.asynccontextmanager
async def cheap_workers(
    queue: RedisJobQueue, count: int, started: dict[str, float]
) -> AsyncIterator[None]:
    """`count` SAQ workers (10 jobs at once each) whose job only records that it ran."""

    async def run_job(ctx: Context, *, job_id: str) -> None:
        taken = ctx.get("job")
        assert taken is not None
        started[job_id] = time.perf_counter()
        if await queue.start(job_id, taken.attempts) is not None:
            await queue.finish(job_id, JobStatus.DONE, output={"ok": True})

    workers = [
        Worker(
            queue.saq,
            functions=[(RUN_JOB, run_job)],
            concurrency=10,
            timers={"sweep": 5, "abort": 1, "worker_info": 5, "schedule": 1},
            dequeue_timeout=0.5,
        )
        for _ in range(count)
    ]
    tasks = [asyncio.create_task(w.start()) for w in workers]
    try:
        yield
    finally:
        for worker in workers:
            await worker.stop()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def overhead(url: str, samples: int = 200) -> dict[str, float]:
    """Enqueue → picked up by a waiting worker, one job at a time (ms)."""
    queue = RedisJobQueue.from_url(url)
    started: dict[str, float] = {}
    waits = []
    async with cheap_workers(queue, 1, started):
        await asyncio.sleep(1.0)  # the worker is waiting on the queue
        for n in range(samples):
            sent = time.perf_counter()
            job_id = await add(queue, f"bench:o{n}", n)
            while job_id not in started:  # noqa: ASYNC110 - a busy wait measures best
                await asyncio.sleep(0.0005)
            waits.append((started[job_id] - sent) * 1000)
    await queue.close()
    waits.sort()
    return {
        "samples": samples,
        "median_ms": round(statistics.median(waits), 2),
        "p95_ms": round(waits[int(0.95 * len(waits)) - 1], 2),
    }


class _Teller:
    """Tells each ended job once per process, as Deliveries.deliver does (what and in which
    order each owner was told)."""

    def __init__(self, queue: RedisJobQueue) -> None:
        self.queue = queue
        self.told: dict[str, list[int]] = defaultdict(list)
        self.told_ids: list[str] = []
        self.telling: set[str] = set()

    async def hand_over(self, job_id: str) -> None:
        """Mark the job delivered and note it (once)."""
        job = await self.queue.get(job_id)
        if job is None or job.delivered is not None or job_id in self.telling:
            return
        self.telling.add(job_id)
        await self.queue.mark_delivered(job_id)
        self.told[job.owner].append(int(job.inputs["n"]))
        self.told_ids.append(job_id)


async def volume(url: str, jobs: int, users: int) -> dict[str, Any]:
    """`jobs` cheap jobs from `users` users through two workers, told by the bot's follower."""
    queue = RedisJobQueue.from_url(url)
    teller = _Teller(queue)
    told, told_ids = teller.told, teller.told_ids
    follower = RemoteJobs(
        queue, ChatDirectory(), SystemClock(), HeartbeatTimings(), teller.hand_over, Metrics()
    )
    following = asyncio.create_task(follower.run())
    await asyncio.sleep(0.5)
    rng = random.Random(13)
    asked: dict[str, list[int]] = defaultdict(list)
    started: dict[str, float] = {}
    begin = time.perf_counter()
    async with cheap_workers(queue, 2, started):
        for n in range(jobs):
            owner = f"bench:u{n if n < users else rng.randrange(users)}"  # each user at least once
            asked[owner].append(n)
            await add(queue, owner, n)
        while len(told_ids) < jobs and time.perf_counter() - begin < 600:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        elapsed = time.perf_counter() - begin
        await asyncio.sleep(1.0)  # a duplicate would show up now
    following.cancel()
    await asyncio.gather(following, return_exceptions=True)
    await queue.close()
    return {
        "jobs": jobs,
        "users": len(asked),
        "delivered": len(told_ids),
        "duplicates": len(told_ids) - len(set(told_ids)),
        "lost": jobs - len(set(told_ids)),
        "order_kept_for_every_user": all(told[o] == asked[o] for o in asked),
        "seconds": round(elapsed, 2),
        "jobs_per_s": round(jobs / elapsed, 1),
    }


def cluster_env(url: str, endpoint: str, bucket: str) -> dict[str, str]:
    """What the bot and the workers share."""
    return {
        "QUEUE_URL": url,
        "STORAGE_URL": f"s3://{bucket}",
        "S3_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": S3_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": S3_SECRET,
        "MAX_CONCURRENT_JOBS": "1",
        "UNLIMITED_CREDITS": "true",
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--renders", type=int, default=8)
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--users", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-queue-") as tmp:
        root = Path(tmp)
        with valkey_server(root / "valkey") as valkey, seaweed_server(root / "s3") as s3:
            bucket = s3.make_bucket("bench")
            figures: dict[str, Any] = {"overhead": await overhead(valkey.url)}
            print("enqueue → claimed:", figures["overhead"], flush=True)
            valkey.flush()
            figures["volume"] = await volume(valkey.url, args.jobs, args.users)
            print("volume:", figures["volume"], flush=True)
            figures["renders"] = []
            for workers in (1, 2):
                valkey.flush()
                env = cluster_env(valkey.url, s3.endpoint, bucket)
                procs = start_workers(workers, env, root, pinned=False)
                clip = make_video(root / "clip.mp4")
                got = await renders_per_minute(
                    valkey.url, s3.endpoint, bucket, procs, [SCRIPT] * args.renders, clip, root
                )
                figures["renders"].append(got)
                print("renders:", got, flush=True)
    out = ROOT / "bench" / "results" / "queue.json"
    out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"written to {out}")


if __name__ == "__main__":
    asyncio.run(main())
