"""Resumable upload over loopback: throughput and the server's peak memory for a 500 MB file.

The server (the real Service, its link server and tus endpoint) runs in a child process; the
client (tuspy, 8 MB PATCHes like the upload page) sends a file of random bytes to a personal
upload link; the child's peak resident memory (VmHWM) is compared with its memory before.

Run: .venv/bin/python bench/bench_upload.py [--mb 500]   (a temporary data dir, loopback only)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tusclient.client import TusClient  # noqa: E402

from core.config import Settings  # noqa: E402
from core.ports import Incoming  # noqa: E402
from core.service import Service  # noqa: E402
from tests.fakes import RecordingChat  # noqa: E402

CHUNK = 8 * 1024 * 1024
MB = 1_000_000


def memory_kb(pid: int, field: str) -> int:
    """VmRSS or VmHWM of a process, in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} for {pid}")


async def serve(data_dir: Path) -> None:
    """The child: a Service with a registered chat; prints one upload link, then waits."""
    settings = Settings(_env_file=None, data_dir=data_dir, http_port=0)  # type: ignore[call-arg]
    async with Service(settings) as service:
        chat = RecordingChat()
        service.register_platform("bench", lambda chat_id, context: chat)
        incoming = Incoming(platform="bench", user_id="1", chat_id="c1", message_id="m1")
        url = await service.uploads.issue(incoming, "bench:1", "", "en")
        print(url, flush=True)
        await asyncio.Event().wait()


def write_random(path: Path, size: int) -> None:
    """A file of random bytes (so nothing on the way can compress it)."""
    with path.open("wb") as out:
        left = size
        while left:
            block = os.urandom(min(CHUNK, left))
            out.write(block)
            left -= len(block)


def main() -> None:
    """Start the server, upload, print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=500)
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve(args.serve))
        return
    with tempfile.TemporaryDirectory(prefix="bench-upload-") as tmp:
        root = Path(tmp)
        source = root / "upload.bin"
        write_random(source, args.mb * MB)
        child = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(root / "data")],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert child.stdout is not None
            url = child.stdout.readline().strip()
            before = memory_kb(child.pid, "VmRSS")
            uploader = TusClient(url).uploader(str(source), chunk_size=CHUNK)
            started = time.perf_counter()
            uploader.upload()
            took = time.perf_counter() - started
            peak = memory_kb(child.pid, "VmHWM")
        finally:
            child.terminate()
            child.wait(30)
    print(f"upload of {args.mb} MB over loopback in {CHUNK // (1024 * 1024)} MiB PATCHes")
    print(f"  time {took:.2f} s, throughput {args.mb / took:.0f} MB/s")
    print(f"  server memory before {before / 1024:.0f} MiB, peak {peak / 1024:.0f} MiB")
    print(f"  growth {(peak - before) / 1024:.1f} MiB (the bar: at most 64 MB)")


if __name__ == "__main__":
    main()
