"""Errors as RFC 9457 problems (application/problem+json) from the chats' error table, in the
account's language, with the HTTP status each code answers."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from core.errors import ErrorCode, VoiceoverError
from core.web.api.models import Problem
from core.words.api_text import problem_title

PROBLEM_TYPE = "application/problem+json"
STATUS: dict[ErrorCode, int] = {
    ErrorCode.API_KEY_INVALID: 401,
    ErrorCode.NO_CREDITS: 402,
    ErrorCode.NOT_ALLOWED: 403,
    ErrorCode.JOB_NOT_FOUND: 404,
    ErrorCode.NOTHING_TO_CANCEL: 409,
    ErrorCode.REQUEST_IN_PROGRESS: 409,
    ErrorCode.FILE_TOO_LARGE: 413,
    ErrorCode.TOO_MANY_REQUESTS: 429,
    ErrorCode.TOO_MANY_QUEUED: 429,
    ErrorCode.SLOW_DOWN: 429,
    ErrorCode.RATE_LIMITED: 503,
    ErrorCode.BACKEND_UNAVAILABLE: 503,
    ErrorCode.TIMEOUT: 504,
    ErrorCode.INTERNAL: 500,
}


# 429s that say when to come back by themselves (the rate limit says its own wait): a full
# queue budget frees as jobs end, about a render's time.
RETRY_AFTER_S: dict[ErrorCode, int] = {ErrorCode.TOO_MANY_QUEUED: 60, ErrorCode.SLOW_DOWN: 10}


def status_of(code: ErrorCode) -> int:
    """The HTTP status an error code answers (bad input: 422)."""
    if code in STATUS:
        return STATUS[code]
    return 500 if int(code) >= 5000 else 422


def problem_body(code: ErrorCode, status: int, detail: str, language: str) -> Problem:
    """The problem document of one error."""
    return Problem(
        type=f"/api/v1/docs#error-{int(code)}",
        title=problem_title(status, language),
        status=status,
        detail=detail,
        code=int(code),
    )


def problem(
    err: VoiceoverError,
    language: str,
    *,
    status: int | None = None,
    headers: dict[str, str] | None = None,
) -> web.Response:
    """An error as an application/problem+json response."""
    status = status or status_of(err.code)
    if err.code in RETRY_AFTER_S and not (headers and "Retry-After" in headers):
        headers = {**(headers or {}), "Retry-After": str(RETRY_AFTER_S[err.code])}
    body = problem_body(err.code, status, err.message(language), language)
    return web.Response(
        status=status,
        text=json.dumps(body.model_dump(), ensure_ascii=False),
        content_type=PROBLEM_TYPE,
        charset="utf-8",
        headers=headers,
    )


def invalid(reason: str, language: str, status: int = 422) -> web.Response:
    """REQUEST_INVALID with a reason (in English: field names and pydantic's words)."""
    return problem(
        VoiceoverError(ErrorCode.REQUEST_INVALID, reason=reason), language, status=status
    )


def validation_reason(errors: list[Any]) -> str:
    """Pydantic's errors as one short line: 'speed: Input should be less than or equal to 2'."""
    parts = []
    for error in errors[:5]:
        where = ".".join(str(part) for part in error.get("loc", ())) or "body"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "; ".join(parts)
