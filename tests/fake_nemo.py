"""A loopback NemoVideo API (aiohttp on 127.0.0.1, random port) that follows the notes.

It records every request, and can inject each documented fault: an error code on any route,
a token expiring mid-session, a lost session, scripted SSE replies (heartbeats only, a drop
mid-stream, silent edits, edits that land later), renders that fail or run slowly, and 429.
"""

from __future__ import annotations

import asyncio
import copy
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.loopback import serve_loopback
from tests.nemo_clock import NemoTime, until_set
from tests.nemo_events import TURN_COMPLETE, Draft, add_title, adk, tool_call

ATTRIBUTION = ("X-Skill-Source", "X-Skill-Version", "X-Skill-Platform")


def hung_up(request: web.Request) -> bool:
    """The client closed the connection."""
    return request.transport is None or request.transport.is_closing()


@dataclass
class Step:
    """One step of a scripted SSE reply."""

    data: bytes = b""
    sleep_s: float = 0.0
    edit: Callable[[Draft], None] | None = None
    edit_later_s: float | None = None  # apply `edit` in the background after this long
    drop: bool = False  # cut the connection here
    stall: bool = False  # send nothing more until the client hangs up


@dataclass
class Recorded:
    """A request as the fake saw it."""

    method: str
    path: str
    url: str
    headers: dict[str, str]
    body: bytes
    json: Any = None


@dataclass
class FakeSession:
    task_id: str
    draft: Draft = field(default_factory=dict)
    uploads: list[tuple[str, int]] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


@dataclass
class FakeRender:
    session_id: str
    status: str = "pending"
    polls: int = 0


