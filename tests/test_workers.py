"""Many machines on one: `voiceover serve` (Telegram fake, Valkey queue, SeaweedFS store) and
`voiceover worker` processes. Twenty jobs from ten users while a worker is killed (kill -9) in
the middle of a render; workers started later take the queued work; every job is delivered
exactly once, in each user's order; the results are in the bucket, not on the bot's disk; and
/cancel stops a job on the worker that holds it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sqlite3
import subprocess
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import redis

from core.failpoints import PAUSE_AT, PAUSE_MARK
from tests.cli_helpers import cli_command, cli_env
from tests.fake_telegram import TOKEN, FakeTelegram, message_update
from tests.fakes import tree_files
from tests.loopback import free_port
from tests.servers import S3_SECRET, SeaweedS3, worker_env
from tests.telegram_helpers import SCRIPT, video_update

USERS = 10


class Cluster:
    """The processes of one test: a bot and workers, each with its own data folder."""

    def __init__(self, root: Path, redis_url: str, seaweed: SeaweedS3, storage_url: str) -> None:
        self.root = root
        self.http_port = free_port()
        self.common = {
            **worker_env(redis_url, seaweed, storage_url, lease_s=3),
            "LOG_LEVEL": "INFO",
        }
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, command: str, **extra: str) -> subprocess.Popen[bytes]:
        """Start `voiceover command` as `name` (its own DATA_DIR and TMPDIR; log in root)."""
        home = self.root / name
        (home / "tmp").mkdir(parents=True, exist_ok=True)
        env = cli_env(home / "data", TMPDIR=str(home / "tmp"), **self.common, **extra)
        log = (self.root / f"{name}.log").open("ab")  # a restart appends
        proc = subprocess.Popen(
            cli_command(command), env=env, stdout=log, stderr=log, start_new_session=True
        )
        self.procs[name] = proc
        return proc

    def bot(self, fake: FakeTelegram) -> None:
        """`voiceover serve` with the Telegram fake."""
        self.start(
            "bot",
            "serve",
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_BASE_URL=f"{fake.url}/bot",
            TELEGRAM_BASE_FILE_URL=f"{fake.url}/file/bot",
            HTTP_PORT=str(self.http_port),
            PROGRESS_EDIT_INTERVAL_S="1",
        )

    async def job_paused_at(
        self, fake: FakeTelegram, clip: Path, worker: str, point: str, user: int
    ) -> None:
        """The bot, a worker that pauses at the failpoint `point`, and one video job from
        `user`, until that worker is there."""
        mark = self.root / f"{worker}.paused"
        self.bot(fake)
        self.start(worker, "worker", **{PAUSE_AT: point, PAUSE_MARK: str(mark)})
        await fake.wait_for("getUpdates", 1, within_s=120)
        fake.push(video_update(fake, clip, SCRIPT, chat_id=user, user_id=user))
        await eventually(mark.exists, 300, f"the worker never reached {point}\n{self.log(worker)}")

    def kill(self, name: str) -> None:
        """kill -9 (the process group: its ffmpeg too)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.procs[name].pid, signal.SIGKILL)
        self.procs[name].wait(30)

    async def stop_all(self) -> None:
        """SIGTERM everything still running, then SIGKILL what lingers (waiting off the loop:
        the Telegram fake in this process answers the bot's last calls meanwhile)."""
        for proc in self.procs.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for name, proc in self.procs.items():
            try:
                await asyncio.to_thread(proc.wait, 30)
            except subprocess.TimeoutExpired:
                self.kill(name)

    def log(self, name: str) -> str:
        """The tail of a process's log (for failure messages)."""
        return (self.root / f"{name}.log").read_text(errors="replace")[-3000:]


@contextlib.asynccontextmanager
async def cluster(
    tmp_path: Path, redis_url: str, seaweed: SeaweedS3, bucket: str, prefix: str
) -> AsyncIterator[Cluster]:
    made = Cluster(tmp_path, redis_url, seaweed, f"s3://{bucket}/{prefix}")
    try:
        yield made
    finally:
        await made.stop_all()


