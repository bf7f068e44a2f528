"""The labelled message corpora, and one user's project driven through the real chat flow
(a Service with its store open and no job runner: renders are queued, never run)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.backends.local.backend import LocalBackend
from core.backends.local.project import Project
from core.service import Service
from tests.chat_helpers import incoming
from tests.fakes import RecordingChat

CORPORA = Path(__file__).parent / "corpus"
TUNED = CORPORA / "messages.tsv"
HELD_OUT = CORPORA / "heldout.tsv"
LABELS = ("instruction", "script", "chat", "unsupported", "mixed")


def load(path: Path) -> list[tuple[str, str]]:
    """(label, text) pairs; '\\n' in a line is a line break."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            label, text = line.split("\t", 1)
            assert label in LABELS, line
            rows.append((label, text.replace("\\n", "\n")))
    return rows


@dataclass(frozen=True)
class Snapshot:
    """What a message must not change unless it edits the draft."""

    options: Any
    script: Any
    jobs: int
    credits: tuple[int, int]


@dataclass
class Turned:
    """One message's effect: what was said, the project before and after."""

    said: list[str]
    asked: bool
    before: Snapshot
    after: Snapshot
    refused: bool = False


@dataclass
class User:
    """One user of the Service, with a project (a video and a script, or nothing)."""

    service: Service
    chat: RecordingChat = field(default_factory=RecordingChat)
    user: str = "corpus"
    missed: list[str] = field(default_factory=list)  # what a corpus run got wrong

    @property
    def backend(self) -> LocalBackend:
        """The Service's local backend."""
        assert isinstance(self.service.backend, LocalBackend)
        return self.service.backend

    async def project(self) -> Project:
        """The user's current project."""
        session = await self.service.flows.deps.sessions.current(f"telegram:{self.user}")
        assert session is not None
        return await self.backend._project(session["session_id"])

    async def snapshot(self) -> Snapshot:
        """The project's draft, the jobs and the credits now."""
        session = await self.service.flows.deps.sessions.current(f"telegram:{self.user}")
        project = await self.project() if session is not None else None
        jobs = await self.service.store.fetchall("SELECT id FROM jobs")
        credits = await self.backend.credits(f"telegram:{self.user}")
        return Snapshot(
            project and project.options,
            project and project.script_obj,
            len(jobs),
            (credits.available, credits.frozen),
        )

    async def say(self, text: str = "", files: tuple[Path, ...] = ()) -> Turned:
        """Send one message; what it said and changed."""
        before = await self.snapshot()
        start, asks = len(self.chat.calls), len(self.chat.asked)
        await self.service.handle(incoming(text, user=self.user, files=files), self.chat)
        calls = self.chat.calls[start:]
        said = [c.text for c in calls if c.kind in ("say", "refuse", "ask", "offer")]
        refused = any(c.kind == "refuse" for c in calls)
        return Turned(said, len(self.chat.asked) > asks, before, await self.snapshot(), refused)
