"""Server-sent events from NemoVideo's /run_sse: a byte-level parser and an ADK event reader.

The parser follows the WHATWG event-stream rules (any line ending, multi-line data, comments,
event names, chunks split anywhere, even inside a UTF-8 character). The reader turns messages
into BackendEvents, assuming ADK-shaped JSON but tolerating plain text and unknown fields.
"""

from __future__ import annotations

import codecs
import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from core.backends.base import BackendEvent, EventKind

log = logging.getLogger(__name__)

HEARTBEAT_EVENT_NAMES = frozenset({"heartbeat", "ping", "keepalive", "keep-alive"})
DONE_MARKERS = frozenset({"[DONE]", "[done]"})
LINE_END = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class SseMessage:
    """One dispatched event: its name ('message' by default), its data, or a comment line."""

    event: str = "message"
    data: str = ""
    id: str | None = None
    comment: bool = False


@dataclass
class SseParser:
    """Incremental event-stream parser: feed() bytes as they come, close() at the end."""

    _decoder: codecs.IncrementalDecoder = field(
        default_factory=lambda: codecs.getincrementaldecoder("utf-8")(errors="replace")
    )
    _buffer: str = ""
    _after_cr: bool = False
    _started: bool = False
    _event: str = ""
    _data: list[str] = field(default_factory=list)
    _has_data: bool = False
    _last_id: str | None = None

    def feed(self, chunk: bytes) -> list[SseMessage]:
        """Parse a chunk; return the messages it completed."""
        return self._consume(self._decoder.decode(chunk))

    def close(self) -> list[SseMessage]:
        """End of stream: complete the last line and any event left without a blank line."""
        out = self._consume(self._decoder.decode(b"", final=True))
        if self._buffer:
            out.extend(self._line(self._buffer))
            self._buffer = ""
        out.extend(self._dispatch())
        return out

    def _consume(self, text: str) -> list[SseMessage]:
        if not self._started and text:
            self._started = True
            text = text.removeprefix("\ufeff")
        if self._after_cr and text:
            self._after_cr = False
            text = text.removeprefix("\n")  # the \n of a \r\n split across chunks
        self._buffer += text
        out: list[SseMessage] = []
        while (found := LINE_END.search(self._buffer)) is not None:
            out.extend(self._line(self._buffer[: found.start()]))
            self._after_cr = found.group() == "\r" and found.end() == len(self._buffer)
            self._buffer = self._buffer[found.end() :]
        return out

    def _line(self, line: str) -> list[SseMessage]:
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return [SseMessage(event="comment", data=line[1:].strip(), comment=True)]
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            self._data.append(value)
            self._has_data = True
        elif name == "event":
            self._event = value
        elif name == "id" and "\0" not in value:
            self._last_id = value
        return []  # "retry" and unknown fields are ignored

    def _dispatch(self) -> list[SseMessage]:
        if not self._has_data and not self._event:
            return []
        message = SseMessage(self._event or "message", "\n".join(self._data), self._last_id)
        self._event, self._data, self._has_data = "", [], False
        return [message]


class NemoStreamError(Exception):
    """The stream carried an API error envelope ({"code": 2001, …}) instead of events."""

    def __init__(self, code: int, data: Any = None) -> None:
        super().__init__(f"stream error {code}")
        self.code = code
        self.data = data


@dataclass
class AdkReader:
    """Turns one turn's SSE messages into events; partial text is shown once, complete."""

    content_count: int = 0  # messages that carried content (text, partial text, tool activity)
    _partial: list[str] = field(default_factory=list)
    _last_text: str = ""

    def feed(self, message: SseMessage) -> list[BackendEvent]:
        """Events for one message (possibly none)."""
        if message.comment or message.event.lower() in HEARTBEAT_EVENT_NAMES:
            return [BackendEvent(EventKind.HEARTBEAT)]
        data = message.data.strip()
        if not data:
            return [BackendEvent(EventKind.HEARTBEAT)]
        if data in DONE_MARKERS:
            return [*self.finish(), BackendEvent(EventKind.DONE)]
        try:
            payload = json.loads(data)
        except ValueError:
            return self._text(message.data, partial=False)  # a plain-text data line
        if isinstance(payload, str):
            return self._text(payload, partial=False)
        if not isinstance(payload, dict):
            return []
        return self._event(payload)

    def finish(self) -> list[BackendEvent]:
        """At the end of the turn: show partial text that no complete text replaced."""
        if not self._partial:
            return []
        text, self._partial = "".join(self._partial), []
        return self._show(text)

    def _event(self, payload: dict[str, Any]) -> list[BackendEvent]:
        code = payload.get("code")
        if isinstance(code, int) and code != 0 and "content" not in payload:
            raise NemoStreamError(code, payload.get("data"))
        if str(payload.get("type", "")).lower() in HEARTBEAT_EVENT_NAMES:
            return [BackendEvent(EventKind.HEARTBEAT)]
        out: list[BackendEvent] = []
        content = payload.get("content")
        partial = bool(payload.get("partial"))
        if isinstance(content, dict) and content.get("role", "model") != "user":
            out.extend(self._parts(content.get("parts"), partial))
        elif isinstance(content, str):
            out.extend(self._text(content, partial))
        elif isinstance(payload.get("text"), str):
            out.extend(self._text(payload["text"], partial))
        if payload.get("errorMessage"):
            log.info("NemoVideo stream reported an error event: %s", payload.get("errorCode"))
        if payload.get("turnComplete") or payload.get("turn_complete"):
            out.extend([*self.finish(), BackendEvent(EventKind.DONE)])
        return out

    def _parts(self, parts: Any, partial: bool) -> list[BackendEvent]:
        if not isinstance(parts, list):
            return []
        out: list[BackendEvent] = []
        texts: list[str] = []
        for part in parts:
            if not isinstance(part, dict) or part.get("thought"):
                continue
            if isinstance(part.get("text"), str):
                texts.append(part["text"])
            for key in ("functionCall", "functionResponse", "function_call", "function_response"):
                if isinstance(part.get(key), dict):
                    self.content_count += 1
                    out.append(BackendEvent(EventKind.TOOL, text=str(part[key].get("name", ""))))
        if texts:
            out.extend(self._text("".join(texts), partial))
        return out

    def _text(self, text: str, partial: bool) -> list[BackendEvent]:
        self.content_count += 1
        if partial:
            self._partial.append(text)
            return []
        self._partial = []  # the complete text replaces the chunks before it
        return self._show(text)

    def _show(self, text: str) -> list[BackendEvent]:
        text = text.strip()
        if not text or text == self._last_text:
            return []
        self._last_text = text
        return [BackendEvent(EventKind.TEXT, text=text)]
