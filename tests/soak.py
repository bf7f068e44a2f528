"""The soak with churn, shared by tests/test_soak.py (small, in the suite) and
bench/bench_soak.py (full size): users send clips one after another through the Telegram fake
to `voiceover serve` (real Valkey queue, real SeaweedFS store) while render workers are
kill -9-ed at random (a seeded RNG) and restarted, and the bot is restarted twice: stopped
with SIGTERM to its process group (what systemd does), then kill -9-ed, alternately. It only
drives and observes; the callers assert."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import signal
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis

from core.errors import ErrorCode, message_for
from tests.fake_telegram import FakeTelegram
from tests.fakes import tree_files
from tests.telegram_helpers import SCRIPT, video_update
from tests.test_workers import Cluster, records, videos

GAVE_UP = message_for(ErrorCode.GAVE_UP)
LEFTOVER_SUFFIXES = (".mp4", ".wav", ".part", ".m4a")


@dataclass(frozen=True)
class SoakPlan:
    """How big, how rough: users × jobs each, workers, the seed, seconds between kills."""

    users: int
    jobs_per_user: int
    workers: int = 2
    seed: int = 19
    kill_every_s: tuple[float, float] = (4.0, 10.0)
    bot_restarts: int = 2
    limit_s: float = 600.0  # an overall bound against a hang (no assertion is about speed)


@dataclass
class SoakReport:
    """What happened: per chat videos and gave-up notices, kills, restarts, what was left."""

    elapsed_s: float = 0.0
    kills: int = 0
    bot_restarts: int = 0
    videos: Counter[int] = field(default_factory=Counter)
    gave_up: Counter[int] = field(default_factory=Counter)
    records: list[dict[str, Any]] = field(default_factory=list)
    saq_lists: dict[str, int] = field(default_factory=dict)
    balances: list[tuple[str, int, int]] = field(default_factory=list)
    leftovers: list[Path] = field(default_factory=list)
    live_groups: list[str] = field(default_factory=list)
    went_wrong: list[str] = field(default_factory=list)


def answered(fake: FakeTelegram) -> Counter[int]:
    """Each chat's ended jobs as told: a video, or 'interrupted too many times'."""
    told = videos(fake)
    for text, chat in _texts(fake):
        if text == GAVE_UP:
            told[chat] += 1
    return told


def _texts(fake: FakeTelegram) -> list[tuple[str, int]]:
    calls = fake.called("sendMessage")
    return [(str(c.params.get("text", "")), int(c.params["chat_id"])) for c in calls]


