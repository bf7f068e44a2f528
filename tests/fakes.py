"""Test doubles for the chat port and the clock (like errbot's TestBackend)."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from core.ports import MessageRef, VideoReply, VoiceNote


@dataclass
class Sent:
    """One call the core made on a RecordingChat."""

    kind: str  # "say", "edit", "video", "link", "voice", "working"
    text: str = ""
    ref: MessageRef | None = None
    video: VideoReply | None = None
    url: str = ""
    voice: VoiceNote | None = None


@dataclass
class RecordingChat:
    """A Chat that records every call; `texts` gives what the user would read."""

    chat_id: str = "c1"
    upload_limit: int = 50_000_000
    calls: list[Sent] = field(default_factory=list)
    messages: dict[str, str] = field(default_factory=dict)
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    labels: list[str] = field(default_factory=list)
    asked: list[list[str]] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def _record(self, sent: Sent) -> None:
        self.calls.append(sent)
        self.changed.set()

    async def say(self, text: str) -> MessageRef:
        """Record a message."""
        ref = MessageRef(self.chat_id, str(next(self._ids)))
        self.messages[ref.message_id] = text
        self._record(Sent("say", text, ref))
        return ref

    async def edit(self, ref: MessageRef, text: str) -> None:
        """Record an edit (and refuse identical text, as Telegram does)."""
        if self.messages.get(ref.message_id) == text:
            raise AssertionError(f"edit to identical text: {text!r}")
        self.messages[ref.message_id] = text
        self._record(Sent("edit", text, ref))

    async def refuse(self, text: str) -> None:
        """Record a refusal of bad input (what the user reads, as 'refuse')."""
        self._record(Sent("refuse", text))

    async def send_video(self, video: VideoReply) -> None:
        """Record a video upload."""
        self._record(Sent("video", video.caption, video=video))

    async def send_link(self, url: str, caption: str) -> None:
        """Record a link."""
        self._record(Sent("link", caption, url=url))

    async def send_voice(self, note: VoiceNote) -> None:
        """Record a voice message (its caption is what the user reads)."""
        self._record(Sent("voice", note.caption, voice=note))

    @property
    def voices(self) -> list[VoiceNote]:
        """The voice messages sent, in order."""
        return [c.voice for c in self.calls if c.voice is not None]

    async def send_image(self, path: Path, caption: str) -> None:
        """Record a picture (kind 'image', its path in `url`)."""
        self._record(Sent("image", caption, url=str(path)))

    async def send_file(self, path: Path, caption: str) -> None:
        """Record a document (kind 'file', its path in `url`)."""
        self._record(Sent("file", caption, url=str(path)))

    async def offer_link(self, text: str, url: str, label: str) -> None:
        """Record a personal link offered with a button (kind 'offer', the label in `ref`)."""
        self._record(Sent("offer", f"{text}\n{url}", url=url))
        self.labels.append(label)

    async def ask(self, text: str, answers: Sequence[tuple[str, str]]) -> None:
        """Record a question (kind 'ask'); its answers' replies go in `asked`."""
        self._record(Sent("ask", text))
        self.asked.append([reply for _, reply in answers])

    async def working(self) -> None:
        """Record the typing signal."""
        self._record(Sent("working"))

    @property
    def texts(self) -> list[str]:
        """Every text shown: messages, edits, captions."""
        return [
            c.text
            for c in self.calls
            if c.kind in ("say", "refuse", "edit", "video", "link", "voice", "offer", "ask")
        ]

    @property
    def all_text(self) -> str:
        """Everything shown, one string."""
        return "\n".join(self.texts)

    def count(self, kind: str) -> int:
        """How many calls of one kind."""
        return sum(1 for c in self.calls if c.kind == kind)

    @property
    def results(self) -> list[Sent]:
        """Videos and links delivered."""
        return [c for c in self.calls if c.kind in ("video", "link")]

    async def wait_for(self, predicate: object, limit_s: float = 60.0) -> None:
        """Wait until predicate(self) is true."""
        assert callable(predicate)
        async with asyncio.timeout(limit_s):
            while not predicate(self):
                self.changed.clear()
                await self.changed.wait()


class FakeClock:
    """A clock that moves only when told: sleepers wake as advance() passes their deadline."""

    def __init__(self, start: float = 1_000_000.0) -> None:
        self._now = start
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()
        self._slept = asyncio.Event()

    def now(self) -> float:
        """The fake time."""
        return self._now

    async def sleep(self, seconds: float) -> None:
        """Wait until the fake time has advanced by `seconds`."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self._now + max(0.0, seconds), next(self._seq), future))
        self._slept.set()
        await future

    @property
    def sleeping(self) -> int:
        """How many sleepers are waiting for the fake time to pass."""
        return sum(1 for _, _, future in self._sleepers if not future.done())

    async def until_sleeping(self, count: int = 1, within_s: float = 60.0) -> None:
        """Wait (for real, at most within_s) until `count` sleepers wait on this clock."""
        try:
            async with asyncio.timeout(within_s):
                while self.sleeping < count:
                    self._slept.clear()
                    await self._slept.wait()
        except TimeoutError:
            raise AssertionError(f"{count} sleeper(s) expected, {self.sleeping} seen") from None

    async def advance(self, seconds: float, step: float = 0.5) -> None:
        """Move time forward in steps, letting woken tasks run after each."""
        target = self._now + seconds
        while self._now < target:
            self._now = min(target, self._now + step)
            while self._sleepers and self._sleepers[0][0] <= self._now:
                _, _, future = heapq.heappop(self._sleepers)
                if not future.done():
                    future.set_result(None)
            for _ in range(5):
                await asyncio.sleep(0)


def tree_files(root: Path) -> list[Path]:
    """Every file under root (for leak checks)."""
    return sorted(p for p in root.rglob("*") if p.is_file())
