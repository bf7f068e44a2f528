"""/healthz, /readyz and /metrics on the service's web server; an S3 store with the embedded
queue: results live in the bucket and a download link sends the user on to a presigned URL."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import httpx
from pydantic import SecretStr

from core.config import Settings
from core.media.s3 import S3MediaStore
from core.service import Service
from tests.chat_helpers import SCRIPT, incoming
from tests.fakes import RecordingChat, tree_files
from tests.servers import S3_KEY_ID, S3_SECRET, SeaweedS3, valkey_server


def base(service: Service) -> str:
    assert service.link_server is not None
    return f"http://127.0.0.1:{service.link_server.port}"


async def test_health_readiness_and_metrics_of_the_embedded_service(
    service: Service, tiny: Path
) -> None:
    chat = RecordingChat()
    await service.handle(incoming(SCRIPT, files=(tiny,)), chat)
    await service.handle(incoming("/voiceover speed=9"), chat)  # refused: a bad option
    await service.wait_idle()
    async with httpx.AsyncClient() as client:
        health = await client.get(f"{base(service)}/healthz")
        ready = await client.get(f"{base(service)}/readyz")
        metrics = await client.get(f"{base(service)}/metrics")
    assert health.status_code == 200 and ready.status_code == 200
    assert metrics.headers["content-type"].startswith("text/plain")
    text = metrics.text
    assert 'voiceover_deliveries_total{status="done"} 1.0' in text
    assert "voiceover_render_seconds_count 1.0" in text
    assert "voiceover_queue_wait_seconds_count 1.0" in text
    assert 'voiceover_refusals_total{code="4106"} 1.0' in text
    assert 'voiceover_jobs{state="active"} 0.0' in text


async def test_readyz_says_which_server_is_unreachable(settings: Settings, tmp_path: Path) -> None:
    with valkey_server(tmp_path / "own-valkey") as valkey:
        # no STORAGE_URL: the Service itself does not insist (`serve` and `worker` do)
        ready_settings = settings.model_copy(update={"queue_url": valkey.url, "http_port": 0})
        async with Service(ready_settings) as service, httpx.AsyncClient() as client:
            assert (await client.get(f"{base(service)}/readyz")).status_code == 200
            valkey_gone = await asyncio.to_thread(_stop_valkey, valkey.port)
            assert valkey_gone
            ready = await client.get(f"{base(service)}/readyz")
            health = await client.get(f"{base(service)}/healthz")
    assert ready.status_code == 503 and ready.text.startswith("QUEUE_URL can't be reached")
    assert health.status_code == 200  # alive all the same


def _stop_valkey(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), 5) as sock:
        sock.sendall(b"*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n")
        sock.recv(64)
    try:
        socket.create_connection(("127.0.0.1", port), 1).close()
    except OSError:
        return True
    return False


async def test_results_in_a_bucket_download_through_a_presigned_url(
    settings: Settings, seaweed: SeaweedS3, bucket: str, s3_prefix: str, tiny: Path
) -> None:
    s3 = settings.model_copy(
        update={
            "storage_url": f"s3://{bucket}/{s3_prefix}",
            "s3_endpoint_url": seaweed.endpoint,
            "aws_access_key_id": SecretStr(S3_KEY_ID),
            "aws_secret_access_key": SecretStr(S3_SECRET),
            "http_port": 0,
        }
    )
    async with Service(s3) as service:
        assert isinstance(service.media, S3MediaStore)
        chat = RecordingChat(upload_limit=1000)  # too small: the result comes as a link
        await service.handle(incoming(SCRIPT, files=(tiny,)), chat)
        await service.wait_idle()
        (link,) = chat.results
        assert link.kind == "link" and link.url.startswith(base(service))
        async with httpx.AsyncClient() as client:
            sent_on = await client.get(link.url)
            assert sent_on.status_code == 302
            target = sent_on.headers["location"]
            assert target.startswith(seaweed.endpoint) and "X-Amz-Signature" in target
            video = await client.get(target)
            page = await client.get(link.url, headers={"Accept": "text/html"})
            played = await client.get(link.url + "&play=1")
    assert video.status_code == 200 and video.content[4:8] == b"ftyp"
    assert page.status_code == 200 and "<video" in page.text  # the result page, in a browser
    assert f"media-src 'self' {seaweed.endpoint}" in page.headers["Content-Security-Policy"]
    assert played.status_code == 302 and played.headers["location"].startswith(seaweed.endpoint)
    keys = seaweed.keys(bucket, s3_prefix)
    assert [k for k in keys if "/results/" in k] and not [k for k in keys if "/pins/" in k]
    assert [p for p in tree_files(settings.data_dir) if p.suffix == ".mp4"] == []
