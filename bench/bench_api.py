"""The HTTP API at work: POST /api/v1/jobs → 202 latency (p50, p99) while 2 renders run, and
200 jobs from 20 keys through the embedded queue and through Redis (2 `voiceover worker`s):
none lost, none duplicated, every webhook delivered once.

Run: .venv/bin/python bench/bench_api.py [--jobs 200] [--keys 20] [--posts 60] [--skip-redis]
     [--only-redis | --only-latency (prints, writes nothing)]
Everything on 127.0.0.1 (Valkey and SeaweedFS from the wheels in .venv); writes
bench/results/api.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402

from core.config import Settings  # noqa: E402
from core.service import Service  # noqa: E402
from tests.api_helpers import Account, base_url, key_from_terminal, receiver, verify  # noqa: E402
from tests.cli_helpers import cli_command, cli_env  # noqa: E402
from tests.media import make_video  # noqa: E402
from tests.servers import S3_KEY_ID, S3_SECRET, seaweed_server, valkey_server  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHORT = "Hello there."
LONG = " ".join(["This sentence keeps the narrator busy for a while."] * 25)


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank), in milliseconds."""
    ordered = sorted(values)
    return round(1000 * ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))], 1)


async def post(
    client: httpx.AsyncClient, account: Account, clip: bytes, text: str, hook: str
) -> tuple[float, str]:
    """One POST; its latency and the job id."""
    began = time.perf_counter()
    answer = await client.post(
        "/api/v1/jobs",
        headers=account.auth,
        files={"media": ("clip.mp4", clip, "video/mp4")},
        data={"text": text, "callback_url": hook},
    )
    assert answer.status_code == 202, answer.text
    return time.perf_counter() - began, str(answer.json()["id"])


async def state(client: httpx.AsyncClient, account: Account, job_id: str) -> str:
    """A job's state, as GET /api/v1/jobs/{id} says."""
    return str((await client.get(f"/api/v1/jobs/{job_id}", headers=account.auth)).json()["state"])


async def latency(settings: Settings, clip: bytes, posts: int) -> dict[str, Any]:
    """POST → 202 with two long renders running (the jobs posted queue behind them)."""
    async with (
        Service(settings) as service,
        httpx.AsyncClient(base_url=base_url(service), timeout=120) as client,
        receiver() as hooks,
    ):
        busy = [await key_from_terminal(service, f"busy{n}") for n in range(2)]
        long_jobs = [(await post(client, a, clip, LONG, hooks.url))[1] for a in busy]
        for account, job_id in zip(busy, long_jobs, strict=True):
            while await state(client, account, job_id) != "running":  # noqa: ASYNC110
                await asyncio.sleep(0.2)  # polling the API, as a client does
        account = await key_from_terminal(service, "timed")
        times, ids = [], []
        for _ in range(posts):
            took, job_id = await post(client, account, clip, SHORT, hooks.url)
            times.append(took)
            ids.append(job_id)
        states = [
            await state(client, account, job_id)
            for account, job_id in zip(busy, long_jobs, strict=True)
        ]
        for job_id in ids:  # nobody needs these renders
            await client.delete(f"/api/v1/jobs/{job_id}", headers=account.auth)
        for account in busy:
            for job in (await client.get("/api/v1/jobs", headers=account.auth)).json()["jobs"]:
                await client.delete(f"/api/v1/jobs/{job['id']}", headers=account.auth)
    return {
        "posts": posts,
        "renders_running": 2,
        "long_renders_still_running_at_the_end": states,
        "p50_ms": pct(times, 50),
        "p99_ms": pct(times, 99),
        "max_ms": round(1000 * max(times), 1),
    }


