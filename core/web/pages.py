"""Web pages from Jinja2 templates (core/web/templates) and their static files
(core/web/static, with tus-js-client vendored under static/vendor)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, select_autoescape

from core.engine.scripts import MEDIA_SUFFIXES, SUFFIX_KINDS
from core.web.tus_store import Ticket
from core.words.numbers import human_size
from core.words.page_text import PAGE_TEXT
from core.words.text import is_zh, pick

HERE = Path(__file__).parent
STATIC = HERE / "static"
# What the upload page lets through before sending (the chat refuses the rest after probing).
ACCEPTED_SUFFIXES = frozenset(MEDIA_SUFFIXES | SUFFIX_KINDS.keys())
UPLOAD_CHUNK_BYTES = 8 * 1024 * 1024  # one PATCH per 8 MB: a dropped connection costs little
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self' data:; media-src 'self'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",  # the page's URL carries the link's signature
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
_env = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def page_texts(language: str) -> dict[str, str]:
    """The page's words in the user's language (Chinese or English)."""
    return {key: pick(text, language) for key, text in PAGE_TEXT.items()}


def render(
    template: str, status: int = 200, media_origin: str = "", **context: Any
) -> web.Response:
    """A template as an HTML response with the pages' security headers (`media_origin`: where
    else the player may stream from, an object store's origin)."""
    html = _env.get_template(template).render(**context)
    headers = dict(SECURITY_HEADERS)
    if media_origin:
        policy = headers["Content-Security-Policy"]
        headers["Content-Security-Policy"] = policy.replace(
            "media-src 'self'", f"media-src 'self' {media_origin}"
        )
    return web.Response(status=status, text=html, content_type="text/html", headers=headers)


def upload_page(max_bytes: int) -> Any:
    """The page shown on GET of an upload link (a tus.Page for TusServer)."""

    async def page(request: web.Request, ticket: Ticket, endpoint: str) -> web.StreamResponse:
        """The upload page; its script posts to `endpoint` (the link, our own parts only)."""
        texts = page_texts(ticket.language)
        config = {
            "endpoint": endpoint,
            "maxBytes": max_bytes,
            "chunkBytes": UPLOAD_CHUNK_BYTES,
            "suffixes": sorted(ACCEPTED_SUFFIXES),
            "text": texts,
        }
        return render(
            "upload.html",
            t=texts,
            lang="zh" if is_zh(ticket.language) else "en",
            most=human_size(max_bytes),
            accept=",".join(sorted(ACCEPTED_SUFFIXES)),
            config=json.dumps(config, ensure_ascii=False).replace("<", "\\u003c"),
        )

    return page


def refused_upload_page(status: int) -> web.Response:
    """A refused upload link in words, in both languages (whose link it was is unknown)."""
    key = "expired" if status == 410 else "invalid"
    lines = [page_texts("en")[key], page_texts("zh")[key]]
    title = page_texts("en")["link_title"]
    return render("message.html", status=status, lang="en", title=title, lines=lines)


def static_routes() -> list[web.AbstractRouteDef]:
    """The pages' scripts and styles under /static/."""
    return [web.static("/static", STATIC, append_version=False)]
