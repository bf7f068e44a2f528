"""The HTTP API with renders on a `voiceover worker` (Valkey queue, SeaweedFS store): the same
cycle, a key from the terminal chat, a file POSTed, polled, the signed webhook, the result
downloaded from the bucket."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
from pathlib import Path
from typing import BinaryIO

import httpx

from core.config import Settings
from core.service import Service
from tests.api_helpers import base_url, key_from_terminal, receiver, verify, wait_ended
from tests.chat_helpers import SCRIPT
from tests.cli_helpers import cli_command, cli_env
from tests.servers import SeaweedS3, worker_env


def start_worker(env: dict[str, str], log: BinaryIO) -> subprocess.Popen[bytes]:
    """`voiceover worker` in its own process group."""
    return subprocess.Popen(
        cli_command("worker"), env=env, stdout=log, stderr=log, start_new_session=True
    )


async def test_an_api_job_rendered_by_a_worker(
    settings: Settings,
    tmp_path: Path,
    tiny: Path,
    redis_url: str,
    seaweed: SeaweedS3,
    bucket: str,
    s3_prefix: str,
) -> None:
    # a first voice load may hold the worker a while
    common = worker_env(redis_url, seaweed, f"s3://{bucket}/{s3_prefix}", lease_s=60)
    bot_settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=tmp_path / "bot",
        http_port=0,
        allow_private_callbacks=True,
        **{name.lower(): value for name, value in common.items()},
    )
    (tmp_path / "worker" / "tmp").mkdir(parents=True)
    env = cli_env(tmp_path / "worker" / "data", TMPDIR=str(tmp_path / "worker" / "tmp"), **common)
    log = (tmp_path / "worker.log").open("wb")
    worker = start_worker(env, log)
    try:
        async with (
            Service(bot_settings) as service,
            httpx.AsyncClient(base_url=base_url(service), timeout=60) as client,
            receiver() as hooks,
        ):
            account = await key_from_terminal(service)
            answer = await client.post(
                "/api/v1/jobs",
                headers=account.auth,
                files={"media": ("demo.mp4", await asyncio.to_thread(tiny.read_bytes))},
                data={"text": SCRIPT, "callback_url": hooks.url},
            )
            assert answer.status_code == 202, answer.text
            job = await wait_ended(client, answer.json()["id"], account.auth)
            worker_log = (tmp_path / "worker.log").read_text(errors="replace")
            assert job["state"] == "done", (job["error"], worker_log[-3000:])
            await hooks.wait(1)
            body, signature = hooks.accepted[0]
            assert verify(account.secret, signature, body) and json.loads(body)["id"] == job["id"]
            link = await client.get(f"/api/v1/jobs/{job['id']}/result", headers=account.auth)
            assert link.status_code == 302
            video = await client.get(link.headers["Location"], follow_redirects=True)
            assert video.status_code == 200 and video.content[4:8] == b"ftyp"
            assert seaweed.keys(bucket, f"{s3_prefix}/results/") == [
                f"{s3_prefix}/results/{job['id']}.mp4"
            ]
            assert len(hooks.calls) == 1
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGTERM)
        await asyncio.to_thread(worker.wait, 30)