class FakeNemo:
    """The fake server. Call start()/stop(); set faults and scripts between requests.

    With a NemoTime (`time`), a step's sleep_s and edit_later_s pass that fake time, in lock
    step with the backend reading it; without one they are real sleeps."""

    def __init__(self, time: NemoTime | None = None) -> None:
        self.time = time
        self.requests: list[Recorded] = []
        self.faults: dict[str, list[tuple[int, int]]] = {}  # route → [(code, http status)]
        self.valid_tokens: dict[str, str] = {}  # token → client id
        self.sessions: dict[str, FakeSession] = {}
        self.replies: list[list[Step]] = []  # scripted SSE replies, first in first out
        self.credits = {"available": 100, "frozen": 0, "total": 100}
        self.renders: dict[str, FakeRender] = {}
        self.render_polls_needed = 2  # polls before a render completes
        self.render_failures = 0  # renders that end in "failed"
        self.submit_failures = 0  # render submissions answered with HTTP 500
        self.render_output_url = True
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    # Control ------------------------------------------------------------------------------

    def fail(self, route: str, code: int, http_status: int = 200, times: int = 1) -> None:
        """Answer the next `times` calls of `route` with the envelope `code`."""
        self.faults.setdefault(route, []).extend([(code, http_status)] * times)

    def expire_tokens(self) -> None:
        """Every issued token stops working (1001) — a token expiring mid-session."""
        self.valid_tokens.clear()

    def lose_session(self, session_id: str) -> None:
        """The session disappears (1002)."""
        self.sessions.pop(session_id, None)

    def script(self, *steps: Step) -> None:
        """Queue a scripted reply for the next /run_sse."""
        self.replies.append(list(steps))

    def calls(self, route_path: str) -> list[Recorded]:
        """Recorded requests whose path starts with `route_path`."""
        return [r for r in self.requests if r.path.startswith(route_path)]

    @property
    def messages_sent(self) -> list[str]:
        """Every message text /run_sse accepted."""
        return [m for s in self.sessions.values() for m in s.messages]

    # Server -------------------------------------------------------------------------------

    async def start(self) -> str:
        """Listen on 127.0.0.1 (a free port); returns the base URL."""
        app = web.Application(client_max_size=64 * 1024 * 1024, middlewares=[self._record])
        routes = [
            ("POST", "/api/auth/anonymous-token", self._token),
            ("POST", "/api/tasks/me/with-session/nemo_agent", self._session),
            ("POST", "/api/auth/claim-token", self._claim),
            ("POST", "/run_sse", self._sse),
            ("POST", "/api/upload-video/nemo_agent/me/{sid}", self._upload),
            ("GET", "/api/credits/balance/simple", self._credits),
            ("GET", "/api/state/nemo_agent/me/{sid}/latest", self._state),
            ("POST", "/api/render/proxy/lambda", self._render),
            ("GET", "/api/render/proxy/lambda/{rid}", self._render_status),
            ("GET", "/api/render/proxy/{rid}/download", self._download),
        ]
        for method, path, handler in routes:
            app.router.add_route(method, path, handler)
        self._runner = web.AppRunner(app)
        self.url = f"http://127.0.0.1:{await serve_loopback(self._runner)}"
        return self.url

    async def stop(self) -> None:
        """Stop listening."""
        for task in self._tasks:
            task.cancel()
        if self._runner is not None:
            await self._runner.cleanup()

    @web.middleware
    async def _record(self, request: web.Request, handler: Any) -> web.StreamResponse:
        streamed = request.content_type.startswith("multipart/")
        body = b"" if streamed else await request.read()
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = None
        self.requests.append(
            Recorded(
                request.method, request.path, str(request.url), dict(request.headers), body, parsed
            )
        )
        return await handler(request)

    def _envelope(self, data: Any, code: int = 0, status: int = 200) -> web.Response:
        return web.json_response(
            {"code": code, "message": "ok" if not code else "error", "data": data}, status=status
        )

    def _fault(self, route: str) -> web.Response | None:
        queued = self.faults.get(route)
        if not queued:
            return None
        code, status = queued.pop(0)
        return self._envelope(None, code, status)

    def _auth(self, request: web.Request, route: str) -> web.Response | None:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in self.valid_tokens:
            return self._envelope(None, 1001, 401)
        return self._fault(route)

    def _session_of(self, sid: str) -> FakeSession | web.Response:
        session = self.sessions.get(sid)
        return session if session is not None else self._envelope(None, 1002)

    # Handlers -----------------------------------------------------------------------------

    async def _token(self, request: web.Request) -> web.Response:
        client_id = request.headers.get("X-Client-Id", "")
        if not client_id:
            return self._envelope(None, 400, 400)
        if (fault := self._fault("token")) is not None:
            return fault
        token = f"nmv_usr_{uuid.uuid4().hex}"
        self.valid_tokens[token] = client_id
        return self._envelope({"token": token, "credits": 100, "expires_in": 604800})

    async def _session(self, request: web.Request) -> web.Response:
        if (refused := self._auth(request, "session")) is not None:
            return refused
        sid, task = f"sess_{uuid.uuid4().hex[:10]}", f"task_{uuid.uuid4().hex[:10]}"
        self.sessions[sid] = FakeSession(task_id=task)
        return self._envelope({"task_id": task, "session_id": sid, "user_id": "anon_42"})

    async def _claim(self, request: web.Request) -> web.Response:
        if (refused := self._auth(request, "claim")) is not None:
            return refused
        return self._envelope(
            {"claim_token": f"clm_{uuid.uuid4().hex[:12]}", "expires_in": 604800}
        )

    async def _credits(self, request: web.Request) -> web.Response:
        return self._auth(request, "credits") or self._envelope(dict(self.credits))

    async def _state(self, request: web.Request) -> web.Response:
        if (refused := self._auth(request, "state")) is not None:
            return refused
        session = self._session_of(request.match_info["sid"])
        if isinstance(session, web.Response):
            return session
        state = {"draft": copy.deepcopy(session.draft), "video_infos": [], "generated_media": []}
        return self._envelope({"state": state})

    async def _upload(self, request: web.Request) -> web.Response:
        if (refused := self._auth(request, "upload")) is not None:
            return refused
        session = self._session_of(request.match_info["sid"])
        if isinstance(session, web.Response):
            return session
        if request.content_type == "application/json":
            payload = await request.json()
            session.uploads.extend((url, 0) for url in payload.get("urls", []))
            return self._envelope({"files": payload.get("urls", [])})
        reader = await request.multipart()
        async for part in reader:
            size = 0
            while chunk := await part.read_chunk():  # type: ignore[union-attr]
                size += len(chunk)
            session.uploads.append((part.filename or "", size))  # type: ignore[union-attr]
        return self._envelope({"files": [name for name, _ in session.uploads]})

    async def _render(self, request: web.Request) -> web.Response:
        if any(not request.headers.get(h) for h in ATTRIBUTION):
            return self._envelope(None, 402, 402)
        if (refused := self._auth(request, "render")) is not None:
            return refused
        if self.submit_failures:
            self.submit_failures -= 1
            return web.json_response({"error": "internal"}, status=500)
        body = await request.json()
        self.renders[body["id"]] = FakeRender(session_id=body["sessionId"])
        return self._envelope({"id": body["id"], "status": "pending"})

    async def _render_status(self, request: web.Request) -> web.Response:
        if (refused := self._auth(request, "render_status")) is not None:
            return refused
        rid = request.match_info["rid"]
        render = self.renders.get(rid)
        if render is None:
            return self._envelope(None, 404, 404)
        render.polls += 1
        if render.polls >= self.render_polls_needed:
            render.status = "failed" if self.render_failures else "completed"
            self.render_failures -= 1 if render.status == "failed" else 0
        elif render.polls:
            render.status = "processing"
        output = {"url": f"https://cdn.example/{rid}.mp4"} if self.render_output_url else {}
        percent = min(100, 100 * render.polls // max(1, self.render_polls_needed))
        return web.json_response(
            {"id": rid, "status": render.status, "progress": percent, "output": output}
        )

    def download_bytes(self, rid: str) -> bytes:
        """What the fallback download of a render returns."""
        return f"fake mp4 for {rid}".encode() * 1000

    async def _download(self, request: web.Request) -> web.Response:
        if (refused := self._auth(request, "download")) is not None:
            return refused
        return web.Response(
            body=self.download_bytes(request.match_info["rid"]), content_type="video/mp4"
        )

    async def _sse(self, request: web.Request) -> web.StreamResponse:
        if (refused := self._auth(request, "sse")) is not None:
            return refused
        body = await request.json()
        session = self._session_of(body["session_id"])
        if isinstance(session, web.Response):
            return session
        session.messages.append(body["new_message"]["parts"][0]["text"])
        steps = self.replies.pop(0) if self.replies else self._default_reply()
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        for step in steps:
            if not await self._play(step, session, request, response):
                return response
        await response.write_eof()
        return response

    async def _play(
        self, step: Step, session: FakeSession, request: web.Request, response: web.StreamResponse
    ) -> bool:
        if step.sleep_s and not await self._pass(step.sleep_s, request):
            return False
        if step.edit is not None and step.edit_later_s is None:
            step.edit(session.draft)
        elif step.edit is not None:
            self._later(step.edit_later_s or 0.0, step.edit, session)
        if step.data:
            await response.write(step.data)
            if self.time is not None:
                self.time.wrote()
        if step.stall:
            await until_set(asyncio.Event(), lambda: hung_up(request))
            return False
        if step.drop:
            assert request.transport is not None
            request.transport.abort()
            return False
        return True

    async def _pass(self, seconds: float, request: web.Request) -> bool:
        """Let time pass; False when the client hung up meanwhile."""
        if self.time is None:
            await asyncio.sleep(seconds)
            return True

        return await self.time.pass_after_read(seconds, lambda: hung_up(request))

    def _later(self, delay: float, edit: Callable[[Draft], None], session: FakeSession) -> None:
        async def apply() -> None:
            await (asyncio.sleep(delay) if self.time is None else self.time.clock.sleep(delay))
            edit(session.draft)

        task = asyncio.get_running_loop().create_task(apply())
        self._tasks.add(task)

    def _default_reply(self) -> list[Step]:
        return [
            Step(tool_call("edit_timeline"), edit=add_title("Paradise Found")),
            Step(adk("I added the title ", partial=True)),
            Step(adk("'Paradise Found'.", partial=True)),
            Step(adk("I added the title 'Paradise Found'.")),
            Step(TURN_COMPLETE),
        ]
