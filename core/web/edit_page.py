"""The edit page behind an edit link, and the JSON it talks to: the draft (load, save with its
version), Listen (one line spoken), Preview (the 20 s proof), Render (the draft sent into the
owner's lane as if "export" had been typed there) and the render's progress."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from core.chat.floodgate import FloodLimits
from core.web.edit_actions import EditActions, Gone
from core.web.edit_controls import page_controls
from core.web.edit_limits import PageLimiter
from core.web.edit_links import EditTicket, Refused
from core.web.pages import render
from core.words.edit_text import edit_text, page_words
from core.words.text import is_zh

Handler = Callable[[web.Request, EditTicket], Awaitable[web.StreamResponse]]
BASE = "/e/{owner}/{project}"
NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


class EditPages:
    """The edit link's routes."""

    def __init__(self, actions: EditActions, now: Callable[[], float]) -> None:
        self.actions = actions
        self.limiter = PageLimiter(FloodLimits.from_settings(actions.parts.settings), now)

    def routes(self) -> list[web.AbstractRouteDef]:
        """GET the page; the page's JSON and media under the same signed link."""
        a = self.actions
        table: list[tuple[str, str, Handler]] = [
            ("GET", "", self.page),
            ("GET", "/draft", self.draft),
            ("POST", "/draft", self.save),
            ("POST", "/listen", self.listen),
            ("GET", "/listen/{clip}.wav", self.clip),
            ("POST", "/preview", self.preview),
            ("GET", "/preview.mp4", self.preview_file),
            ("GET", "/video", lambda request, ticket: a.video(ticket)),
            ("GET", "/shot/{n}.jpg", self.shot),
            ("POST", "/render", self.render),
            ("GET", "/job", self.job),
        ]
        return [web.route(method, BASE + tail, self._guarded(h)) for method, tail, h in table]

    def _guarded(self, handler: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        """The handler behind the link's checks (and, for a POST, a same-origin JSON body)."""

        async def guarded(request: web.Request) -> web.StreamResponse:
            try:
                ticket = await self.actions.tickets.check(request)
                public = self.actions.parts.signer.base_url
                if request.method == "POST" and not _same_origin_json(request, public):
                    raise Refused(403, self.actions.invalid)
                await self.actions.current(ticket)
                return await handler(request, ticket)
            except Refused as refused:
                return self._refusal(request, refused)
            except Gone:
                return self._refusal(request, Refused(404, self.actions.replaced))

        return guarded

    def _refusal(self, request: web.Request, refused: Refused) -> web.Response:
        """A refused link in words: a page for a browser, else JSON (both languages)."""
        key = {410: "expired", 404: "not_yours"}.get(refused.status, "invalid_link")
        if refused.verdict is self.actions.replaced:
            key = "replaced"
        lines = [edit_text(key, "en"), edit_text(key, "zh")]
        if "text/html" in request.headers.get("Accept", ""):
            title, status = edit_text("title", "en"), refused.status
            return render("message.html", status=status, lang="en", title=title, lines=lines)
        return web.json_response({"error": lines}, status=refused.status, headers=NO_STORE)

    async def page(self, request: web.Request, ticket: EditTicket) -> web.StreamResponse:
        """The page, in the account's language, its script's settings in a JSON block."""
        lang = await self.actions.language(ticket)
        words = page_words(lang)
        base = f"{ticket.path}?{request.query_string}"
        config: dict[str, Any] = {
            "base": ticket.path,
            "query": request.query_string,
            "text": words,
        }
        view = await self.actions.view(ticket)
        config.update(draft=view, voices=self.actions.voice_list())
        return render(
            "edit.html",
            t=words,
            lang="zh" if is_zh(lang) else "en",
            video=f"{ticket.path}/video?{request.query_string}",
            has_video=view["media"]["kind"] == "video",
            base=base,
            controls=page_controls(lang),
            config=json.dumps(config, ensure_ascii=False).replace("<", "\\u003c"),
        )

    async def draft(self, request: web.Request, ticket: EditTicket) -> web.StreamResponse:
        """The draft as the page shows it."""
        return _json(await self.actions.view(ticket))

    async def save(self, request: web.Request, ticket: EditTicket) -> web.StreamResponse:
        """A save: 200 with the new draft, 409 when the draft changed since, 422 refused,
        429 when the owner saves too often."""
        busy = await self._too_many(ticket, "save")
        if busy is not None:
            return busy
        outcome = await self.actions.save(ticket, await _body(request))
        status = {"saved": 200, "stale": 409}.get(outcome.status, 422)
        body = {
            "status": outcome.status,
            "message": outcome.message,
            "draft": outcome.view,
            "line_errors": {str(n): text for n, text in outcome.line_errors.items()},
            "errors": outcome.errors,
            "option_errors": outcome.option_errors,
        }
        return _json(body, status)

    async def listen(self, request: web.Request, ticket: EditTicket) -> web.StreamResponse:
        """Speak one line ({text, voice, speed}); answers the clip's address (429 when the
        owner listens too often, or while their last Listen runs)."""
        busy = await self._too_many(ticket, "listen")
        if busy is not None:
            return busy
        try:
            found = await self.actions.listen(ticket, await _body(request))
        finally:
            self.limiter.done(ticket.owner)
        if isinstance(found, str) and found.startswith("error:"):
            return _json({"error": found.removeprefix("error:")}, 422)
        clip = f"{ticket.path}/listen/{found}.wav?{request.query_string}"
        return _json({"clip": clip})

    async def _too_many(self, ticket: EditTicket, action: str) -> web.Response | None:
        """None when the owner may go on, else the 429 saying when to try again."""
        wait = self.limiter.take(ticket.owner, action).retry_after_s
        if wait is None:
            return None
        text = edit_text("too_many", await self.actions.language(ticket), seconds=wait)
        body = {"status": "busy", "message": text, "error": text, "retry_after_s": wait}
        response = _json(body, 429)
        response.headers["Retry-After"] = str(wait)
        return response

    async def clip(self, request: web.Request, ticket: EditTicket) -> web.StreamResponse:
        """A spoken line."""
        path = self.actions.clip_path(request.match_info["clip"])
        if path is None:
            return web.Response(status=404, text="no such clip")
        return web.FileResponse(path, headers={"Content-Type": "audio/wav", **NO_STORE})

    async def preview(self, request: web.Request, ticket: EditTicket) -> web.StreamResponse:
        """Make the 20 s preview of the saved draft; answers its address."""
        problem = await self.actions.preview(ticket)
        if problem:
            return _json({"error": problem}, 422)
        return _json({"video": f"{ticket.path}/preview.mp4?{request.query_string}"})

    async def preview_file(self, request: web.Request, ticket: EditTicket) -> web.StreamResponse:
        """The preview made last."""
        path = self.actions.preview_path(ticket)
        if not path.is_file():
            return web.Response(status=404, text="no preview yet")
        return web.FileResponse(path, headers=NO_STORE)

    async def shot(self, request: web.Request, ticket: EditTicket) -> web.StreamResponse:
        """A thumbnail of the video at its n-th cut."""
        picture = await self.actions.shot(ticket, request.match_info["n"])
        if picture is None:
            return web.Response(status=404, text="no such shot")
        return web.FileResponse(picture, headers={"Content-Type": "image/jpeg", **NO_STORE})

    async def render(self, request: web.Request, ticket: EditTicket) -> web.StreamResponse:
        """Send the saved draft into the owner's lane as "export"; answers the job (or what
        the chat was told instead)."""
        return _json(await self.actions.render(ticket))

    async def job(self, request: web.Request, ticket: EditTicket) -> web.StreamResponse:
        """The latest render's progress, then its result's player address."""
        return _json(await self.actions.job(ticket, request.query.get("id", "")))


def _same_origin_json(request: web.Request, public_url: str) -> bool:
    """A JSON body from our own page (a cross-site form can send neither); our origin is the
    one asked (`scheme://host`) or PUBLIC_BASE_URL's (behind a proxy)."""
    origin = request.headers.get("Origin")
    parts = urlsplit(public_url)
    ours = {f"{request.scheme}://{request.host}", f"{parts.scheme}://{parts.netloc}"}
    if origin and origin not in ours:
        return False
    return request.content_type == "application/json"


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        data = await request.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _json(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.json_response(body, status=status, headers=NO_STORE)
