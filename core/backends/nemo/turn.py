"""One message to NemoVideo and its streamed reply, with every fallback the notes ask for.

- Text is GUI-translated; tool activity becomes TOOL events; heartbeats pass through.
- Heartbeats only for `heartbeat_only_s`, or streaming past `hard_timeout_s` → TIMEOUT.
- No text at all (a silent edit) → read the state and say what changed.
- A trailing "I encountered a temporary issue" after normal text is ignored.
- The stream drops → never re-send: wait, read the state, report a change or give up after
  `drop_max_reads` unchanged reads with a retry offer.
- A raw video generated → poll for the second stage (music, title) and report it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx

from core.backends.base import BackendEvent, Credits, EventKind
from core.backends.nemo.client import ErrorTranslator, NemoApiError, NemoClient, StateReader
from core.backends.nemo.gui import ACTION_HINTS, GuiAction, translate_gui
from core.backends.nemo.sse import AdkReader, NemoStreamError, SseParser
from core.backends.nemo.timings import NemoTimings
from core.clock import Clock, MonotonicClock
from core.errors import ErrorCode, VoiceoverError
from core.words.timeline import summarize_draft, track_labels
from core.words.timeline_changes import describe_changes

log = logging.getLogger(__name__)

TEMPORARY_ISSUE = re.compile(r"encountered a temporary issue", re.IGNORECASE)
NO_CHANGE_TEXT = "✅ Done. The timeline looks the same as before; send “status” to see it."
DROP_RECOVERED_TEXT = "The connection dropped, but the cloud finished your request:"
SESSION_RENEWED_TEXT = (
    "Your cloud session had expired, so I started a new one. "
    "If the reply asks for your files, send them again."
)
SECOND_STAGE_TEXT = "🎬 The raw video is ready; the cloud is adding music and a title now…"
SECOND_STAGE_LATE_TEXT = "The music and title are still on their way; send “status” in a minute."
STAGE_TWO_LABELS = frozenset({"BGM", "Title"})


def _text(text: str) -> BackendEvent:
    return BackendEvent(EventKind.TEXT, text=text)


class _Dropped(Exception):
    """The stream broke after the message was sent."""


class Turn:
    """Streams one message's reply as BackendEvents."""

    def __init__(
        self,
        session_id: str,
        text: str,
        *,
        client: NemoClient,
        timings: NemoTimings,
        read_state: StateReader,
        translate_error: ErrorTranslator,
        replace_session: Callable[[str], Awaitable[str]],
        read_credits: Callable[[], Awaitable[Credits]],
        language: str = "en",
        clock: Clock | None = None,
    ) -> None:
        self.client = client
        self.clock = clock or MonotonicClock()  # deadlines and waits (tests: a fake one)
        self.timings = timings
        self.read_state = read_state
        self.translate_error = translate_error
        self.replace_session = replace_session
        self.read_credits = read_credits
        self.language = language  # the user's, for our own words (the timeline and changes)
        self.sid = session_id
        self.text = text
        self.replied = False  # the backend said something (even if only GUI steps)
        self.held: list[str] = []  # "temporary issue" texts, shown only if nothing else came
        self.actions: list[GuiAction] = []

    async def _draft(self) -> dict[str, Any] | None:
        """The current draft, or None when it can't be read (never fails the turn)."""
        try:
            state = await self.read_state(self.sid)
        except NemoApiError as exc:
            log.info("NemoVideo state read failed: %s", exc.code)
            return None
        draft = state.get("draft")
        return draft if isinstance(draft, dict) else {}

    async def events(self) -> AsyncIterator[BackendEvent]:
        """The reply: text, tool, heartbeat events, then DONE."""
        before = await self._draft() or {}
        try:
            async for event in self._stream():
                yield event
        except _Dropped:
            log.info("NemoVideo stream dropped; reading the state instead of re-sending")
            async for event in self._recover(before):
                yield event
            return
        after = await self._draft()
        async for event in self._wrap_up(before, after if after is not None else before):
            yield event

    def _request(self) -> tuple[dict[str, Any], httpx.Timeout]:
        body = {
            "app_name": "nemo_agent",
            "user_id": "me",
            "session_id": self.sid,
            "new_message": {"parts": [{"text": self.text}]},
        }
        silence = self.timings.stream_silence_s
        return body, httpx.Timeout(silence, connect=10.0, write=60.0)

    async def _stream(self) -> AsyncIterator[BackendEvent]:
        for attempt in range(2):
            try:
                async for event in self._read():
                    yield event
                return
            except NemoApiError as exc:
                if exc.code != ErrorCode.SESSION_NOT_FOUND or attempt:
                    raise await self.translate_error(exc, session=self.sid) from None
            self.sid = await self.replace_session(self.sid)
            yield _text(SESSION_RENEWED_TEXT)

    async def _read(self) -> AsyncIterator[BackendEvent]:
        parser, reader = SseParser(), AdkReader()
        start = last_content = self.clock.now()
        body, timeouts = self._request()
        try:
            async with self.client.stream("/run_sse", body, timeouts) as response:
                async for chunk in response.aiter_bytes():
                    seen = reader.content_count
                    for message in parser.feed(chunk):
                        for event in reader.feed(message):
                            if event.kind == EventKind.DONE:
                                return
                            async for shown in self._show(event):
                                yield shown
                    now = self.clock.now()
                    last_content = now if reader.content_count != seen else last_content
                    self._check_deadlines(now - start, now - last_content)
            for message in parser.close():
                for event in reader.feed(message):
                    async for shown in self._show(event):
                        yield shown
            for event in reader.finish():
                async for shown in self._show(event):
                    yield shown
        except NemoStreamError as exc:
            raise NemoApiError(exc.code, exc.data) from None
        except (httpx.ConnectError, httpx.ConnectTimeout):
            raise VoiceoverError(ErrorCode.BACKEND_UNAVAILABLE) from None
        except httpx.HTTPError as exc:
            log.info("NemoVideo stream broke: %s", type(exc).__name__)
            raise _Dropped from None

    def _check_deadlines(self, streaming_s: float, quiet_s: float) -> None:
        if streaming_s > self.timings.hard_timeout_s:
            log.info("NemoVideo turn hit the hard timeout")
            raise VoiceoverError(ErrorCode.TIMEOUT)
        if quiet_s > self.timings.heartbeat_only_s:
            log.info("NemoVideo sent only heartbeats for %.0f s", quiet_s)
            raise VoiceoverError(ErrorCode.TIMEOUT)

    async def _show(self, event: BackendEvent) -> AsyncIterator[BackendEvent]:
        if event.kind != EventKind.TEXT:
            yield event
            return
        if TEMPORARY_ISSUE.search(event.text):
            if not self.replied:
                self.held.append(event.text)
            return  # after normal text it is noise
        self.replied = True
        gui = translate_gui(event.text)
        self.actions.extend(a for a in gui.actions if a not in self.actions)
        if gui.text:
            yield _text(gui.text)

    async def _wrap_up(
        self, before: dict[str, Any], after: dict[str, Any]
    ) -> AsyncIterator[BackendEvent]:
        changes = describe_changes(before, after, self.language)
        if not self.replied:
            held = translate_gui(self.held[-1]).text if self.held else ""
            yield _text("\n".join(changes) if changes else held or NO_CHANGE_TEXT)
        async for event in self._perform_actions(after):
            yield event
        if self._second_stage_due(before, after):
            async for event in self._second_stage(after):
                yield event
        yield BackendEvent(EventKind.DONE)

    async def _perform_actions(self, after: dict[str, Any]) -> AsyncIterator[BackendEvent]:
        if {GuiAction.SUMMARY, GuiAction.STATE} & set(self.actions):
            yield _text(summarize_draft(after, self.language))
        if GuiAction.CREDITS in self.actions:
            try:
                balance = await self.read_credits()
                yield _text(
                    f"💳 Credits: {balance.available} available, {balance.frozen} reserved."
                )
            except VoiceoverError:
                pass
        for action in self.actions:
            if action in ACTION_HINTS:
                yield _text(ACTION_HINTS[action])

    def _second_stage_due(self, before: dict[str, Any], after: dict[str, Any]) -> bool:
        had_video = "Video" in track_labels(before)
        labels = track_labels(after)
        return not had_video and "Video" in labels and not labels >= STAGE_TWO_LABELS

    async def _second_stage(self, raw: dict[str, Any]) -> AsyncIterator[BackendEvent]:
        yield _text(SECOND_STAGE_TEXT)
        for _ in range(self.timings.second_stage_max_polls):
            async for beat in self._wait(self.timings.second_stage_poll_s):
                yield beat
            draft = await self._draft()
            changes = describe_changes(raw, draft, self.language) if draft is not None else []
            if changes:
                yield _text("\n".join(changes))
                return
        yield _text(SECOND_STAGE_LATE_TEXT)

    async def _wait(self, seconds: float) -> AsyncIterator[BackendEvent]:
        """Sleep, with a heartbeat at least every heartbeat_every_s so the chat knows."""
        deadline = self.clock.now() + seconds
        while (left := deadline - self.clock.now()) > 0:
            yield BackendEvent(EventKind.HEARTBEAT)
            await self.clock.sleep(min(left, self.timings.heartbeat_every_s))

    async def _recover(self, before: dict[str, Any]) -> AsyncIterator[BackendEvent]:
        for read in range(self.timings.drop_max_reads):
            wait = self.timings.drop_wait_s if read == 0 else self.timings.drop_recheck_s
            async for beat in self._wait(wait):
                yield beat
            draft = await self._draft()
            changes = describe_changes(before, draft, self.language) if draft is not None else []
            if draft is not None and changes:
                yield _text("\n".join([DROP_RECOVERED_TEXT, *changes]))
                if self._second_stage_due(before, draft):
                    async for event in self._second_stage(draft):
                        yield event
                yield BackendEvent(EventKind.DONE)
                return
        raise VoiceoverError(ErrorCode.STREAM_LOST)
