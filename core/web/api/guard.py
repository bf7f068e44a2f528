"""What every /api/v1 request passes: CORS (off unless API_CORS_ORIGINS), the bearer key, the
key's rate limit, errors as problems, and the security headers."""

from __future__ import annotations

import logging
import math
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from aiohttp import web
from pydantic import ValidationError

from core.chat.api_keys import ApiKeys, key_hash
from core.clock import Clock
from core.errors import ErrorCode, VoiceoverError
from core.web.api.problems import PROBLEM_TYPE, problem, problem_body, validation_reason

log = logging.getLogger(__name__)
PREFIX = "/api/v1"
OPEN_PATHS = frozenset({f"{PREFIX}/openapi.json", f"{PREFIX}/docs"})  # no key needed
OWNER = web.RequestKey("api_owner", str)  # what the guard leaves on each request
LANGUAGE = web.RequestKey("api_language", str)
API_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
}
CORS_METHODS = "GET, POST, DELETE, OPTIONS"
CORS_HEADERS = "Authorization, Content-Type, Idempotency-Key"
KEPT_BUCKETS = 10_000
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Language = Callable[[str], Awaitable[str]]


class RateLimiter:
    """A token bucket per key: `per_minute` requests a minute, in bursts of as many."""

    def __init__(self, per_minute: int, clock: Clock) -> None:
        self.capacity, self.rate, self.clock = float(per_minute), per_minute / 60.0, clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, key: str) -> float:
        """0 when the request may go now, else the seconds until it may."""
        now = self.clock.now()
        tokens, then = self._buckets.pop(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - then) * self.rate)
        wait = 0.0 if tokens >= 1 else (1 - tokens) / self.rate
        self._buckets[key] = (tokens - 1 if tokens >= 1 else tokens, now)
        while len(self._buckets) > KEPT_BUCKETS:
            self._buckets.popitem(last=False)
        return wait


def bearer(request: web.Request) -> str:
    """The key of 'Authorization: Bearer <key>' ('' when there is none)."""
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    return key.strip() if scheme.lower() == "bearer" else ""


def asked_language(request: web.Request) -> str:
    """Before the key is known: Chinese when the client asks for it first."""
    accepted = request.headers.get("Accept-Language", "").strip().lower()
    return "zh" if accepted.startswith("zh") else "en"


class Guard:
    """The /api/v1 middleware."""

    def __init__(
        self, keys: ApiKeys, limiter: RateLimiter, language: Language, origins: list[str]
    ) -> None:
        self.keys, self.limiter, self.language = keys, limiter, language
        self.origins = frozenset(origin.rstrip("/") for origin in origins)

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Guard /api/v1 requests; every other path passes untouched."""
        if not request.path.startswith(PREFIX):
            return await handler(request)
        if request.method == "OPTIONS":
            response: web.StreamResponse = web.Response(status=204)
        else:
            response = await self._answer(request, handler)
        self._headers(request, response)
        return response

    async def _answer(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        language = asked_language(request)
        try:
            if request.path not in OPEN_PATHS:
                key = bearer(request)
                owner = await self.keys.owner_of(key)
                if owner is None:
                    headers = {"WWW-Authenticate": 'Bearer realm="voiceover"'}
                    err = VoiceoverError(ErrorCode.API_KEY_INVALID)
                    return problem(err, language, headers=headers)
                language = await self.language(owner)
                wait = self.limiter.take(key_hash(key))
                if wait > 0:
                    seconds = str(max(1, math.ceil(wait)))
                    err = VoiceoverError(ErrorCode.TOO_MANY_REQUESTS, seconds=seconds)
                    return problem(err, language, headers={"Retry-After": seconds})
                request[OWNER], request[LANGUAGE] = owner, language
            return await handler(request)
        except VoiceoverError as err:
            return problem(err, language)
        except ValidationError as exc:
            reason = validation_reason(exc.errors(include_url=False, include_input=False))
            return problem(VoiceoverError(ErrorCode.REQUEST_INVALID, reason=reason), language)
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            return http_problem(exc, language)
        except Exception:
            log.exception("API request %s %s failed", request.method, request.path)
            return problem(VoiceoverError(ErrorCode.INTERNAL), language)

    def _headers(self, request: web.Request, response: web.StreamResponse) -> None:
        if response.prepared:
            return
        for name, value in API_HEADERS.items():
            response.headers.setdefault(name, value)
        origin = request.headers.get("Origin", "").rstrip("/")
        if origin and origin in self.origins:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Vary"] = "Origin"
            response.headers["Access-Control-Allow-Methods"] = CORS_METHODS
            response.headers["Access-Control-Allow-Headers"] = CORS_HEADERS
            response.headers["Access-Control-Expose-Headers"] = "Location, Retry-After"


def http_problem(exc: web.HTTPException, language: str) -> web.Response:
    """aiohttp's own refusals (no such route, wrong method) as problems."""
    code = ErrorCode.REQUEST_INVALID
    reason = "there is no such path" if exc.status == 404 else exc.reason.lower()
    err = VoiceoverError(code, reason=reason)
    body = problem_body(code, exc.status, err.message(language), language)
    headers = {"Allow": exc.headers["Allow"]} if "Allow" in exc.headers else None
    return web.Response(
        status=exc.status,
        text=body.model_dump_json(),
        content_type=PROBLEM_TYPE,
        headers=headers,
    )
