"""Chat latency while renders run: /credits and status (< 200 ms), first reply (< 1 s).

Run: .venv/bin/python bench/bench_chat.py   (uses a temporary data dir, loopback only)
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bots.console import file_fetcher  # noqa: E402
from core.config import Settings  # noqa: E402
from core.ports import Attachment, Incoming, MessageRef  # noqa: E402
from core.service import Service  # noqa: E402
from tests.fakes import RecordingChat  # noqa: E402
from tests.media import make_video  # noqa: E402

LONG = " ".join(["This sentence keeps the voice busy for a good while longer."] * 20)
_ids = iter(range(1, 1_000_000))


class TimedChat(RecordingChat):
    """Notes when the first reply arrives."""

    first_at: float | None = None

    async def say(self, text: str) -> MessageRef:
        """Record the time of the first reply."""
        self.first_at = self.first_at or time.perf_counter()
        return await super().say(text)


def message(user: str, text: str, video: Path | None = None) -> Incoming:
    """One console-style message."""
    files = (
        (Attachment(video.name, video.stat().st_size, fetch=file_fetcher(video)),) if video else ()
    )
    return Incoming("bench", user, f"c{user}", str(next(_ids)), text=text, attachments=files)


async def first_reply(service: Service, incoming: Incoming) -> tuple[float, float]:
    """(seconds to the first reply, seconds to the whole answer)."""
    chat = TimedChat()
    started = time.perf_counter()
    await service.handle(incoming, chat)
    done = time.perf_counter()
    return ((chat.first_at or done) - started, done - started)


async def main() -> None:
    """Start two renders, then time answers while they run."""
    folder = Path(tempfile.mkdtemp(prefix="bench-chat-"))
    video = make_video(folder / "demo.mp4", seconds=20, size="640x360")
    settings = Settings(_env_file=None, data_dir=folder / "data")
    settings = settings.model_copy(update={"http_port": 0, "max_concurrent_jobs": 2})
    service = Service(settings)
    await service.start()
    await service.handle(
        message("probe", "Hi there, warming up the voice.", video), RecordingChat()
    )
    await service.wait_idle()
    firsts = [await first_reply(service, message(u, LONG, video)) for u in ("r1", "r2")]
    await asyncio.sleep(1.0)
    running = await service.store.fetchone("SELECT COUNT(*) AS n FROM jobs WHERE status='running'")
    credits, status = [], []
    for _ in range(20):
        credits.append((await first_reply(service, message("r1", "/credits")))[1])
        status.append((await first_reply(service, message("r2", "status")))[1])
    for text in ("/help", "slower", "export", "积分", "/stauts"):
        firsts.append(await first_reply(service, message("q", text)))
    firsts.append(await first_reply(service, message("q2", "Hello and welcome.", video)))
    print(f"renders running while measured: {running['n'] if running else 0}")
    for name, values in (("/credits", credits), ("status", status)):
        median, worst = statistics.median(values) * 1000, max(values) * 1000
        print(
            f"{name:9} median {median:6.1f} ms   max {worst:6.1f} ms   (n={len(values)}, < 200 ms)"
        )
    worst = max(first for first, _ in firsts)
    print(f"first reply: max {worst * 1000:.0f} ms over {len(firsts)} messages (target < 1000 ms)")
    await service.stop()


if __name__ == "__main__":
    asyncio.run(main())