async def eventually(
    check: Callable[[], bool | Awaitable[bool]], limit_s: float, what: str
) -> None:
    """Poll `check()` (a generous deadline: it only guards against a hang)."""
    deadline = asyncio.get_running_loop().time() + limit_s
    while True:
        done = check()
        if done if isinstance(done, bool) else await done:
            return
        assert asyncio.get_running_loop().time() < deadline, what
        await asyncio.sleep(0.1)


def saq_states(redis_url: str) -> list[str]:
    """The state of every job as SAQ records it ('aborted' only after its worker stopped it)."""
    with redis.Redis.from_url(redis_url) as client:
        found = [client.get(key) for key in client.scan_iter("saq:job:voiceover:*")]
    return sorted(json.loads(raw)["status"] for raw in found if raw)


def records(redis_url: str) -> list[dict[str, Any]]:
    """Every job record of the queue."""
    with redis.Redis.from_url(redis_url) as client:
        found = [client.get(key) for key in client.scan_iter("voiceover:job:*")]
    return [json.loads(raw) for raw in found if raw]


def said(fake: FakeTelegram) -> list[str]:
    """The bot's messages."""
    return [str(c.params.get("text", "")) for c in fake.called("sendMessage")]


def videos(fake: FakeTelegram) -> Counter[int]:
    """How many videos each chat got."""
    return Counter(int(c.params["chat_id"]) for c in fake.called("sendVideo"))


async def test_twenty_jobs_two_workers_one_killed_mid_render_each_delivered_once(
    fake: FakeTelegram,
    redis_url: str,
    seaweed: SeaweedS3,
    bucket: str,
    s3_prefix: str,
    tiny: Path,
    tmp_path: Path,
) -> None:
    mark = tmp_path / "paused"
    async with cluster(tmp_path, redis_url, seaweed, bucket, s3_prefix) as run:
        run.bot(fake)
        run.start("doomed", "worker", **{PAUSE_AT: "mix", PAUSE_MARK: str(mark)})
        await fake.wait_for("getUpdates", 1, within_s=120)
        users = [2000 + n for n in range(USERS)]
        for user in users:  # the first job of each user
            fake.push(video_update(fake, tiny, SCRIPT, chat_id=user, user_id=user))
        await eventually(mark.exists, 300, "the first worker never reached the mix")
        run.kill("doomed")  # in the middle of a render
        for name in ("w1", "w2"):  # started later: they take the queued work
            run.start(name, "worker")
        sent_second: set[int] = set()

        def second_jobs_sent() -> bool:  # each user's second job once the first arrived
            for user, count in videos(fake).items():
                if count >= 1 and user not in sent_second:
                    sent_second.add(user)
                    fake.push(
                        video_update(fake, tiny, f"{SCRIPT} Part two.", chat_id=user, user_id=user)
                    )
            return len(sent_second) == USERS

        await eventually(
            second_jobs_sent, 600, f"not every user got a first video\n{run.log('bot')}"
        )
        await eventually(lambda: sum(videos(fake).values()) >= 2 * USERS, 600, "second videos")
        await asyncio.sleep(2)  # time for a wrong, second delivery to show up
        assert videos(fake) == Counter({user: 2 for user in users})  # each job once
        tries = [job["attempts"] for job in records(redis_url)]
        assert len(tries) == 2 * USERS and 2 in tries  # the killed worker's job ran once more
        # (SAQ's sweep can, rarely, also re-run a job it catches the instant it is handed out:
        # it then renders twice, and is still delivered once)
        results = seaweed.keys(bucket, f"{s3_prefix}/results/")
        assert len(results) == 2 * USERS  # results in the bucket …
        assert [p for p in tree_files(tmp_path / "bot") if p.suffix == ".mp4"] == []  # … not here
        for name in ("w1", "w2"):  # a worker keeps no inputs, renders or results after a job
            kept = tree_files(tmp_path / name / "tmp") + tree_files(tmp_path / name / "data")
            assert [p for p in kept if p.suffix in (".mp4", ".wav", ".part")] == [], kept
        async with httpx.AsyncClient() as client:
            metrics = (await client.get(f"http://127.0.0.1:{run.http_port}/metrics")).text
            ready = await client.get(f"http://127.0.0.1:{run.http_port}/readyz")
        assert ready.status_code == 200
        assert f'voiceover_deliveries_total{{status="done"}} {2 * USERS}.0' in metrics, [
            line for line in metrics.splitlines() if "deliveries_total" in line
        ]
        assert "voiceover_workers 2.0" in metrics
        assert not any("went wrong" in t for t in said(fake)), said(fake)
    with sqlite3.connect(tmp_path / "bot" / "data" / "local.db") as db:  # the bot's ledger
        balances = db.execute("SELECT owner, available, frozen FROM balances").fetchall()
    assert sorted(balances) == [(f"telegram:{u}", 80, 0) for u in users]  # both renders charged
    for name in ("bot", "doomed", "w1", "w2"):  # secrets never reach a log
        logged = (tmp_path / f"{name}.log").read_text(errors="replace")
        assert S3_SECRET not in logged and TOKEN not in logged, name


