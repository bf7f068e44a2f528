"""The backend protocol, mirroring the NemoVideo API: session, upload, message, state, export."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from core.engine.model import RenderResult, VoiceInfo
from core.errors import VoiceoverError
from core.words.notes import Note

Draft = dict[str, Any]
"""A NemoVideo draft timeline: t (tracks), tt (0 video, 1 audio, 7 text), sg, d (ms), m."""


class EventKind(StrEnum):
    TEXT = "text"  # words for the user (already GUI-translated)
    TOOL = "tool"  # tool activity: never shown
    HEARTBEAT = "heartbeat"  # still alive, nothing to show
    PROGRESS = "progress"  # stage and percent
    DONE = "done"  # the turn is complete
    # The local engine says what a message was (a cloud agent's turn has none of these):
    EDIT = "edit"  # read as an edit of the draft: render it (or resend it if it is unchanged)
    HOLD = "hold"  # answered (a question, a request it can't do, undo): render nothing
    ASK = "ask"  # its text is a yes/no question to the user; nothing renders until answered


@dataclass(frozen=True)
class BackendEvent:
    """One event of a streamed reply."""

    kind: EventKind
    text: str = ""
    stage: str = ""
    percent: float | None = None


@dataclass(frozen=True)
class Credits:
    """A balance: available to spend, frozen by running work, and their total."""

    available: int
    frozen: int
    total: int
    unlimited: bool = False


@dataclass(frozen=True)
class UploadResult:
    """What an upload became."""

    kind: str  # "video", "image", "audio", "script"
    name: str
    summary: str  # one line for the user, e.g. "🎬 Got demo.mov: 1:02, 1080×1920"


@dataclass(frozen=True)
class StoredFile:
    """A file the chat received, kept in the media store under `key` (handed to the backend)."""

    key: str


@dataclass(frozen=True)
class Pinned:
    """What a render job renders: the draft as it was when the user asked, and its inputs.

    `payload` is the backend's own record of everything the render reads (JSON), so the job
    renders exactly that on any process at any later time, whatever the session became.
    """

    draft: Draft
    payload: dict[str, Any] = field(default_factory=dict)
    lexicon: list[list[str]] = field(default_factory=list)  # the user's fixes: [[word, say]]

    def to_record(self) -> dict[str, Any]:
        """As stored with the job."""
        return {"draft": self.draft, "payload": self.payload, "lexicon": self.lexicon}

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Pinned:
        """Back from the job's record."""
        return cls(
            dict(record.get("draft") or {}),
            dict(record.get("payload") or {}),
            [list(pair) for pair in record.get("lexicon") or []],
        )


class RenderState(StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"


@dataclass(frozen=True)
class RenderHandle:
    """An export in progress."""

    id: str
    session_id: str


@dataclass(frozen=True)
class RenderStatus:
    """Where an export is: progress, then a local file or a download URL."""

    state: RenderState
    percent: float = 0.0
    stage: str = ""
    path: Path | None = None
    url: str | None = None
    error: VoiceoverError | None = None
    duration_s: float = 0.0
    width: int = 0
    height: int = 0
    size_bytes: int = 0
    project_url: str | None = None  # where the user can open the project (cloud editor)
    warning: Note | None = None  # what the user should know about how it was made
    voices: tuple[str, ...] = ()  # the voices that read it, in order of first use
    narration_s: float = 0.0  # the narration it produced (what credits are settled on)
    sync: dict[str, Any] | None = None  # laid on the shots: paragraphs, shots, holds


class Backend(Protocol):
    """What the core needs from a voiceover backend. Errors are raised as VoiceoverError."""

    name: str
    speaks_lexicon: bool  # True when its voices take the users' pronunciation fixes
    can_preview: bool  # offers preview() (the local engine; not the cloud)
    can_grant: bool  # offers grant(): credits from its own ledger (the local engine)
    poll_interval_s: float  # how often the render job asks how an export is going

    def voices(self) -> list[VoiceInfo]:
        """The installed voices ([] when the backend's voices are not ours to list)."""
        ...

    async def grant(self, owner: str, amount: int, ref: str) -> Credits:
        """Add credits to an owner's balance, once per ref (when can_grant)."""
        ...

    async def preview(
        self, session_id: str, out: Path, lexicon: list[list[str]] | None = None
    ) -> RenderResult:
        """A quick, free proof of the project written to `out` (when can_preview)."""
        ...

    async def open_session(self, owner: str, language: str) -> str:
        """Start a project session; returns its id."""
        ...

    async def upload(
        self, session_id: str, source: StoredFile | Path | str, name: str, role: str | None = None
    ) -> UploadResult:
        """Add a stored file (now the backend's: kept or deleted), a local file (copied) or an
        http(s) URL. `role` is the chat's hint (music, narration…). Refused: deleted at once."""
        ...

    def send(self, session_id: str, text: str) -> AsyncIterator[BackendEvent]:
        """Send one user message; stream the reply. Never re-sent by the caller."""
        ...

    async def state(self, session_id: str) -> Draft:
        """The session's current draft timeline."""
        ...

    async def credits(self, owner: str) -> Credits:
        """The owner's balance."""
        ...

    async def snapshot(self, session_id: str) -> Pinned:
        """The session as it is now, pinned for a render job (its draft and its inputs)."""
        ...

    async def reserve(self, owner: str, ref: str, pinned: Pinned) -> None:
        """Hold what the job `ref` will cost (NO_CREDITS when short), before it is queued."""
        ...

    async def release(self, owner: str, ref: str, pinned: Pinned) -> None:
        """A job ended: give back what it still holds (frozen credits, pinned files)."""
        ...

    async def settle(self, owner: str, ref: str, narration_s: float) -> None:
        """Charge a job rendered elsewhere (a worker) for the narration it produced."""
        ...

    async def sweep_pins(self, keep: set[object]) -> int:
        """Delete pinned inputs no waiting or running job refers to; returns how many."""
        ...

    async def sweep_renders(self, keep: set[str]) -> int:
        """Delete finished renders' files whose handle no waiting or running job has in `keep`
        (a killed or superseded attempt's, whose job went on elsewhere); returns how many."""
        ...

    async def set_language(self, session_id: str, language: str) -> None:
        """The language the backend's own words about the session are written in."""
        ...

    async def export(
        self, session_id: str, pinned: Pinned | None = None, ref: str | None = None
    ) -> RenderHandle:
        """Start rendering `pinned` (default: the session now); `ref` names its credits."""
        ...

    async def render_status(self, handle: RenderHandle) -> RenderStatus:
        """Poll an export."""
        ...

    async def cancel(self, handle: RenderHandle) -> None:
        """Stop an export if the backend can (releasing what it froze)."""
        ...

    async def aclose(self) -> None:
        """Release connections and workers."""
        ...