async def many(settings: Settings, clip: bytes, jobs: int, keys: int) -> dict[str, Any]:
    """`jobs` jobs from `keys` keys at once; every job ends once, every webhook arrives once."""
    began = time.perf_counter()
    async with (
        Service(settings) as service,
        httpx.AsyncClient(base_url=base_url(service), timeout=600) as client,
        receiver() as hooks,
    ):
        accounts = [await key_from_terminal(service, f"user{n}") for n in range(keys)]

        async def one_key(account: Account, count: int) -> list[str]:
            return [(await post(client, account, clip, SHORT, hooks.url))[1] for _ in range(count)]

        per_key = jobs // keys
        made = await asyncio.gather(*(one_key(a, per_key) for a in accounts))
        posted = [job_id for ids in made for job_id in ids]
        await hooks.wait(len(posted), limit_s=3600)
        await asyncio.sleep(3)  # a duplicate would arrive now
        secrets = {a.secret for a in accounts}
        bodies = [json.loads(body) for body, _ in hooks.accepted]
        signed = sum(any(verify(s, sig, body) for s in secrets) for body, sig in hooks.accepted)
        states = Counter(b["state"] for b in bodies)
        seen = Counter(b["id"] for b in bodies)
    return {
        "jobs": len(posted),
        "keys": keys,
        "distinct_ids": len(set(posted)),
        "webhooks": len(hooks.accepted),
        "webhooks_signed": signed,
        "lost": len(set(posted) - set(seen)),
        "duplicated": sum(1 for n in seen.values() if n > 1),
        "states": dict(states),
        "seconds": round(time.perf_counter() - began, 1),
    }


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """`voiceover worker` in its own process group, its output in `log`."""
    with log.open("wb") as out:
        return subprocess.Popen(
            cli_command("worker"), env=env, stdout=out, stderr=out, start_new_session=True
        )


@contextlib.asynccontextmanager
async def redis_cluster(root: Path, workers: int) -> AsyncIterator[dict[str, str]]:
    """Valkey, SeaweedFS and `workers` worker processes; the bot's settings as env names."""
    with valkey_server(root / "valkey") as valkey, seaweed_server(root / "weed") as weed:
        bucket = weed.make_bucket("bench-api")
        common = {
            "QUEUE_URL": valkey.url,
            "STORAGE_URL": f"s3://{bucket}/api",
            "S3_ENDPOINT_URL": weed.endpoint,
            "AWS_ACCESS_KEY_ID": S3_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": S3_SECRET,
            "JOB_LEASE_S": "60",
            "MAX_CONCURRENT_JOBS": "1",
        }
        procs = []
        for n in range(workers):
            home = root / f"worker{n}"
            (home / "tmp").mkdir(parents=True)
            env = cli_env(home / "data", TMPDIR=str(home / "tmp"), **common)
            procs.append(start_worker(env, root / f"worker{n}.log"))
        try:
            yield common
        finally:
            for proc in procs:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
            for proc in procs:
                await asyncio.to_thread(proc.wait, 60)


def bot_settings(data: Path, **env: str) -> Settings:
    """The bot's settings: API on a free port, loopback webhooks allowed, no credit limit."""
    values: dict[str, Any] = {
        "data_dir": data,
        "http_port": 0,
        "allow_private_callbacks": True,
        "unlimited_credits": True,
        "api_rate_per_minute": 100_000,
        "max_concurrent_jobs": 2,
    }
    values.update({name.lower(): value for name, value in env.items()})
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--keys", type=int, default=20)
    parser.add_argument("--posts", type=int, default=60)
    parser.add_argument("--skip-redis", action="store_true")
    parser.add_argument("--only-redis", action="store_true")
    parser.add_argument("--only-latency", action="store_true")
    args = parser.parse_args()
    results: dict[str, Any] = {"cores": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp:
        root = Path(tmp)
        clip = make_video(root / "clip.mp4", seconds=2, size="160x120").read_bytes()
        if not args.only_redis:
            results["latency"] = await latency(bot_settings(root / "lat"), clip, args.posts)
            print("latency", results["latency"], flush=True)
        if args.only_latency:
            print(json.dumps(results, indent=2))
            return
        if not args.only_redis:
            embedded = await many(bot_settings(root / "emb"), clip, args.jobs, args.keys)
            results["embedded"] = embedded
            print("embedded", embedded, flush=True)
        if not args.skip_redis:
            async with redis_cluster(root / "redis", workers=2) as env:
                settings = bot_settings(root / "red", **env)
                results["redis"] = await many(settings, clip, args.jobs, args.keys)
            print("redis", results["redis"], flush=True)
    out = ROOT / "bench" / "results" / ("api-redis.json" if args.only_redis else "api.json")
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
