"""The SSE parser (chunks split anywhere), the ADK reader and the GUI translation table."""

from __future__ import annotations

import json

import pytest

from core.backends.base import EventKind
from core.backends.nemo.gui import GuiAction, translate_gui
from core.backends.nemo.sse import AdkReader, NemoStreamError, SseMessage, SseParser

STREAM = (
    "\ufeff: connected\r\n\r\n"
    "event: heartbeat\ndata: \n\n"
    "data:\n\n"
    'data: {"content": {"parts": [{"text": "Hé"}]},\n'
    'data:  "partial": true}\n\n'
    "id: 7\r"
    "event: update\r"
    "data: plain text, 你好\r\r"
    "retry: 500\nunknown: x\n\n"
    "data: line one\r\ndata: line two\r\n\r\n"
    "data: unterminated"
)
EXPECTED = [
    SseMessage("comment", "connected", None, comment=True),
    SseMessage("heartbeat", "", None),
    SseMessage("message", "", None),
    SseMessage("message", '{"content": {"parts": [{"text": "Hé"}]},\n "partial": true}', None),
    SseMessage("update", "plain text, 你好", "7"),
    SseMessage("message", "line one\nline two", "7"),
    SseMessage("message", "unterminated", "7"),
]


def parse(chunks: list[bytes]) -> list[SseMessage]:
    parser = SseParser()
    out = [m for chunk in chunks for m in parser.feed(chunk)]
    return out + parser.close()


def test_whole_stream_parses() -> None:
    assert parse([STREAM.encode()]) == EXPECTED


def test_byte_by_byte_feed_gives_the_same_messages() -> None:
    raw = STREAM.encode()
    assert parse([raw[i : i + 1] for i in range(len(raw))]) == EXPECTED


@pytest.mark.parametrize("cut", range(1, 40))
def test_any_two_way_split_gives_the_same_messages(cut: int) -> None:
    raw = STREAM.encode()
    assert parse([raw[:cut], raw[cut:]]) == EXPECTED


def test_cr_lf_split_between_chunks_is_one_line_end() -> None:
    assert parse([b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n"]) == [SseMessage(data="a\nb")]


def feed_all(reader: AdkReader, *payloads: object) -> list[tuple[EventKind, str]]:
    out = []
    for payload in payloads:
        data = payload if isinstance(payload, str) else json.dumps(payload)
        out += [(e.kind, e.text) for e in reader.feed(SseMessage(data=data))]
    return out


def text_event(text: str, partial: bool = False) -> dict[str, object]:
    return {"content": {"role": "model", "parts": [{"text": text}]}, "partial": partial}


def test_partial_text_then_complete_text_is_shown_once() -> None:
    reader = AdkReader()
    events = feed_all(
        reader,
        text_event("Adding ", partial=True),
        text_event("a title.", partial=True),
        text_event("Adding a title."),
        {"turnComplete": True},
    )
    assert events == [(EventKind.TEXT, "Adding a title."), (EventKind.DONE, "")]


def test_partial_text_without_a_complete_text_is_shown_at_the_end() -> None:
    reader = AdkReader()
    events = feed_all(reader, text_event("Half ", True), text_event("done.", True))
    assert events == []
    assert [(e.kind, e.text) for e in reader.finish()] == [(EventKind.TEXT, "Half done.")]


def test_tool_activity_heartbeats_plain_text_and_odd_events() -> None:
    reader = AdkReader()
    call = {"content": {"parts": [{"functionCall": {"name": "generate_video", "args": {}}}]}}
    result = {"content": {"parts": [{"functionResponse": {"name": "generate_video"}}]}}
    events = feed_all(
        reader,
        call,
        result,
        {"type": "heartbeat"},
        "just words",
        "[1, 2]",
        {"actions": {"stateDelta": {}}},
        {"content": {"role": "user", "parts": [{"text": "echo of the user"}]}},
        {"content": {"parts": [{"text": "thinking", "thought": True}]}},
        "[DONE]",
    )
    assert events == [
        (EventKind.TOOL, "generate_video"),
        (EventKind.TOOL, "generate_video"),
        (EventKind.HEARTBEAT, ""),
        (EventKind.TEXT, "just words"),
        (EventKind.DONE, ""),
    ]
    assert reader.content_count == 3


def test_an_error_envelope_in_the_stream_is_raised() -> None:
    with pytest.raises(NemoStreamError) as caught:
        feed_all(AdkReader(), {"code": 2001, "data": {"needed": 100}})
    assert caught.value.code == 2001


def test_gui_steps_are_removed_and_become_actions() -> None:
    text = (
        "I added the title 'Paradise Found' (0-3 s). Click the Export button to download it.\n"
        "Open the music panel to change the track; you can drag it to move it. "
        "Check your account for credits."
    )
    gui = translate_gui(text)
    assert gui.text == "I added the title 'Paradise Found' (0-3 s)."
    assert gui.actions == (GuiAction.EXPORT, GuiAction.STATE, GuiAction.EDIT, GuiAction.CREDITS)


@pytest.mark.parametrize(
    ("text", "kept", "action"),
    [
        ("已添加背景音乐。点击导出按钮下载。", "已添加背景音乐。", GuiAction.EXPORT),
        ("标题已更新。打开素材面板查看。", "标题已更新。", GuiAction.STATE),
        ("Music added! Preview it in the timeline.", "Music added!", GuiAction.SUMMARY),
        ("Click Apply to confirm. Done.", "Done.", GuiAction.CLICK),
        ("拖拽片段即可调整顺序。好的", "好的", GuiAction.EDIT),
    ],
)
def test_gui_translation_table(text: str, kept: str, action: GuiAction) -> None:
    gui = translate_gui(text)
    assert (gui.text, gui.actions) == (kept, (action,))


def test_content_without_gui_steps_is_untouched() -> None:
    text = "Your video now has a calm male voiceover in English.\nThe music fades out at 9 s."
    assert translate_gui(text).text == text
    assert translate_gui(text).actions == ()
