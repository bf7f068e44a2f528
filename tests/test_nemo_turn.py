"""One streamed message against the fake: text once, heartbeats, timeouts, drops, silent edits,
the second production stage — and never a message sent twice."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import pytest

from core.backends.base import BackendEvent, EventKind
from core.backends.nemo.backend import NemoBackend
from core.backends.nemo.gui import ACTION_HINTS, GuiAction
from core.backends.nemo.turn import (
    DROP_RECOVERED_TEXT,
    NO_CHANGE_TEXT,
    SECOND_STAGE_TEXT,
    SESSION_RENEWED_TEXT,
)
from core.config import Settings
from core.errors import ErrorCode, VoiceoverError
from tests.fake_nemo import FakeNemo, Step
from tests.nemo_events import (
    EMPTY_DATA,
    HEARTBEAT,
    TURN_COMPLETE,
    add_title,
    adk,
    full_draft,
    segment,
    tool_call,
    video_draft,
)
from tests.nemo_helpers import FAST, collect, texts

pytest_plugins = ["tests.nemo_fixtures"]  # fixtures: nemo_fake, nemo_settings, nemo_backend


@pytest.fixture
async def sid(nemo_backend: NemoBackend) -> str:
    return await nemo_backend.open_session("console:me", "en")


def kinds(events: list[BackendEvent]) -> list[EventKind]:
    return [e.kind for e in events]


async def test_reply_text_shown_once_tools_hidden_and_sent_once(
    nemo_backend: NemoBackend, nemo_fake: FakeNemo, sid: str
) -> None:
    events = await collect(nemo_backend.send(sid, "add a title"))
    assert texts(events) == ["I added the title 'Paradise Found'."]
    assert kinds(events)[0] == EventKind.TOOL and kinds(events)[-1] == EventKind.DONE
    assert nemo_fake.messages_sent == ["add a title"]
    body = nemo_fake.calls("/run_sse")[0]
    assert body.json == {
        "app_name": "nemo_agent",
        "user_id": "me",
        "session_id": sid,
        "new_message": {"parts": [{"text": "add a title"}]},
    }
    assert body.headers["Accept"] == "text/event-stream"


async def test_a_reply_split_into_tiny_writes(
    nemo_backend: NemoBackend, nemo_fake: FakeNemo, sid: str
) -> None:
    raw = HEARTBEAT + adk("Voiceover added: a calm male voice, 你好.") + TURN_COMPLETE
    nemo_fake.script(*[Step(raw[i : i + 3], sleep_s=0.001) for i in range(0, len(raw), 3)])
    events = await collect(nemo_backend.send(sid, "voiceover"))
    assert texts(events) == ["Voiceover added: a calm male voice, 你好."]
    assert EventKind.HEARTBEAT in kinds(events)


async def test_heartbeats_only_times_out_without_resending(
    nemo_backend: NemoBackend, nemo_fake: FakeNemo, sid: str
) -> None:
    beat = 0.125  # on the fake's time: the 5th beat comes at 0.625 s, past heartbeat_only_s
    nemo_fake.script(*[Step(HEARTBEAT if n % 2 else EMPTY_DATA, sleep_s=beat) for n in range(30)])
    seen: list[BackendEvent] = []
    with pytest.raises(VoiceoverError) as caught:
        async for event in nemo_backend.send(sid, "generate a video"):
            seen.append(event)
    assert caught.value.code == ErrorCode.TIMEOUT
    assert FAST.heartbeat_only_s == 0.6
    assert kinds(seen) == [EventKind.HEARTBEAT] * 5  # each passed on, then the timeout
    assert nemo_fake.messages_sent == ["generate a video"]


async def test_the_hard_timeout_stops_a_busy_stream(
    nemo_backend: NemoBackend, nemo_fake: FakeNemo, sid: str
) -> None:
    nemo_fake.script(*[Step(tool_call("render_frame"), sleep_s=0.125) for _ in range(40)])
    seen: list[BackendEvent] = []
    with pytest.raises(VoiceoverError) as caught:
        async for event in nemo_backend.send(sid, "generate"):
            seen.append(event)
    assert caught.value.code == ErrorCode.TIMEOUT
    assert FAST.hard_timeout_s == 1.5  # the 13th tool event comes at 1.625 s: the hard timeout
    assert kinds(seen) == [EventKind.TOOL] * 13  # (not heartbeat_only_s: tools are content)
    assert nemo_fake.messages_sent == ["generate"]


async def test_a_silent_edit_is_described_from_the_state(
    nemo_backend: NemoBackend, nemo_fake: FakeNemo, sid: str
) -> None:
    nemo_fake.sessions[sid].draft = video_draft()
    nemo_fake.script(
        Step(tool_call("add_text"), edit=add_title("Paradise Found")), Step(TURN_COMPLETE)
    )
    events = await collect(nemo_backend.send(sid, "add a title Paradise Found"))
    assert texts(events) == ["✅ Title added: 'Paradise Found' (0–3 s)"]


async def test_a_silent_reply_with_no_change_says_so(
    nemo_backend: NemoBackend, nemo_fake: FakeNemo, sid: str
) -> None:
    nemo_fake.script(Step(HEARTBEAT))
    assert texts(await collect(nemo_backend.send(sid, "hmm"))) == [NO_CHANGE_TEXT]


async def test_a_trailing_temporary_issue_is_ignored(
    nemo_backend: NemoBackend, nemo_fake: FakeNemo, sid: str
) -> None:
    nemo_fake.script(
        Step(adk("Background music added at 35%.")),
        Step(adk("I encountered a temporary issue. Please try again.")),
        Step(TURN_COMPLETE),
    )
    assert texts(await collect(nemo_backend.send(sid, "add music"))) == [
        "Background music added at 35%."
    ]
    nemo_fake.script(Step(adk("I encountered a temporary issue. Please try again.")))
    alone = texts(await collect(nemo_backend.send(sid, "add music")))
    assert alone == ["I encountered a temporary issue. Please try again."]


async def test_gui_instructions_become_chat_actions(
    nemo_backend: NemoBackend, nemo_fake: FakeNemo, sid: str
) -> None:
    nemo_fake.sessions[sid].draft = full_draft()
    reply = (
        "The title now fades in. Preview it in the timeline. "
        "Then click the Export button. Check your account balance for credits."
    )
    nemo_fake.script(Step(adk(reply)), Step(TURN_COMPLETE))
    shown = texts(await collect(nemo_backend.send(sid, "fade the title in")))
    assert shown == [
        "The title now fades in.",
        "Timeline (3 tracks): 1. Video: city timelapse (0-10s) 2. BGM: Lo-fi (0-10s, 35%) "
        '3. Title: "Urban Dreams" (0-3s)',
        "💳 Credits: 100 available, 0 reserved.",
        ACTION_HINTS[GuiAction.EXPORT],
    ]


def second_stage(draft: dict[str, Any]) -> None:
    draft["t"].append({"tt": 1, "sg": [segment("bgm", "Lo-fi", 0, 10000, volume=0.35)]})
    draft["t"].append({"tt": 7, "sg": [segment("title", "Urban Dreams", 0, 3000)]})


async def test_the_second_production_stage_is_reported(
    nemo_backend: NemoBackend, nemo_fake: FakeNemo, sid: str
) -> None:
    nemo_fake.script(
        Step(tool_call("generate_video"), edit=lambda d: d.update(video_draft())),
        Step(adk("Your video is generated.")),
        Step(TURN_COMPLETE, edit=second_stage, edit_later_s=0.15),
    )
    shown = texts(await collect(nemo_backend.send(sid, "generate a city timelapse")))
    assert shown == [
        "Your video is generated.",
        SECOND_STAGE_TEXT,
        "✅ BGM added: 'Lo-fi' (0–10 s, 35%)\n✅ Title added: 'Urban Dreams' (0–3 s)",
    ]
    assert nemo_fake.messages_sent == ["generate a city timelapse"]


async def test_a_dropped_stream_is_never_resent_and_a_change_is_reported(
    nemo_backend: NemoBackend, nemo_fake: FakeNemo, sid: str
) -> None:
    nemo_fake.sessions[sid].draft = video_draft()
    nemo_fake.script(
        Step(adk("Working on it", partial=True)),
        Step(edit=add_title("Paradise Found"), edit_later_s=0.12),
        Step(drop=True),
    )
    events = await collect(nemo_backend.send(sid, "add a title"))
    assert texts(events) == [f"{DROP_RECOVERED_TEXT}\n✅ Title added: 'Paradise Found' (0–3 s)"]
    assert kinds(events)[-1] == EventKind.DONE
    assert nemo_fake.messages_sent == ["add a title"]
    assert len(nemo_fake.calls("/run_sse")) == 1


async def test_a_dropped_stream_with_no_change_fails_after_five_reads(
    nemo_backend: NemoBackend, nemo_fake: FakeNemo, sid: str
) -> None:
    nemo_fake.script(Step(HEARTBEAT), Step(drop=True))
    with pytest.raises(VoiceoverError) as caught:
        await collect(nemo_backend.send(sid, "add a title"))
    assert caught.value.code == ErrorCode.STREAM_LOST
    assert "send your message again" in caught.value.message().lower()
    assert len(nemo_fake.calls("/api/state")) == 1 + FAST.drop_max_reads  # before + the re-reads
    assert nemo_fake.messages_sent == ["add a title"]


async def test_a_silent_stall_counts_as_a_drop(
    nemo_settings: Settings, nemo_fake: FakeNemo
) -> None:
    nemo = NemoBackend(
        nemo_settings,
        timings=dataclasses.replace(FAST, stream_silence_s=0.2),
        clock=nemo_fake.time,
    )
    sid = await nemo.open_session("u", "en")
    nemo_fake.script(Step(adk("Sure.")), Step(stall=True))  # httpx's read timeout (real) fires
    with pytest.raises(VoiceoverError) as caught:
        await collect(nemo.send(sid, "title"))
    await nemo.aclose()
    assert caught.value.code == ErrorCode.STREAM_LOST
    assert nemo_fake.messages_sent == ["title"]


async def test_a_lost_session_is_replaced_before_the_message_is_accepted(
    nemo_backend: NemoBackend, nemo_fake: FakeNemo, sid: str
) -> None:
    nemo_fake.lose_session(sid)
    events = await collect(nemo_backend.send(sid, "hello"))
    assert texts(events)[0] == SESSION_RENEWED_TEXT
    new = nemo_backend.book.resolve(sid)
    assert new != sid and nemo_fake.sessions[new].messages == ["hello"]
    assert nemo_fake.messages_sent == ["hello"]


async def test_rate_limited_message_waits_and_is_sent_once(
    nemo_backend: NemoBackend, nemo_fake: FakeNemo, sid: str
) -> None:
    nemo_fake.fail("sse", 429, 429)
    events = await collect(nemo_backend.send(sid, "hello"))
    assert texts(events) == ["I added the title 'Paradise Found'."]
    assert len(nemo_fake.calls("/run_sse")) == 2 and nemo_fake.messages_sent == ["hello"]


async def events_of(stream: AsyncIterator[BackendEvent]) -> list[EventKind]:
    return kinds(await collect(stream))


async def test_comments_and_empty_data_are_heartbeats(
    nemo_backend: NemoBackend, nemo_fake: FakeNemo, sid: str
) -> None:
    nemo_fake.script(
        Step(b": keep-alive\n\n"), Step(EMPTY_DATA), Step(adk("ok")), Step(TURN_COMPLETE)
    )
    assert await events_of(nemo_backend.send(sid, "x")) == [
        EventKind.HEARTBEAT,
        EventKind.HEARTBEAT,
        EventKind.TEXT,
        EventKind.DONE,
    ]