async def soak(plan: SoakPlan, run: Cluster, fake: FakeTelegram, clip: Path) -> SoakReport:
    """Run the plan on the cluster (servers up, nothing started yet); returns the report."""
    rng, report, started = random.Random(plan.seed), SoakReport(), time.monotonic()
    workers = [f"w{n}" for n in range(plan.workers)]
    run.bot(fake)
    starts: dict[str, int] = {}
    for name in workers:
        starts[name] = _log_size(run, name)
        run.start(name, "worker")
    users = [3000 + n for n in range(plan.users)]
    sent: Counter[int] = Counter()
    total = plan.users * plan.jobs_per_user
    restart_at = [total * (k + 1) // (plan.bot_restarts + 1) for k in range(plan.bot_restarts)]
    next_kill = time.monotonic() + rng.uniform(*plan.kill_every_s)
    told_at_kill = -1
    while True:
        told = answered(fake)
        for user in users:
            if told[user] == sent[user] < plan.jobs_per_user:
                sent[user] += 1
                # a script long enough to replace the last one without "Read this as the new
                # script?" (a shorter caption is asked about: no job, and the soak waits)
                caption = f"{SCRIPT} Part {sent[user]}."
                fake.push(video_update(fake, clip, caption, chat_id=user, user_id=user))
        if all(told[u] >= plan.jobs_per_user for u in users):
            break
        assert time.monotonic() - started < plan.limit_s, _stuck(run, fake, told, sent)
        if restart_at and sum(told.values()) >= restart_at[0]:
            restart_at.pop(0)
            await _restart_bot(run, fake, hard=report.bot_restarts % 2 == 1)
            report.bot_restarts += 1
        if time.monotonic() >= next_kill and sum(told.values()) > told_at_kill:
            told_at_kill = sum(told.values())  # a kill only after progress: never a livelock
            name = rng.choice(workers)
            run.kill(name)  # kill -9, its whole process group
            starts[name] = _log_size(run, name)  # where its new incarnation's lines begin
            run.start(name, "worker")
            report.kills += 1
            next_kill = time.monotonic() + rng.uniform(*plan.kill_every_s)
        await asyncio.sleep(0.2)
    await _drained(run, plan.limit_s - (time.monotonic() - started))
    await _workers_up(run, starts, plan.limit_s)  # each restarted one cleaned up after the dead
    report.elapsed_s = time.monotonic() - started
    await run.stop_all()
    _collect(report, run, fake)
    return report


def _stuck(run: Cluster, fake: FakeTelegram, told: Counter[int], sent: Counter[int]) -> str:
    """What a stuck soak looks like: who waits, their records, SAQ's view, the logs' tails."""
    waiting = [u for u in sent if told[u] < sent[u]]
    mine = [r for r in records(run.common["QUEUE_URL"]) if int(r["chat_id"]) in waiting]
    states = [(r["id"][:8], r["status"], r["attempts"], r["delivered"], r["error"]) for r in mine]
    tails = "\n".join(f"--- {name}\n{run.log(name)[-1500:]}" for name in run.procs)
    lists = saq_lists(run.common["QUEUE_URL"])
    last = {u: [t[:80] for t, chat in _texts(fake) if chat == u][-2:] for u in waiting}
    return f"stuck: told {dict(told)} of {dict(sent)}; {states}; {lists}; {last}\n{tails}"


async def _restart_bot(run: Cluster, fake: FakeTelegram, *, hard: bool) -> None:
    """SIGTERM the bot's process group (the messages it took are handled first), or with
    `hard` kill -9 it (its inbox keeps what it took), then start it again."""
    proc = run.procs["bot"]
    if hard:  # not inside a send: Telegram can't be asked "did that video arrive?", so a kill
        await _sends_recorded(run)  # between a send and its record sends it again (at least once)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL if hard else signal.SIGTERM)
    await asyncio.to_thread(proc.wait, 120)
    polls = len(fake.called("getUpdates"))
    run.bot(fake)
    await fake.wait_for("getUpdates", polls + 1, within_s=120)


async def _sends_recorded(run: Cluster) -> None:
    """Until every ended job the bot told is recorded as told (a bound guards a hang only)."""
    deadline = time.monotonic() + 120
    while not all(
        r["delivered"]
        for r in records(run.common["QUEUE_URL"])
        if r["status"] in ("done", "failed")
    ):
        assert time.monotonic() < deadline, "a delivery never recorded"
        await asyncio.sleep(0.05)


async def _drained(run: Cluster, limit_s: float) -> None:
    """Until every record has ended and its owner was told, and SAQ holds nothing queued or
    active (a bound guards against a hang only)."""
    deadline = time.monotonic() + max(60.0, limit_s)
    while True:
        told = all(job["delivered"] for job in records(run.common["QUEUE_URL"]))
        lists = saq_lists(run.common["QUEUE_URL"])
        if told and not any(lists.values()):
            return
        assert time.monotonic() < deadline, f"not drained: {lists}"
        await asyncio.sleep(0.2)


async def _workers_up(run: Cluster, starts: dict[str, int], limit_s: float) -> None:
    """Until every worker's latest start got as far as taking jobs (SAQ's "Worker starting",
    logged after it removed what killed processes left)."""
    deadline = time.monotonic() + limit_s
    for name, offset in starts.items():
        log = run.root / f"{name}.log"
        while b"Worker starting" not in log.read_bytes()[offset:]:
            assert time.monotonic() < deadline, f"{name} never started again"
            await asyncio.sleep(0.2)


def _log_size(run: Cluster, name: str) -> int:
    log = run.root / f"{name}.log"
    return log.stat().st_size if log.exists() else 0


def saq_lists(redis_url: str) -> dict[str, int]:
    """How many job ids SAQ's queued and active lists hold."""
    with redis.Redis.from_url(redis_url) as client:
        return {
            name: int(client.llen(f"saq:voiceover:{name}"))  # type: ignore[arg-type]
            for name in ("queued", "active")
        }


def _collect(report: SoakReport, run: Cluster, fake: FakeTelegram) -> None:
    report.videos = videos(fake)
    report.gave_up = Counter(chat for text, chat in _texts(fake) if text == GAVE_UP)
    report.went_wrong = [text for text, _ in _texts(fake) if "went wrong" in text]
    report.records = records(run.common["QUEUE_URL"])
    report.saq_lists = saq_lists(run.common["QUEUE_URL"])
    with sqlite3.connect(run.root / "bot" / "data" / "local.db") as db:
        rows = db.execute("SELECT owner, available, frozen FROM balances").fetchall()
    report.balances = sorted((str(o), int(a), int(f)) for o, a, f in rows)
    for name in run.procs:
        kept = tree_files(run.root / name / "tmp")
        if name != "bot":
            kept += tree_files(run.root / name / "data")
        report.leftovers += [p for p in kept if p.suffix in LEFTOVER_SUFFIXES]
    for name, proc in run.procs.items():
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            continue
        report.live_groups.append(name)


def summary(report: SoakReport) -> str:
    """One paragraph for a report."""
    return json.dumps(
        {
            "elapsed_s": round(report.elapsed_s, 1),
            "kills": report.kills,
            "bot_restarts": report.bot_restarts,
            "videos": sum(report.videos.values()),
            "gave_up": sum(report.gave_up.values()),
            "attempts": dict(Counter(r["attempts"] for r in report.records)),
            "leftovers": len(report.leftovers),
            "live_process_groups": report.live_groups,
        }
    )
