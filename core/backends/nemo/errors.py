"""NemoVideo's error codes → our user-facing errors, with the fields their messages need."""

from __future__ import annotations

import logging
from typing import Any

import httpx

from core.backends.nemo.client import NemoApiError, NemoClient
from core.backends.nemo.sessions import SessionBook
from core.errors import ErrorCode, VoiceoverError

log = logging.getLogger(__name__)

# The API's codes → ours (the messages live in core/errors.py).
API_ERRORS: dict[int, ErrorCode] = {
    1001: ErrorCode.TOKEN_INVALID,
    1002: ErrorCode.SESSION_NOT_FOUND,
    2001: ErrorCode.NO_CREDITS,
    4001: ErrorCode.UNSUPPORTED_FILE,
    4002: ErrorCode.FILE_TOO_LARGE,
    400: ErrorCode.BAD_REQUEST,
    402: ErrorCode.PLAN_BLOCKED,
    429: ErrorCode.RATE_LIMITED,
}


class NemoErrors:
    """Translates NemoApiError; a 2001 reads the balance and says where to top up."""

    def __init__(self, client: NemoClient, book: SessionBook, web: str) -> None:
        self.client = client
        self.book = book
        self.web = web

    async def translate(self, exc: NemoApiError, **fields: Any) -> VoiceoverError:
        """The user-facing error for an API code, with the fields its message needs."""
        code = API_ERRORS.get(exc.code, ErrorCode.BACKEND_UNAVAILABLE)
        if code == ErrorCode.NO_CREDITS:
            fields = {**fields, **await self._credit_fields(exc.data, fields.get("session"))}
        fields.pop("session", None)
        if code == ErrorCode.UNSUPPORTED_FILE:
            fields.setdefault("reason", "the cloud editor doesn't accept this type")
        if code == ErrorCode.FILE_TOO_LARGE:
            fields.setdefault("limit", "500 MB")
        log.info("NemoVideo error %s → %s", exc.code, code.name)
        return VoiceoverError(code, **fields)

    async def _credit_fields(self, data: Any, session_id: str | None) -> dict[str, Any]:
        data = data if isinstance(data, dict) else {}
        needed = data.get("needed") or data.get("required") or "more"
        try:  # the raw call: a 2001 here must not come back to this function
            balance = await self.client.call("GET", "/api/credits/balance/simple")
            available: Any = as_int(balance.get("available") if isinstance(balance, dict) else 0)
        except NemoApiError:
            available = data.get("available", 0)
        if self.client.registered:
            topup = " Top up credits in your account."
        else:
            info = self.book.info(session_id) if session_id else None
            bind = (info.bind_id if info else "") or self.client.identity.client_id
            topup = f" Register to get more: {httpx.URL(self.web, params={'bind': bind})}"
        return {"available": available, "needed": needed, "topup": topup}


def as_int(value: Any) -> int:
    """A number from the API as an int (0 when it isn't one)."""
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return 0
