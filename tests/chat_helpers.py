"""Messages as an adapter would hand them to the chat core, and the script the chat tests say."""

from __future__ import annotations

import itertools
from pathlib import Path

from bots.console import file_fetcher
from core.ports import Attachment, Incoming

SCRIPT = "Hello there, and welcome to the demo of our product."
SEED = "add a natural-sounding male voiceover reading my script in English\n" + SCRIPT
_ids = itertools.count(1)


def incoming(
    text: str = "",
    *,
    user: str = "1",
    files: tuple[Path, ...] = (),
    command: str | None = None,
    lang: str = "en",
    message_id: str | None = None,
    platform: str = "telegram",
    args: dict[str, str] | None = None,
) -> Incoming:
    """One user message (a fresh message id unless given), its files as local attachments."""
    attachments = tuple(
        Attachment(name=p.name, size=p.stat().st_size, fetch=file_fetcher(p)) for p in files
    )
    return Incoming(
        platform=platform,
        user_id=user,
        chat_id=f"chat{user}",
        text=text,
        command=command,
        message_id=message_id or str(next(_ids)),
        attachments=attachments,
        language=lang,
        args=args or {},
    )
