"""The API's chat: a Chat port that keeps what the core said (for the API's answers) and sends
nothing; and the per-request project session an API job is made in."""

from __future__ import annotations

import collections
import time
from collections.abc import Sequence
from pathlib import Path

from core.chat.sessions import Sessions
from core.ports import MessageRef, VideoReply, VoiceNote
from core.store import Row

PLATFORM = "api"
KEPT_LINES = 20  # what a request said last (its refusal, if any); older lines are dropped


class ApiChat:
    """What the core says while an API request is handled and its job runs: kept, not sent."""

    upload_limit = 0  # results are links (GET /api/v1/jobs/{id}/result)

    def __init__(self) -> None:
        self.lines: collections.deque[str] = collections.deque(maxlen=KEPT_LINES)

    @property
    def last(self) -> str:
        """The last thing said ('' when nothing)."""
        return self.lines[-1] if self.lines else ""

    async def say(self, text: str) -> MessageRef:
        """Keep the text."""
        self.lines.append(text)
        return MessageRef(PLATFORM, str(len(self.lines)))

    async def edit(self, ref: MessageRef, text: str) -> None:
        """Keep the new text."""
        self.lines.append(text)

    async def refuse(self, text: str) -> None:
        """Keep the refusal."""
        self.lines.append(text)

    async def send_video(self, video: VideoReply) -> None:
        """Never called (the upload limit is 0)."""

    async def send_link(self, url: str, caption: str) -> None:
        """Nothing: the job's JSON has its own link (and its webhook is in the outbox)."""

    async def send_voice(self, note: VoiceNote) -> None:
        """Nothing: the API has no voice messages."""

    async def send_image(self, path: Path, caption: str) -> None:
        """Nothing: the API has no pictures."""

    async def send_file(self, path: Path, caption: str) -> None:
        """Keep the caption (transcripts come from POST /transcriptions once it exists)."""
        self.lines.append(caption)

    async def offer_link(self, text: str, url: str, label: str) -> None:
        """Keep the text."""
        self.lines.append(text)

    async def ask(self, text: str, answers: Sequence[tuple[str, str]]) -> None:
        """Keep the question (a request that needs one makes no job: it is refused with it)."""
        self.lines.append(text)

    async def working(self) -> None:
        """Nothing to show."""


def api_chat(chat_id: str, context: object) -> ApiChat:
    """The ChatFactory of the API platform (after a restart: a job's chat is a new ApiChat)."""
    return ApiChat()


class RequestSessions(Sessions):
    """Sessions for one API request: its own new project (not the account's chat project);
    the account's language and pronunciation fixes are the chats' own."""

    def __init__(self, sessions: Sessions) -> None:
        super().__init__(sessions.store)
        self._row: Row | None = None

    async def current(self, owner: str) -> Row | None:
        """This request's session, once opened."""
        return dict(self._row) if self._row is not None else None

    async def start(self, owner: str, session_id: str, language: str) -> None:
        """Open this request's session."""
        self._row = {
            "owner": owner,
            "session_id": session_id,
            "language": language,
            "last_fp": None,
            "last_job": None,
            "updated": time.time(),
        }

    async def forget(self, owner: str) -> None:
        """The backend lost it."""
        self._row = None

    async def rendered(self, owner: str, fingerprint: str, job_id: str) -> None:
        """The request's render."""
        if self._row is not None:
            self._row.update(last_fp=fingerprint, last_job=job_id, updated=time.time())

    async def heard(self, owner: str, language: str) -> None:
        """A script's language does not change the account's reply language."""
