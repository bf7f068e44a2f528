"""Personal edit links: `/e/<owner digest>/<project>?e=&s=`, signed for the project's owner and
valid for LINK_TTL_HOURS; a ticket per project (kept under DATA_DIR/edit/tickets) says which
chat the page's renders answer in. Tampered → 403, expired → 410, not that owner's → 404."""

from __future__ import annotations

import asyncio
import json
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from aiohttp import web

from core.delivery.links import LinkSigner
from core.errors import ErrorCode
from core.files import owner_digest
from core.ports import Incoming

SIGNED_FOR = "EDIT"  # the signature's "method": an edit link is no result or upload link
PROJECT = re.compile(r"^[0-9a-f]{32}$")
DIGEST = re.compile(r"^[0-9a-f]{24}$")


@dataclass(frozen=True)
class EditTicket:
    """Whose project an edit link opens, and where its renders answer."""

    owner: str
    project: str
    platform: str
    user_id: str
    chat_id: str
    language: str
    reply_context: dict[str, str] = field(default_factory=dict)

    @property
    def path(self) -> str:
        """The link's path."""
        return f"/e/{owner_digest(self.owner)}/{self.project}"


class Refused(Exception):
    """A link that can't be used: its HTTP status and why."""

    def __init__(self, status: int, verdict: ErrorCode) -> None:
        super().__init__(status)
        self.status, self.verdict = status, verdict


class EditTickets:
    """Issues edit links and checks them."""

    def __init__(self, folder: Path, signer: LinkSigner) -> None:
        self.folder, self.signer = folder, signer

    async def issue(self, incoming: Incoming, owner: str, project: str, language: str) -> str:
        """A signed link to `project`'s edit page for `owner` (renders answer in this chat)."""
        ticket = EditTicket(
            owner,
            project,
            incoming.platform,
            incoming.user_id,
            incoming.chat_id,
            language,
            dict(incoming.reply_context),
        )
        await asyncio.to_thread(self._write, ticket)
        return self.signer.sign(ticket.path, owner, SIGNED_FOR)

    def _write(self, ticket: EditTicket) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        staged = self.folder / f".{ticket.project}.json"
        staged.write_text(json.dumps(asdict(ticket)), encoding="utf-8")
        os.replace(staged, self.folder / f"{ticket.project}.json")

    def _read(self, project: str) -> EditTicket | None:
        try:
            data = json.loads((self.folder / f"{project}.json").read_text(encoding="utf-8"))
            return EditTicket(**data)
        except (OSError, ValueError, TypeError):
            return None

    async def check(self, request: web.Request) -> EditTicket:
        """The ticket of a valid link, else Refused: a malformed or tampered link 403, an
        expired one 410, a project that is not the link's owner's (or no longer exists) 404."""
        digest, project = request.match_info["owner"], request.match_info["project"]
        if not (DIGEST.fullmatch(digest) and PROJECT.fullmatch(project)):
            raise Refused(403, ErrorCode.LINK_INVALID)
        ticket = await asyncio.to_thread(self._read, project)
        if ticket is None or owner_digest(ticket.owner) != digest:
            raise Refused(404, ErrorCode.NO_PROJECT)
        query = request.query
        verdict = self.signer.check_path(
            ticket.path, ticket.owner, query.get("e", ""), query.get("s", ""), SIGNED_FOR
        )
        if verdict is ErrorCode.LINK_EXPIRED:
            raise Refused(410, verdict)
        if verdict is not ErrorCode.OK:
            raise Refused(403, verdict)
        return ticket
