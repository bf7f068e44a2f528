"""Signed, expiring, per-owner download links and the small HTTP server that honours them."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Protocol
from urllib.parse import urlencode

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from core.clock import Clock
from core.config import Settings
from core.errors import ErrorCode
from core.words.errors import message_for

log = logging.getLogger(__name__)
http_log = logging.getLogger(f"{__name__}.http")
"""The link server's aiohttp logger (aiohttp.server's records, as one line for bad requests)."""
JOB_ID = re.compile(r"^[0-9a-f]{32}$")
EXPIRES = re.compile(r"[0-9]{1,12}")  # ASCII digits only: str.isdigit() also accepts "²"
SIGNATURE = re.compile(r"[0-9a-f]{64}")  # compare_digest refuses non-ASCII text
Resolve = Callable[[str], Awaitable[tuple[str, Path | str | None] | None]]
"""job id → (owner, result file, or a URL to send the user on to (an object store's presigned
one), or None once it aged out) for a job with a result, else None."""


def load_link_key(settings: Settings) -> bytes:
    """The link key: LINK_SECRET, or one generated once and kept in data_dir (mode 0600)."""
    if settings.link_secret is not None and settings.link_secret.get_secret_value():
        return settings.link_secret.get_secret_value().encode()
    path = settings.data_dir / "link.key"
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as handle:
        handle.write(secrets.token_hex(32).encode())
    return path.read_bytes().strip()


class Address:
    """Where the link server is reached: the configured base URL, or (port 0) the one the server
    was given when it started listening (told by LinkServer.start, read by the signer)."""

    def __init__(self, base_url: str, host: str = "", port: int | None = None) -> None:
        self._base_url, self.host, self.port = base_url.rstrip("/"), host, port
        self._given: int | None = None

    @property
    def base_url(self) -> str:
        """The configured base URL, or http://host:port once a server asked for port 0
        listens."""
        return f"http://{self.host}:{self._given}" if self._given else self._base_url

    def listening(self, port: int) -> None:
        """The server listens on `port` (what port 0 became)."""
        if self.port == 0:
            self._given = port


class LinkSigner:
    """HMAC-SHA256 over (method, path, expiry, owner)."""

    def __init__(
        self, key: bytes, base_url: str, ttl_s: float, clock: Clock, address: Address | None = None
    ) -> None:
        self.key = key
        self._address = address or Address(base_url)  # `address`: the server's, port 0 too
        self.ttl_s = ttl_s
        self.clock = clock

    @property
    def base_url(self) -> str:
        """Where the links point (the link server's address)."""
        return self._address.base_url

    @base_url.setter
    def base_url(self, value: str) -> None:
        self._address = Address(value)

    def _signature(self, path: str, expires: int, owner: str, method: str = "GET") -> str:
        message = f"{method}\n{path}\n{expires}\n{owner}".encode()
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()

    def url(self, job_id: str, owner: str) -> str:
        """A link to job_id's result for owner, valid for the configured time."""
        return self.sign(f"/r/{job_id}", owner)

    def sign(self, path: str, owner: str, method: str = "GET") -> str:
        """The full signed URL of `path` for owner (`method` names what the link is for)."""
        expires = int(self.clock.now() + self.ttl_s)
        query = urlencode({"e": expires, "s": self._signature(path, expires, owner, method)})
        return f"{self.base_url}{path}?{query}"

    def check(self, job_id: str, owner: str, expires: str, signature: str) -> ErrorCode:
        """OK, LINK_INVALID or LINK_EXPIRED (the signature is checked before the expiry)."""
        if not JOB_ID.fullmatch(job_id):
            return ErrorCode.LINK_INVALID
        return self.check_path(f"/r/{job_id}", owner, expires, signature)

    def check_path(
        self, path: str, owner: str, expires: str, signature: str, method: str = "GET"
    ) -> ErrorCode:
        """OK, LINK_INVALID or LINK_EXPIRED for a link made by `sign`."""
        if not (EXPIRES.fullmatch(expires) and SIGNATURE.fullmatch(signature)):
            return ErrorCode.LINK_INVALID
        expected = self._signature(path, int(expires), owner, method)
        if not hmac.compare_digest(expected, signature):
            return ErrorCode.LINK_INVALID
        if int(expires) < self.clock.now():
            return ErrorCode.LINK_EXPIRED
        return ErrorCode.OK


class ResultPages(Protocol):
    """The result page of a result link (core/web/result_page.py), for browsers."""

    async def page(
        self, request: web.Request, job_id: str, where: Path | str
    ) -> web.StreamResponse:
        """The page: a player, a download button, length, size, the script, the timeline (the
        result a local file, or the presigned URL of an object store)."""
        ...

    async def timeline(self, job_id: str) -> Path | None:
        """The job's timeline picture (drawn once), or None."""
        ...

    def refusal(self, status: int, verdict: ErrorCode) -> web.Response:
        """A refused link in words, as a page."""
        ...


def wants_html(request: web.Request) -> bool:
    """True for a browser opening the link (it asks for HTML); download tools get the file."""
    return "text/html" in request.headers.get("Accept", "")


class _ResultLinks:
    """The handlers of result links (see link_app)."""

    def __init__(self, signer: LinkSigner, resolve: Resolve, pages: ResultPages | None) -> None:
        self.signer, self.resolve, self.pages = signer, resolve, pages

    async def verified(self, request: web.Request) -> tuple[str, Path | str] | web.Response:
        """The link's job and its result (a file, or an object store's presigned URL), or the
        refusal (403 tampered, 410 expired)."""
        job_id = request.match_info["job_id"]
        found = await self.resolve(job_id) if JOB_ID.match(job_id) else None
        verdict = ErrorCode.LINK_INVALID
        if found is not None:
            owner, path = found
            query = request.query
            verdict = self.signer.check(job_id, owner, query.get("e", ""), query.get("s", ""))
            if verdict is ErrorCode.OK:
                if isinstance(path, str) or (path is not None and path.is_file()):
                    return job_id, path
                verdict = ErrorCode.LINK_EXPIRED
        status = 410 if verdict is ErrorCode.LINK_EXPIRED else 403
        if self.pages is not None and wants_html(request):
            return self.pages.refusal(status, verdict)
        return web.Response(status=status, text=message_for(verdict))

    async def serve(self, request: web.Request) -> web.StreamResponse:
        """One result link: the page for a browser, else the file."""
        found = await self.verified(request)
        if isinstance(found, web.Response):
            return found
        job_id, path = found
        shown = self.pages is not None and request.query.get("download") != "1"
        play = shown and request.query.get("play") == "1"
        if self.pages is not None and shown and not play and wants_html(request):
            return await self.pages.page(request, job_id, path)
        if isinstance(path, str):
            raise web.HTTPFound(path)  # in an object store: its presigned URL
        if play:
            return web.FileResponse(path, headers={"Cache-Control": "private, no-store"})
        headers = {"Content-Disposition": f'attachment; filename="voiceover-{job_id[:8]}.mp4"'}
        return web.FileResponse(path, headers=headers)

    async def timeline(self, request: web.Request) -> web.StreamResponse:
        """The result's timeline picture (same link, same checks)."""
        found = await self.verified(request)
        if isinstance(found, web.Response):
            return found
        picture = await self.pages.timeline(found[0]) if self.pages is not None else None
        if picture is None:
            return web.Response(status=404, text="no timeline")
        return web.FileResponse(picture, headers={"Content-Type": "image/png"})


def link_app(
    signer: LinkSigner, resolve: Resolve, pages: ResultPages | None = None
) -> web.Application:
    """The aiohttp app serving GET /r/{job_id}?e=&s=: the file as an attachment; with pages,
    a browser gets the result page (the MP4 stays at ?download=1; ?play=1 streams it inline
    with Range requests) and /r/{job_id}/timeline.png the timeline picture."""
    links = _ResultLinks(signer, resolve, pages)
    app = web.Application()
    app.router.add_get("/r/{job_id}", links.serve)
    if pages is not None:
        app.router.add_get("/r/{job_id}/timeline.png", links.timeline)
    return app


class MalformedRequestsInOneLine(logging.Filter):
    """A request aiohttp could not parse (a scanner, TLS on a plain port) becomes one INFO
    line instead of an error with a traceback; errors of our own handlers keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite a parse error's record in place; never drops a record."""
        error = record.exc_info[1] if record.exc_info else None
        if not isinstance(error, HttpProcessingError):
            return True
        reason = " ".join(repr(error.message)[1:-1].split())[:160]
        peer = record.args[0] if isinstance(record.args, tuple) and record.args else "?"
        record.msg = "malformed HTTP request from %s: %s (%s), answered %s"
        record.args = (peer, type(error).__name__, reason, error.code)
        record.exc_info, record.exc_text = None, None
        record.levelno = min(record.levelno, logging.INFO)  # aiohttp logs some at DEBUG
        record.levelname = logging.getLevelName(record.levelno)
        return True


http_log.addFilter(MalformedRequestsInOneLine())


class LinkServer:
    """Runs the link app on host:port (port 0 picks a free one; see .port)."""

    def __init__(
        self, app: web.Application, host: str, port: int, address: Address | None = None
    ) -> None:
        self.app, self.host, self.port, self.address = app, host, port, address
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Listen."""
        self._runner = web.AppRunner(self.app, access_log=None, logger=http_log)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        if sockets:
            self.port = sockets[0].getsockname()[1]
        if self.address is not None:
            self.address.listening(self.port)
        log.info("link server on %s:%s", self.host, self.port)

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
