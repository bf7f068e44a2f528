"""The NemoVideo HTTP layer: one httpx client, the token, attribution headers, the envelope.

Recoveries that need nothing but this layer live here: 1001 → a new anonymous token for the same
client id and one retry; 429 → wait and one retry; 400 on the token call → a new client id and
one retry. Every other non-zero code is raised as NemoApiError for the backend to translate.
The token goes only into the Authorization header: never a URL, a log line or an exception.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx

from core.backends.nemo.sessions import ClientIdentity
from core.config import Settings
from core.errors import ErrorCode, VoiceoverError

log = logging.getLogger(__name__)

SKILL_SOURCE = "ai-voiceover"
# install path fragment → X-Skill-Platform (the skill's own detection).
PLATFORM_MARKERS = (("/.clawhub/", "clawhub"), ("/.cursor/skills/", "cursor"))
TOKEN_PATH = "/api/auth/anonymous-token"
# HTTP statuses without a JSON envelope → the table's codes.
HTTP_STATUS_CODES: dict[int, int] = {
    400: ErrorCode.BAD_REQUEST,
    401: ErrorCode.TOKEN_INVALID,
    402: ErrorCode.PLAN_BLOCKED,
    413: ErrorCode.FILE_TOO_LARGE,
    415: ErrorCode.UNSUPPORTED_FILE,
    429: ErrorCode.RATE_LIMITED,
}
STREAM_RETRIES = frozenset({ErrorCode.TOKEN_INVALID, ErrorCode.RATE_LIMITED})
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)


class NemoApiError(Exception):
    """A non-zero code from the API (or a failure to reach it: BACKEND_UNAVAILABLE)."""

    def __init__(self, code: int, data: Any = None) -> None:
        super().__init__(f"NemoVideo code {code}")
        self.code = code
        self.data = data


ErrorTranslator = Callable[..., Awaitable[VoiceoverError]]
"""(NemoApiError, **message fields) → the user-facing error (the backend's `user_error`)."""
StateReader = Callable[[str], Awaitable[dict[str, Any]]]
"""The raw state of one live session id; raises NemoApiError."""


def detect_platform(install_path: Path | None = None) -> str:
    """X-Skill-Platform from the install path, as the skill does; 'unknown' otherwise."""
    where = (install_path or Path(__file__).resolve()).as_posix()
    return next((name for marker, name in PLATFORM_MARKERS if marker in where), "unknown")


def envelope_code(response: httpx.Response, payload: Any) -> tuple[int, Any]:
    """(code, data) of a response: the envelope's code, or one mapped from the HTTP status."""
    if isinstance(payload, dict) and isinstance(payload.get("code"), int):
        return payload["code"], payload.get("data")
    if response.is_success:
        return ErrorCode.OK, payload
    fallback = ErrorCode.BACKEND_UNAVAILABLE
    return HTTP_STATUS_CODES.get(response.status_code, fallback), payload


class NemoClient:
    """Authenticated calls to the NemoVideo API over one shared AsyncClient."""

    def __init__(
        self,
        settings: Settings,
        http: httpx.AsyncClient,
        *,
        rate_limit_wait_s: float = 30.0,
    ) -> None:
        self.base = settings.nemo_api_url.rstrip("/")
        self.http = http
        self.rate_limit_wait_s = rate_limit_wait_s
        self.identity = ClientIdentity(settings.data_dir)
        configured = settings.nemo_token.get_secret_value() if settings.nemo_token else ""
        self.registered = bool(configured)
        self._token = configured or self.identity.token
        self._token_lock = asyncio.Lock()
        self.attribution = {
            "X-Skill-Source": SKILL_SOURCE,
            "X-Skill-Version": settings.nemo_skill_version,
            "X-Skill-Platform": detect_platform(),
        }

    def url(self, path: str) -> str:
        """The absolute URL of an API path."""
        return f"{self.base}{path}"

    async def auth_headers(self) -> dict[str, str]:
        """Attribution plus the bearer token (fetched first when we have none)."""
        if not self._token:
            await self._refresh_token("")
        return {**self.attribution, "Authorization": f"Bearer {self._token}"}

    async def _refresh_token(self, stale: str) -> None:
        """A new anonymous token for the same client id (once, however many callers ask)."""
        if self.registered:
            raise NemoApiError(ErrorCode.TOKEN_INVALID)
        async with self._token_lock:
            if self._token and self._token != stale:
                return  # another caller already refreshed it
            client_id = await self.identity.ensure_client_id()
            try:
                data = await self._token_call(client_id)
            except NemoApiError as exc:
                if exc.code != ErrorCode.BAD_REQUEST:
                    raise
                data = await self._token_call(await self.identity.new_client_id())
            token = data.get("token") if isinstance(data, dict) else None
            if not isinstance(token, str) or not token:
                raise NemoApiError(ErrorCode.TOKEN_INVALID)
            self._token = token
            await self.identity.set_token(token)
            log.info("NemoVideo: obtained an anonymous token")

    async def _token_call(self, client_id: str) -> Any:
        async def post() -> httpx.Response:
            headers = {**self.attribution, "X-Client-Id": client_id}
            return await self.http.post(self.url(TOKEN_PATH), headers=headers, json={})

        return await self._with_rate_limit(lambda: self._checked(post))

    async def _checked(self, send: Callable[[], Awaitable[httpx.Response]]) -> Any:
        """Send once; return the envelope's data or raise NemoApiError."""
        try:
            response = await send()
        except httpx.HTTPError as exc:
            log.warning("NemoVideo unreachable: %s", type(exc).__name__)
            raise NemoApiError(ErrorCode.BACKEND_UNAVAILABLE) from None
        try:
            payload = response.json()
        except ValueError:
            payload = None
        code, data = envelope_code(response, payload)
        log.debug("NemoVideo %s %s → %s", response.request.method, response.url.path, code)
        if code != ErrorCode.OK:
            raise NemoApiError(code, data)
        return data

    async def _with_rate_limit(self, attempt: Callable[[], Awaitable[Any]]) -> Any:
        try:
            return await attempt()
        except NemoApiError as exc:
            if exc.code != ErrorCode.RATE_LIMITED:
                raise
        log.info("NemoVideo rate limited; retrying in %.0f s", self.rate_limit_wait_s)
        await asyncio.sleep(self.rate_limit_wait_s)
        return await attempt()

    async def call(
        self,
        method: str,
        path: str,
        *,
        timeouts: httpx.Timeout = DEFAULT_TIMEOUT,
        body: Callable[[], AsyncIterator[bytes]] | None = None,
        **request: Any,
    ) -> Any:
        """One API call (json=/headers= as httpx; `body` makes a fresh streamed body per try);
        returns the envelope's `data` or raises NemoApiError."""
        extra = request.pop("headers", {})

        async def attempt() -> Any:
            headers = {**extra, **await self.auth_headers()}
            sent_with = headers["Authorization"]

            async def send() -> httpx.Response:
                content: Any = body() if body is not None else None
                return await self.http.request(
                    method,
                    self.url(path),
                    headers=headers,
                    timeout=timeouts,
                    content=content,
                    **request,
                )

            try:
                return await self._checked(send)
            except NemoApiError as exc:
                if exc.code != ErrorCode.TOKEN_INVALID or self.registered:
                    raise
            await self._refresh_token(sent_with.removeprefix("Bearer "))
            headers = {**extra, **await self.auth_headers()}
            return await self._checked(send)

        return await self._with_rate_limit(attempt)

    @asynccontextmanager
    async def stream(
        self, path: str, body: dict[str, Any], timeouts: httpx.Timeout
    ) -> AsyncIterator[httpx.Response]:
        """POST and stream the answer; errors answered before the stream are raised (and the
        token/rate-limit recoveries applied, since the server refused the request)."""
        retried: set[int] = set()
        while True:
            headers = {**await self.auth_headers(), "Accept": "text/event-stream"}
            request = self.http.build_request(
                "POST", self.url(path), headers=headers, json=body, timeout=timeouts
            )
            try:
                response = await self.http.send(request, stream=True)
            except (httpx.ConnectError, httpx.ConnectTimeout):
                raise NemoApiError(ErrorCode.BACKEND_UNAVAILABLE) from None
            try:
                refusal = await self._refusal(response)
                if refusal is None:
                    yield response
                    return
            finally:
                await response.aclose()
            if (
                refusal.code in retried
                or refusal.code not in STREAM_RETRIES
                or (refusal.code == ErrorCode.TOKEN_INVALID and self.registered)
            ):
                raise refusal
            retried.add(refusal.code)
            if refusal.code == ErrorCode.TOKEN_INVALID:
                await self._refresh_token(headers["Authorization"].removeprefix("Bearer "))
            else:
                await asyncio.sleep(self.rate_limit_wait_s)

    async def _refusal(self, response: httpx.Response) -> NemoApiError | None:
        """The error a non-stream answer carries, or None when the events are flowing."""
        content_type = response.headers.get("content-type", "")
        if response.is_success and "text/event-stream" in content_type:
            return None
        body = await response.aread()
        try:
            payload = json.loads(body) if body else None
        except ValueError:
            payload = None
        code, data = envelope_code(response, payload)
        if code == ErrorCode.OK:
            return None  # a success without the SSE content type: read it as a stream anyway
        return NemoApiError(code, data)
