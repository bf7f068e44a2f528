"""Drafts and SSE events in the NemoVideo shapes, for the fake server and the tests."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

Draft = dict[str, Any]


def segment(role: str, name: str, start_ms: int, dur_ms: int, **meta: Any) -> dict[str, Any]:
    """A draft segment."""
    key = "text" if role in ("title", "caption") else "name"
    return {"s": start_ms, "d": dur_ms, "m": {key: name, "role": role, **meta}}


def video_draft() -> Draft:
    """A draft after generation: one video track (the raw video, before the second stage)."""
    return {"d": 10000, "t": [{"tt": 0, "sg": [segment("video", "city timelapse", 0, 10000)]}]}


def full_draft() -> Draft:
    """The NemoVideo draft example: video, BGM at 35%, a title."""
    draft = video_draft()
    draft["t"].append({"tt": 1, "sg": [segment("bgm", "Lo-fi", 0, 10000, volume=0.35)]})
    draft["t"].append({"tt": 7, "sg": [segment("title", "Urban Dreams", 0, 3000)]})
    return draft


def add_title(text: str) -> Callable[[Draft], None]:
    """An edit that adds a 0–3 s title track."""

    def edit(draft: Draft) -> None:
        draft.setdefault("t", []).append({"tt": 7, "sg": [segment("title", text, 0, 3000)]})

    return edit


def adk(text: str = "", *, partial: bool = False, **extra: Any) -> bytes:
    """One ADK event as an SSE `data:` block."""
    event: dict[str, Any] = {"id": uuid.uuid4().hex[:8], "author": "nemo_agent", **extra}
    if text:
        event["content"] = {"role": "model", "parts": [{"text": text}]}
    if partial:
        event["partial"] = True
    return f"data: {json.dumps(event)}\n\n".encode()


def tool_call(name: str) -> bytes:
    """An ADK functionCall event."""
    event = {"author": "nemo_agent", "content": {"parts": [{"functionCall": {"name": name}}]}}
    return f"data: {json.dumps(event)}\n\n".encode()


HEARTBEAT = b"event: heartbeat\ndata: \n\n"
EMPTY_DATA = b"data:\n\n"
TURN_COMPLETE = adk(turnComplete=True)
