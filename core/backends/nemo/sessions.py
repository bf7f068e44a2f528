"""What the NemoVideo backend keeps on disk: its client id and token, and a session per owner.

Both are small JSON files in settings.data_dir, written atomically with mode 0600.
"""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

CLIENT_FILE = "nemo_client.json"
SESSIONS_FILE = "nemo_sessions.json"


def read_json(path: Path) -> dict[str, Any]:
    """The JSON object in `path`, or {} when it is missing or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_private_json(path: Path, data: dict[str, Any]) -> None:
    """Write `data` to `path` atomically, readable by the owner only (0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle)
    os.replace(temp, path)


class ClientIdentity:
    """The anonymous client id (a UUID, made once) and the token issued for it."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / CLIENT_FILE
        saved = read_json(self.path)
        self.client_id: str = str(saved.get("client_id") or "")
        self.token: str = str(saved.get("token") or "")

    async def ensure_client_id(self) -> str:
        """The persisted client id, generated and saved on first use."""
        if not self.client_id:
            await self.new_client_id()
        return self.client_id

    async def new_client_id(self) -> str:
        """Replace the client id (after the API said it was missing or bad)."""
        self.client_id, self.token = str(uuid.uuid4()), ""
        await self._save()
        return self.client_id

    async def set_token(self, token: str) -> None:
        """Remember the token issued for the client id."""
        self.token = token
        await self._save()

    async def _save(self) -> None:
        data = {"client_id": self.client_id, "token": self.token}
        await asyncio.to_thread(write_private_json, self.path, data)


@dataclass
class SessionInfo:
    """One cloud project session."""

    session_id: str
    task_id: str = ""
    owner: str = ""
    language: str = "en"
    bind_id: str = ""


class SessionBook:
    """owner → current session, and old session ids → their replacement after a 1002."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / SESSIONS_FILE
        saved = read_json(self.path)
        sessions = saved.get("sessions") if isinstance(saved.get("sessions"), dict) else {}
        self.sessions: dict[str, SessionInfo] = {}
        for sid, info in (sessions or {}).items():
            if isinstance(info, dict):
                known = {k: str(v) for k, v in info.items() if k in SessionInfo.__annotations__}
                self.sessions[sid] = SessionInfo(**{**known, "session_id": sid})
        owners = saved.get("owners")
        self.owners: dict[str, str] = dict(owners) if isinstance(owners, dict) else {}
        aliases = saved.get("aliases")
        self.aliases: dict[str, str] = dict(aliases) if isinstance(aliases, dict) else {}

    def resolve(self, session_id: str) -> str:
        """The live session for an id the caller holds (following replacements)."""
        seen = {session_id}
        while session_id in self.aliases and self.aliases[session_id] not in seen:
            session_id = self.aliases[session_id]
            seen.add(session_id)
        return session_id

    def for_owner(self, owner: str) -> SessionInfo | None:
        """The owner's current session, if any."""
        sid = self.owners.get(owner)
        return self.sessions.get(self.resolve(sid)) if sid else None

    def info(self, session_id: str) -> SessionInfo:
        """What is known of a session (a bare record for ids we never created)."""
        sid = self.resolve(session_id)
        return self.sessions.get(sid) or SessionInfo(session_id=sid)

    async def add(self, info: SessionInfo, replaces: str | None = None) -> None:
        """Record a new session, for its owner and in place of `replaces`."""
        self.sessions[info.session_id] = info
        if info.owner:
            self.owners[info.owner] = info.session_id
        if replaces and replaces != info.session_id:
            self.aliases[replaces] = info.session_id
        data = {
            "sessions": {sid: asdict(s) for sid, s in self.sessions.items()},
            "owners": self.owners,
            "aliases": self.aliases,
        }
        await asyncio.to_thread(write_private_json, self.path, data)
