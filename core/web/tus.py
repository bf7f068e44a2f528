"""A tus 1.0 server (core, creation, termination, expiration) at the signed upload link.

`/u/<ticket>?e=&s=` is the personal link: GET shows the upload page, POST creates an upload;
`/u/<ticket>/<upload>?e=&s=` (the Location we answer, same signature) takes HEAD, PATCH and
DELETE. The signature covers the ticket's path and owner, so a tampered link is 403, an old
one 410, and an upload of one ticket is unknown (404) under another. Bytes stream to disk in
chunks (never held in memory); a finished upload is handed to `on_complete`.

Why our own server: the maintained Python tus server, tuspyserver, is a FastAPI router; this
service runs one aiohttp app on one port (links, upload pages, health), so the protocol is
served here in the same app, in about two hundred lines.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
from collections.abc import Awaitable, Callable
from email.utils import formatdate
from urllib.parse import urlencode

from aiohttp import ClientPayloadError, web

from core.delivery.links import LinkSigner
from core.disk import disk_full_of, upload_check
from core.errors import ErrorCode, VoiceoverError
from core.files import safe_name
from core.web.tus_store import Ticket, TusStore, Upload, UploadTooLong

log = logging.getLogger(__name__)
TUS_VERSION = "1.0.0"
EXTENSIONS = "creation,termination,expiration"
OFFSET_TYPE = "application/offset+octet-stream"
CHUNK_BYTES = 1 << 20
MAX_OPEN_PER_LINK = 3  # unfinished uploads one link may hold (each up to MAX_UPLOAD_BYTES)
SIGNED_FOR = "UPLOAD"  # the method word in upload links' signatures (never a download link's)
Complete = Callable[[Ticket, Upload], Awaitable[None]]
Page = Callable[[web.Request, Ticket, str], Awaitable[web.StreamResponse]]


def ticket_path(ticket_id: str) -> str:
    """The path of a ticket's upload link."""
    return f"/u/{ticket_id}"


def parse_metadata(header: str) -> dict[str, str]:
    """Upload-Metadata ("key base64,key base64") as text; undecodable values are dropped."""
    found: dict[str, str] = {}
    for pair in header.split(","):
        key, _, value = pair.strip().partition(" ")
        try:
            found[key] = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            continue
    return found


def _expires_header(upload: Upload) -> str:
    return formatdate(upload.expires, usegmt=True)


