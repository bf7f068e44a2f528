"""The upload desk: personal upload links out, finished browser uploads back into the chat.

A finished upload enters the chat flow exactly as a file sent in chat: an Incoming from the
ticket's user, in the ticket's chat, carrying the file as an attachment and the kept caption
as its text; its message id ("upload:<id>") makes a second hand-off (after a restart) a no-op.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web

from core.clock import Clock
from core.delivery.links import LinkSigner
from core.errors import too_large
from core.ports import Attachment, Chat, Fetch, Incoming
from core.web.pages import refused_upload_page, static_routes, upload_page
from core.web.tus import SIGNED_FOR, TusServer, ticket_path
from core.web.tus_store import Ticket, TusStore, Upload
from core.work.chats import ChatDirectory

log = logging.getLogger(__name__)
Accept = Callable[[Incoming, Chat], Awaitable[None]]
DEFAULT_NAME = "upload"


class UploadDesk:
    """Issues upload links and hands finished uploads to `accept` (the service's)."""

    def __init__(
        self,
        root: Path,
        signer: LinkSigner,
        clock: Clock,
        max_bytes: int,
        chats: ChatDirectory,
        accept: Accept,
        reserve: int = 0,
    ) -> None:
        self.signer, self.chats, self.accept = signer, chats, accept
        self.store = TusStore(root, clock, signer.ttl_s)
        page = upload_page(max_bytes)
        self.server = TusServer(
            self.store, signer, max_bytes, self._complete, page, refused_upload_page, reserve
        )
        self._tasks: set[asyncio.Task[None]] = set()

    def routes(self) -> list[web.AbstractRouteDef]:
        """The upload link's routes (tus and its page) and the pages' static files."""
        return [*self.server.routes(), *static_routes()]

    async def issue(self, incoming: Incoming, owner: str, caption: str, language: str) -> str:
        """A signed, expiring upload link for this user and chat (the caption kept)."""
        ticket = await self.store.issue(
            owner=owner,
            platform=incoming.platform,
            user_id=incoming.user_id,
            chat_id=incoming.chat_id,
            language=language,
            caption=caption,
            reply_context=dict(incoming.reply_context),
        )
        return self.signer.sign(ticket_path(ticket.id), owner, SIGNED_FOR)

    async def _complete(self, ticket: Ticket, upload: Upload) -> None:
        """All bytes are in: the file goes to the ticket's chat as if sent there."""
        chat = self.chats.for_chat(ticket.platform, ticket.chat_id, ticket.reply_context)
        if chat is None:
            log.info("upload %s waits for %s to connect", upload.id[:8], ticket.platform)
            return
        handled = self.accept(handoff_incoming(ticket, upload, self.store), chat)
        task = asyncio.ensure_future(self._forget_after(upload, handled))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _forget_after(self, upload: Upload, handled: Awaitable[None]) -> None:
        try:
            await handled
        except Exception:  # the lane logged it and told the user
            log.warning("upload %s: its message failed", upload.id[:8], exc_info=True)
        await self.store.delete(upload)  # not when cancelled: a restart hands it off again

    async def hand_off_waiting(self, platform: str) -> int:
        """Finished uploads for a platform that just connected (after a restart); how many."""
        count = 0
        for upload in await self.store.complete():
            ticket = await self.store.ticket(upload.ticket)
            if ticket is not None and ticket.platform == platform:
                await self._complete(ticket, upload)
                count += 1
        return count

    async def expire(self) -> int:
        """Remove expired incomplete uploads (and old tickets); returns how many uploads."""
        return await self.store.expire()

    async def settled(self) -> None:
        """Until every hand-off under way has been handled (and its upload removed)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def aclose(self) -> None:
        """Wait for hand-offs under way to be accepted (their work goes on in the lanes)."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


def handoff_incoming(ticket: Ticket, upload: Upload, store: TusStore) -> Incoming:
    """The message a finished upload becomes: its file, and the kept caption as the text."""
    name = upload.name or DEFAULT_NAME
    fetch = _fetch_from(store.data_path(upload), name)
    return Incoming(
        platform=ticket.platform,
        user_id=ticket.user_id,
        chat_id=ticket.chat_id,
        message_id=f"upload:{upload.id}",
        text=ticket.caption,
        # no size: the bytes are on this disk already (linked in), so intake asks no new room
        attachments=(Attachment(name=name, size=None, fetch=fetch),),
        language=ticket.language,
        reply_context=ticket.reply_context,
    )


def _fetch_from(source: Path, name: str) -> Fetch:
    """A Fetch that links (or copies) the uploaded bytes to where intake wants them."""

    async def fetch(dest: Path, max_bytes: int) -> None:
        size = (await asyncio.to_thread(source.stat)).st_size
        if size > max_bytes:
            raise too_large(name, size, max_bytes)
        await asyncio.to_thread(_link_or_copy, source, dest)

    return fetch


def _link_or_copy(source: Path, dest: Path) -> None:
    try:
        os.link(source, dest)
    except OSError:
        shutil.copyfile(source, dest)