async def test_a_render_its_killed_worker_never_kept_is_removed_when_it_starts_again(
    fake: FakeTelegram,
    redis_url: str,
    seaweed: SeaweedS3,
    bucket: str,
    s3_prefix: str,
    tiny: Path,
    tmp_path: Path,
) -> None:
    # Killed with its render finished but not yet moved into the bucket: the job is swept and
    # rendered by another worker; the killed worker's file must not stay on its disk for good.
    unkept = lambda: [p for p in tree_files(tmp_path / "doomed" / "data") if p.suffix == ".mp4"]  # noqa: E731
    async with cluster(tmp_path, redis_url, seaweed, bucket, s3_prefix) as run:
        await run.job_paused_at(fake, tiny, "doomed", "keep", 2100)  # the render finished
        assert len(unkept()) == 1, unkept()  # rendered, not kept
        run.kill("doomed")
        run.start("w1", "worker")
        await eventually(lambda: videos(fake)[2100] == 1, 300, run.log("w1"))
        run.start("doomed", "worker")  # the same disk, no failpoint now
        await eventually(lambda: not unkept(), 120, f"left: {unkept()}\n{run.log('doomed')}")
        assert videos(fake) == Counter({2100: 1})


async def test_cancel_in_chat_stops_the_job_on_its_worker(
    fake: FakeTelegram,
    redis_url: str,
    seaweed: SeaweedS3,
    bucket: str,
    s3_prefix: str,
    tiny: Path,
    tmp_path: Path,
) -> None:
    async with cluster(tmp_path, redis_url, seaweed, bucket, s3_prefix) as run:
        await run.job_paused_at(fake, tiny, "worker", "speech", 7)
        fake.push(message_update(text="/cancel", chat_id=7, user_id=7))
        await eventually(lambda: saq_states(redis_url) == ["aborted"], 120, run.log("worker"))
        await eventually(lambda: any(t.startswith("🛑 Cancelled") for t in said(fake)), 60, "")
        assert fake.called("sendVideo") == []
        assert seaweed.keys(bucket, f"{s3_prefix}/results/") == []
        run.kill("worker")  # its render thread stays paused at the failpoint for good


async def test_a_worker_told_to_stop_hands_its_job_back(
    fake: FakeTelegram,
    redis_url: str,
    seaweed: SeaweedS3,
    bucket: str,
    s3_prefix: str,
    tiny: Path,
    tmp_path: Path,
) -> None:
    async with cluster(tmp_path, redis_url, seaweed, bucket, s3_prefix) as run:
        await run.job_paused_at(fake, tiny, "leaving", "mix", 9)
        os.killpg(run.procs["leaving"].pid, signal.SIGTERM)  # WORKER_STOP_GRACE_S=0
        await eventually(lambda: saq_states(redis_url) == ["queued"], 60, run.log("leaving"))
        run.kill("leaving")  # its render thread stays paused at the failpoint for good
        run.start("next", "worker")
        await eventually(lambda: videos(fake) == Counter({9: 1}), 300, run.log("next"))
        assert [job["attempts"] >= 2 for job in records(redis_url)] == [True]