class TusServer:
    """The upload link's HTTP side; `routes()` go into the link server's app."""

    def __init__(
        self,
        store: TusStore,
        signer: LinkSigner,
        max_bytes: int,
        on_complete: Complete,
        page: Page | None = None,
        refused: Callable[[int], web.Response] | None = None,  # a refused link, as a page
        reserve: int = 0,  # free bytes an upload must leave on the store's disk
    ) -> None:
        self.store, self.signer, self.max_bytes = store, signer, max_bytes
        self.on_complete, self.page, self.refused = on_complete, page, refused
        self.reserve = reserve
        self._busy: set[str] = set()

    def routes(self) -> list[web.AbstractRouteDef]:
        """The tus endpoints (and the page) for an aiohttp app."""
        one = "/u/{ticket}/{upload}"
        return [
            web.route("OPTIONS", "/u/{ticket}", self.options),
            web.route("OPTIONS", one, self.options),
            web.get("/u/{ticket}", self.show_page, allow_head=False),
            web.post("/u/{ticket}", self.create),
            web.head(one, self.head),
            web.patch(one, self.patch),
            web.delete(one, self.terminate),
        ]

    def _headers(self, **extra: str) -> dict[str, str]:
        return {"Tus-Resumable": TUS_VERSION, "Cache-Control": "no-store", **extra}

    def _answer(self, status: int, text: str = "", **headers: str) -> web.Response:
        return web.Response(status=status, text=text or None, headers=self._headers(**headers))

    async def options(self, request: web.Request) -> web.Response:
        """What this server speaks (no link needed to ask)."""
        return self._answer(
            204,
            **{
                "Tus-Version": TUS_VERSION,
                "Tus-Extension": EXTENSIONS,
                "Tus-Max-Size": str(self.max_bytes),
            },
        )

    async def _ticket(self, request: web.Request) -> Ticket | web.Response:
        """The link's ticket, or the refusal (403 tampered or unknown, 410 expired)."""
        ticket = await self.store.ticket(request.match_info["ticket"])
        if ticket is None:
            return self._answer(403, "This upload link isn't valid.")
        verdict = self.signer.check_path(
            ticket_path(ticket.id),
            ticket.owner,
            request.query.get("e", ""),
            request.query.get("s", ""),
            SIGNED_FOR,
        )
        if verdict is ErrorCode.LINK_EXPIRED:
            return self._answer(410, "This upload link has expired. Ask the bot for a new one.")
        if verdict is not ErrorCode.OK:
            return self._answer(403, "This upload link isn't valid.")
        return ticket

    async def _upload(self, request: web.Request) -> tuple[Ticket, Upload] | web.Response:
        """The link's ticket and its upload, or the refusal (412, 403, 410, 404)."""
        if request.headers.get("Tus-Resumable") != TUS_VERSION:
            return self._answer(412, "Tus-Resumable 1.0.0 only", **{"Tus-Version": TUS_VERSION})
        ticket = await self._ticket(request)
        if isinstance(ticket, web.Response):
            return ticket
        upload = await self.store.get(request.match_info["upload"])
        if upload is None or upload.ticket != ticket.id:
            return self._answer(404, "No such upload.")
        if self.store.expired(upload) and await self.store.offset(upload) < upload.length:
            await self.store.delete(upload)
            return self._answer(410, "This upload has expired.")
        return ticket, upload

    async def show_page(self, request: web.Request) -> web.StreamResponse:
        """GET on the link: the upload page (or words saying why the link can't be used)."""
        ticket = await self._ticket(request)
        if isinstance(ticket, web.Response):
            return self.refused(ticket.status) if self.refused is not None else ticket
        if self.page is None:
            return self._answer(200, "Upload with a tus 1.0 client to this address.")
        query = urlencode({"e": request.query["e"], "s": request.query["s"]})  # checked above
        return await self.page(request, ticket, f"{ticket_path(ticket.id)}?{query}")

    async def create(self, request: web.Request) -> web.Response:
        """POST: a new upload of Upload-Length bytes (413 over the limit, before any byte)."""
        if request.headers.get("Tus-Resumable") != TUS_VERSION:
            return self._answer(412, "Tus-Resumable 1.0.0 only", **{"Tus-Version": TUS_VERSION})
        ticket = await self._ticket(request)
        if isinstance(ticket, web.Response):
            return ticket
        length = request.headers.get("Upload-Length", "")
        if not (length.isascii() and length.isdigit()) or len(length) > 15:
            return self._answer(400, "Upload-Length is required (deferred length isn't).")
        if int(length) > self.max_bytes:
            return self._answer(413, f"The file is over {self.max_bytes} bytes.")
        if await self.store.open_uploads(ticket.id) >= MAX_OPEN_PER_LINK:
            return self._answer(429, "Too many unfinished uploads on this link.")
        try:
            upload_check(self.store.root, int(length), self.reserve)
        except VoiceoverError as err:
            return self._answer(507, err.message(ticket.language))
        metadata = parse_metadata(request.headers.get("Upload-Metadata", ""))
        name = safe_name(metadata.get("filename"), fallback="upload")
        upload = await self.store.create(ticket, int(length), name)
        query = request.query_string
        location = f"{self.signer.base_url}{ticket_path(ticket.id)}/{upload.id}?{query}"
        log.info("upload %s created: %s bytes", upload.id[:8], length)
        return self._answer(201, Location=location, **{"Upload-Expires": _expires_header(upload)})

    async def head(self, request: web.Request) -> web.Response:
        """HEAD: the offset to resume from."""
        found = await self._upload(request)
        if isinstance(found, web.Response):
            return found
        _, upload = found
        offset = await self.store.offset(upload)
        log.info("upload %s resumes at offset %d", upload.id[:8], offset)
        return self._answer(
            200,
            **{
                "Upload-Offset": str(offset),
                "Upload-Length": str(upload.length),
                "Upload-Expires": _expires_header(upload),
            },
        )

    async def patch(self, request: web.Request) -> web.Response:
        """PATCH: bytes at the current offset (409 elsewhere, 423 while another PATCH runs)."""
        found = await self._upload(request)
        if isinstance(found, web.Response):
            return found
        ticket, upload = found
        if request.content_type != OFFSET_TYPE:
            return self._answer(415, f"Content-Type must be {OFFSET_TYPE}")
        if upload.id in self._busy:
            return self._answer(423, "Another request is writing this upload.")
        self._busy.add(upload.id)
        try:
            return await self._append(request, ticket, upload)
        finally:
            self._busy.discard(upload.id)

    async def _append(self, request: web.Request, ticket: Ticket, upload: Upload) -> web.Response:
        offset = await self.store.offset(upload)
        if request.headers.get("Upload-Offset") != str(offset):
            return self._answer(
                409, "Upload-Offset doesn't match.", **{"Upload-Offset": str(offset)}
            )
        if offset == upload.length:
            return self._answer(204, **{"Upload-Offset": str(offset)})
        try:
            offset = await self.store.append(upload, request.content.iter_chunked(CHUNK_BYTES))
        except UploadTooLong:
            return self._answer(400, "More bytes than Upload-Length.")
        except (ClientPayloadError, ConnectionError):  # the client went away: what came stays
            offset = await self.store.offset(upload)
            log.info("upload %s: connection dropped at offset %d", upload.id[:8], offset)
            return self._answer(400, "The connection dropped.", **{"Upload-Offset": str(offset)})
        except OSError as exc:
            full = disk_full_of(exc, "upload")
            if full is None:
                raise
            await self.store.delete(upload)  # nothing half-written stays on a full disk
            return self._answer(507, full.message(ticket.language))
        if offset == upload.length:
            log.info("upload %s complete", upload.id[:8])
            await asyncio.shield(self.on_complete(ticket, upload))
        return self._answer(
            204, **{"Upload-Offset": str(offset), "Upload-Expires": _expires_header(upload)}
        )

    async def terminate(self, request: web.Request) -> web.Response:
        """DELETE: the upload and its bytes are gone."""
        found = await self._upload(request)
        if isinstance(found, web.Response):
            return found
        await self.store.delete(found[1])
        return self._answer(204)
