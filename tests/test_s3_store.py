"""The media store in a real S3 server (SeaweedFS): keys in, streamed, read as temporary local
files that go away, copied, listed, aged out; presigned links; a bad STORAGE_URL is one line."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tracemalloc
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from core.config import Settings
from core.errors import ErrorCode, VoiceoverError
from core.media.s3 import S3Location, S3MediaStore
from core.media.select import make_media_store
from tests.cli_helpers import cli_command, cli_env
from tests.loopback import free_port
from tests.servers import S3_KEY_ID, S3_SECRET, SeaweedS3


def s3_settings(settings: Settings, seaweed: SeaweedS3, bucket: str, prefix: str = "") -> Settings:
    """Settings whose media store is `bucket` on the test server."""
    return settings.model_copy(
        update={
            "storage_url": f"s3://{bucket}" + (f"/{prefix}" if prefix else ""),
            "s3_endpoint_url": seaweed.endpoint,
            "aws_access_key_id": SecretStr(S3_KEY_ID),
            "aws_secret_access_key": SecretStr(S3_SECRET),
        }
    )


@pytest.fixture
def store(
    settings: Settings, seaweed: SeaweedS3, bucket: str, s3_prefix: str, tmp_path: Path
) -> S3MediaStore:
    made = make_media_store(s3_settings(settings, seaweed, bucket, s3_prefix))
    assert isinstance(made, S3MediaStore)
    made.temp_root = tmp_path / "tmp"
    made.temp_root.mkdir()
    return made


async def test_a_file_goes_in_by_key_and_comes_back_as_a_temporary_file(
    store: S3MediaStore, seaweed: SeaweedS3, bucket: str, s3_prefix: str
) -> None:
    source = store.staging() / "incoming.mp4"
    source.write_bytes(b"v" * 12345)
    assert await store.put_file("uploads/u1/a.mp4", source) == 12345
    assert not source.exists()  # moved in: the local copy is gone
    assert seaweed.keys(bucket, s3_prefix) == [f"{s3_prefix}/uploads/u1/a.mp4"]
    async with store.local_path("uploads/u1/a.mp4") as path:
        assert path.read_bytes() == b"v" * 12345
        held = path
    assert store.fetches_to_read and held.parent.parent == store.staging().parent  # a copy
    assert not held.exists() and not held.parent.exists()  # removed after use
    assert await store.size("uploads/u1/a.mp4") == 12345
    await store.delete("uploads/u1/a.mp4")
    assert await store.size("uploads/u1/a.mp4") is None
    with pytest.raises(FileNotFoundError):
        async with store.local_path("uploads/u1/a.mp4"):
            pass
    assert list(store.temp_root.glob("voiceover-*/*.mp4")) == []


async def chunks(total: int, size: int = 1 << 20) -> AsyncIterator[bytes]:
    """`total` bytes in chunks, never all at once."""
    sent = 0
    while sent < total:
        part = min(size, total - sent)
        sent += part
        yield b"\x5a" * part


async def test_a_big_stream_is_never_held_in_memory(store: S3MediaStore) -> None:
    total = 48 * 1024 * 1024
    tracemalloc.start()
    try:
        assert await store.put_stream("uploads/u1/big.mp4", chunks(total), total) == total
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < total / 2, f"peak {peak} bytes for a {total}-byte stream"
    assert await store.size("uploads/u1/big.mp4") == total


async def test_a_stream_over_the_cap_is_refused_and_nothing_is_kept(store: S3MediaStore) -> None:
    with pytest.raises(VoiceoverError) as refused:
        await store.put_stream("uploads/u1/x.mp4", chunks(3 << 20), 2 << 20)
    assert refused.value.code is ErrorCode.FILE_TOO_LARGE
    assert await store.size("uploads/u1/x.mp4") is None
    assert list(store.staging().iterdir()) == []


async def test_copies_prefixes_children_and_age(store: S3MediaStore) -> None:
    staged = store.staging() / "v"
    staged.write_bytes(b"video")
    await store.put_file("uploads/u/a.mp4", staged)
    await store.copy("uploads/u/a.mp4", "pins/p1/media/a.mp4")
    await store.copy("uploads/u/a.mp4", "pins/p2/media/a.mp4")
    await store.delete("uploads/u/a.mp4")
    assert await store.size("pins/p1/media/a.mp4") == 5  # the copy outlives its source
    assert await store.children("pins") == ["p1", "p2"]
    await store.delete_prefix("pins/p1")
    assert await store.children("pins") == ["p2"]
    assert await store.delete_older("pins", 3600) == 0  # new
    assert await store.delete_older("pins", -1) == 1  # everything is older than the future
    assert await store.children("pins") == []


async def test_a_presigned_link_downloads_straight_from_the_bucket(store: S3MediaStore) -> None:
    staged = store.staging() / "r"
    staged.write_bytes(b"result-bytes")
    await store.put_file("results/abc.mp4", staged)
    url = store.presigned_url("results/abc.mp4", "voiceover-abc.mp4")
    assert "X-Amz-Signature" in url and S3_SECRET not in url
    async with httpx.AsyncClient() as client:
        got = await client.get(url)
    assert got.status_code == 200 and got.content == b"result-bytes"
    assert "voiceover-abc.mp4" in got.headers.get("content-disposition", "")


async def test_temp_files_of_a_dead_process_are_cleared_at_start(store: S3MediaStore) -> None:
    dead = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    await dead.wait()  # its pid names no live process now
    left = store.temp_root / f"voiceover-{dead.pid}-abc"
    left.mkdir()
    (left / "input.mp4").write_bytes(b"x")
    mine = store.staging()
    assert await store.clear_staging() == 1
    assert not left.exists() and mine.exists()  # a live process's folder stays


def test_location_parsing() -> None:
    assert S3Location.parse("s3://bucket") == S3Location("bucket", "")
    assert S3Location.parse("s3://bucket/a/b/") == S3Location("bucket", "a/b")
    assert S3Location("b", "p").name("results/x.mp4") == "p/results/x.mp4"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("STORAGE_URL", "http://bucket"),
        ("STORAGE_URL", "s3://B"),
        ("QUEUE_URL", "memcached://127.0.0.1"),
        ("S3_ENDPOINT_URL", "127.0.0.1:8333"),
        ("JOB_LEASE_S", "1"),
    ],
)
def test_a_bad_setting_stops_with_one_line(tmp_path: Path, name: str, value: str) -> None:
    done = subprocess.run(
        cli_command("worker"),
        env=cli_env(tmp_path / "data", **{name: value}),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: setting {name}"), done.stderr


def test_an_unreachable_store_or_queue_stops_the_worker_with_one_line(tmp_path: Path) -> None:
    env = cli_env(
        tmp_path / "data",
        QUEUE_URL=f"redis://127.0.0.1:{free_port()}/0",
        STORAGE_URL="s3://voiceover",
        S3_ENDPOINT_URL=f"http://127.0.0.1:{free_port()}",
        AWS_ACCESS_KEY_ID="someone",
        AWS_SECRET_ACCESS_KEY="never-printed-secret",
    )
    done = subprocess.run(
        cli_command("worker"), env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "QUEUE_URL" in lines[0], done.stderr
    assert "never-printed-secret" not in done.stderr


def test_workers_need_a_shared_store(tmp_path: Path) -> None:
    env = cli_env(tmp_path / "data", QUEUE_URL="redis://127.0.0.1:6379/0")
    done = subprocess.run(
        cli_command("worker"), env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2
    needs = "QUEUE_URL needs STORAGE_URL (s3://bucket): workers read the media there"
    assert done.stderr.strip() == f"Configuration error: {needs}"


def test_half_a_key_pair_stops_with_one_line(tmp_path: Path) -> None:
    env = cli_env(
        tmp_path / "data",
        QUEUE_URL="redis://127.0.0.1:6379/0",
        STORAGE_URL="s3://voiceover",
        AWS_SECRET_ACCESS_KEY="x" * 20,
    )
    done = subprocess.run(
        cli_command("worker"), env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY" in lines[0]
