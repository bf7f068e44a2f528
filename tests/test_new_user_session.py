"""The issue's session, rendered for real: a new user keeps their script through four requests
we can't do, pays for one render, gets their video again for an unchanged draft, and undoes a
replaced script."""

from __future__ import annotations

import asyncio
from pathlib import Path

from core.service import Service
from tests.chat_helpers import SCRIPT, incoming
from tests.fakes import RecordingChat
from tests.held_render import RenderGate

REQUESTS = (  # issue 21 made "karaoke captions at the top, in yellow" and "transcribe" work
    "animated captions in the top left corner",  # (tests/test_look_phrases.py has those)
    "add a pause after the first sentence",
    "lip sync it",
    "make the voice more excited",
)
NEW_SCRIPT = "Our bakery has been serving the neighbourhood since 1987, one loaf at a time."


async def idle(service: Service) -> None:
    await asyncio.wait_for(service.wait_idle(), 180)


async def said_to(service: Service, chat: RecordingChat, text: str, **kw: object) -> list[str]:
    start = len(chat.calls)
    await service.handle(incoming(text, **kw), chat)  # type: ignore[arg-type]
    return [c.text for c in chat.calls[start:] if c.kind in ("say", "refuse", "ask")]


async def test_the_issues_session(service: Service, tiny: Path) -> None:
    chat = RecordingChat()
    await service.handle(incoming(files=(tiny,)), chat)
    await service.handle(incoming(SCRIPT), chat)
    await idle(service)
    assert len(chat.results) == 1
    for request in REQUESTS:
        said = await said_to(service, chat, request)
        assert said and said[0].startswith("🤷 I can't"), said
        assert not any("Script" in s or "Rendering" in s for s in said)
    await idle(service)
    credits = await service.backend.credits("telegram:1")
    assert (len(chat.results), credits.available) == (1, 90)
    status = "\n".join(await said_to(service, chat, "status"))
    assert "Voiceover" in status and "0-4s" in status  # the script's voiceover, not 1.2 s

    said = await said_to(service, chat, "", files=(tiny,))  # the same video again
    assert "Nothing changed since the last render, so here it is again." in said
    await idle(service)
    assert len(chat.results) == 2 and chat.results[1].video == chat.results[0].video

    said = await said_to(service, chat, NEW_SCRIPT)
    assert any("replacing the old one. Say 'undo' to go back" in s for s in said), said
    await idle(service)
    said = await said_to(service, chat, "undo")
    assert said[0].startswith("↩️ Undone: the new script (14 words)")
    draft = await service.backend.state(
        (await service.flows.deps.sessions.current("telegram:1"))["session_id"]
    )  # type: ignore[index]
    voiceover = next(t["sg"][0]["m"] for t in draft["t"] if t["sg"][0]["m"]["role"] == "voiceover")
    assert voiceover["text"] == SCRIPT[:60]
    said = await said_to(service, chat, "撤销")  # several steps back: the first script
    assert said[0].startswith("↩️ 已撤销：the script (10 words)")
    assert (await said_to(service, chat, "/undo"))[0] == "There is nothing to undo."
    assert len(chat.results) == 3  # the replaced script's video; undo rendered nothing


async def test_an_unchanged_draft_while_it_renders(
    service: Service, tiny: Path, render_gate: RenderGate
) -> None:
    chat = RecordingChat()
    await service.handle(incoming(SCRIPT, files=(tiny,)), chat)
    await render_gate.reached("speech")
    said = await said_to(service, chat, "", files=(tiny,))
    assert "🎬 Nothing changed: that's the video being rendered now." in said
    render_gate.release_all()
    await idle(service)
    assert len(chat.results) == 1
