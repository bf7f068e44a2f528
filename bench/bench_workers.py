"""Renders per minute with 1 and 2 `voiceover worker`s, each pinned to its own core.

Run: .venv/bin/python bench/bench_workers.py [--renders 8] [--seconds 30]
Each worker is a real `voiceover worker` process under `taskset -c N` with one render slot
(MAX_CONCURRENT_JOBS=1) and one thread for speech and the math libraries (TTS_WORKERS=1,
OMP_NUM_THREADS=1; ffmpeg sees one core through the affinity mask). The jobs come through the
bot (a Service in this process) on Valkey, with media in SeaweedFS, both started from the wheels
in .venv on 127.0.0.1. Every render has its own script and the speech cache is off, so each one
speaks everything. The bot, Valkey and SeaweedFS share the same two cores: this is the honest
scaling figure on one machine. The CPU seconds each process used show where the rest goes.
Writes bench/results/workers.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_render import proc_stats  # noqa: E402
from pydantic import SecretStr  # noqa: E402

from core.config import Settings  # noqa: E402
from core.service import Service  # noqa: E402
from tests.chat_helpers import incoming  # noqa: E402
from tests.cli_helpers import cli_command, cli_env  # noqa: E402
from tests.fakes import RecordingChat  # noqa: E402
from tests.media import make_video  # noqa: E402
from tests.servers import S3_KEY_ID, S3_SECRET, seaweed_server, valkey_server  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
LINES = (
    "Meet Aurora, the desk lamp that follows the sun.",
    "At sunrise it glows a soft amber, and by noon it matches the daylight outside.",
    "It costs less than a dinner out and saves energy every single day.",
    "Order yours today and see the difference in your room.",
)
TASKSET = shutil.which("taskset") or "/usr/bin/taskset"  # util-linux
ONE_THREAD = {"TTS_WORKERS": "1", "OMP_NUM_THREADS": "1", "MAX_CONCURRENT_JOBS": "1"}


def script(n: int) -> str:
    """A script of its own for render `n` (so no render reuses another's speech)."""
    return f"Take number {n}. " + " ".join(LINES)


def shared_env(url: str, endpoint: str, bucket: str) -> dict[str, str]:
    """What the bot and the workers share."""
    return {
        "QUEUE_URL": url,
        "STORAGE_URL": f"s3://{bucket}",
        "S3_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": S3_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": S3_SECRET,
        "UNLIMITED_CREDITS": "true",
        "SPEECH_CACHE_MB": "0",
    }


def start_workers(
    count: int, env: dict[str, str], root: Path, pinned: bool = True
) -> list[subprocess.Popen[bytes]]:
    """`count` workers; pinned: worker i on core i, one render slot and one thread each."""
    cores = os.cpu_count() or 1
    return [
        subprocess.Popen(
            [*([TASKSET, "-c", str(i % cores)] if pinned else []), *cli_command("worker")],
            env=cli_env(root / f"w{count}-{i}", **env, **(ONE_THREAD if pinned else {})),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for i in range(count)
    ]


def _bot_settings(url: str, endpoint: str, bucket: str, data_dir: Path) -> Settings:
    """The bot's settings: jobs on the Redis queue at `url`, media in the bucket."""
    return Settings(
        data_dir=data_dir,
        http_port=0,
        queue_url=url,
        storage_url=f"s3://{bucket}",
        s3_endpoint_url=endpoint,
        aws_access_key_id=SecretStr(S3_KEY_ID),
        aws_secret_access_key=SecretStr(S3_SECRET),
        unlimited_credits=True,
    )


def cpu_seconds() -> dict[str, float]:
    """CPU seconds so far of this process (the bot) and of each child (the workers by pid,
    Valkey, SeaweedFS), each with its own reaped children (ffmpeg)."""
    tick = os.sysconf("SC_CLK_TCK")
    own = os.times()
    found = {"bot": own.user + own.system}
    for pid, name, fields in proc_stats():
        if int(fields[1]) == os.getpid():
            found[f"{name}:{pid}"] = sum(int(f) for f in fields[11:15]) / tick
    return found


def cpu_used(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """CPU seconds each process used between two cpu_seconds() readings."""
    return {k: round(v - before.get(k, 0.0), 1) for k, v in after.items()}


async def renders_per_minute(
    url: str,
    endpoint: str,
    bucket: str,
    procs: list[subprocess.Popen[bytes]],
    scripts: list[str],
    clip: Path,
    root: Path,
) -> dict[str, Any]:
    """One render per script, each from its own user, all sent at once, through the started
    workers `procs` (stopped at the end)."""
    workers, renders = len(procs), len(scripts)
    settings = _bot_settings(url, endpoint, bucket, root / f"bot{workers}")
    try:
        async with Service(settings) as service:
            while await service.jobs.worker_count() < workers:  # noqa: ASYNC110
                await asyncio.sleep(0.2)  # every worker is up and waiting
            chats = [RecordingChat() for _ in range(renders)]
            begin, cpu = time.perf_counter(), cpu_seconds()
            for n, chat in enumerate(chats):
                await service.handle(incoming(scripts[n], files=(clip,), user=f"r{n}"), chat)
            while sum(len(c.results) for c in chats) < renders:  # noqa: ASYNC110
                await asyncio.sleep(0.1)
            elapsed = time.perf_counter() - begin
            used = cpu_used(cpu, cpu_seconds())
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(60)
    return {
        "workers": workers,
        "renders": renders,
        "seconds": round(elapsed, 1),
        "renders_per_minute": round(renders * 60 / elapsed, 2),
        "cpu_s": used,
    }


async def main() -> None:
    """1 worker, then 2; the ratio is the scaling figure."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--renders", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each clip")
    args = parser.parse_args()
    figures: dict[str, Any] = {"renders": [], "cores": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="bench-workers-") as tmp:
        root = Path(tmp)
        clip = make_video(root / "clip.mp4", seconds=args.seconds, size="640x360")
        with valkey_server(root / "valkey") as valkey, seaweed_server(root / "s3") as s3:
            bucket = s3.make_bucket("bench")
            for workers in (1, 2):
                valkey.flush()
                env = shared_env(valkey.url, s3.endpoint, bucket)
                procs = start_workers(workers, env, root)
                scripts = [script(n) for n in range(args.renders)]
                got = await renders_per_minute(
                    valkey.url, s3.endpoint, bucket, procs, scripts, clip, root
                )
                figures["renders"].append(got)
                print("renders:", got, flush=True)
    one, two = (r["renders_per_minute"] for r in figures["renders"])
    figures["scaling_2_vs_1"] = round(two / one, 2)
    print("2 workers / 1 worker:", figures["scaling_2_vs_1"])
    out = ROOT / "bench" / "results" / "workers.json"
    out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"written to {out}")


if __name__ == "__main__":
    asyncio.run(main())
