"""One message to the local engine, as the classifier reads it: an edit of the draft (options,
a script; remembered for undo), an answer, a question back, or an undo."""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

from core.backends.base import BackendEvent, EventKind
from core.backends.local.answers import answer, cannot, language_of, quote, short_help
from core.backends.local.classify import Kind, Reading, State, classify
from core.backends.local.history import History, Step
from core.backends.local.instructions import apply_changes
from core.backends.local.project import (
    Project,
    options_from_json,
    options_to_json,
    script_detail,
    script_from_json,
    script_summary,
    script_to_json,
)
from core.engine.model import Limits, RenderOptions, Script
from core.engine.scripts import parse_script_text
from core.engine.voice_plan import VoicePlan
from core.words.notes import Note
from core.words.option_text import describe_options
from core.words.replies import reply

Events = list[BackendEvent]


class LocalBackend(Protocol):
    """What a turn uses of the local backend."""

    history: History
    limits: Limits

    async def save(self, project: Project, **columns: Any) -> None:
        """Write columns of the project's row."""
        ...

    async def voice_note(self, project: Project, after: RenderOptions) -> Note | None:
        """Refuse a voice no installed voice offers; a note when it is not quite the one."""
        ...

    def plan(self, script: Script, options: RenderOptions) -> VoicePlan:
        """Which voice reads each segment."""
        ...


def _said(text: str, kind: EventKind) -> Events:
    return [BackendEvent(EventKind.TEXT, text), BackendEvent(kind)]


async def converse(backend: LocalBackend, project: Project, text: str) -> Events:
    """The events answering one message (a pending question is answered or dropped by it)."""
    history = backend.history
    pending = await history.pending(project.id)
    state = State(
        has_script=project.script_obj is not None or project.narration is not None,
        has_media=project.media is not None,
        pending=pending is not None,
    )
    reading = await asyncio.to_thread(classify, text, state)  # a long script takes a while
    said_in = language_of(text, project.language)
    if pending is not None:
        await history.drop_pending(project.id)
    if reading.kind is Kind.YES and pending is not None:
        return await edit(backend, project, Reading(Kind.SCRIPT, script=pending), said_in)
    if reading.kind is Kind.NO:
        return _said(answer("kept", said_in), EventKind.HOLD)
    if reading.kind is Kind.UNDO:
        return await undo(backend, project, said_in)
    if reading.kind is Kind.CHAT:
        topic = reading.topic
        return _said(
            short_help(said_in) if topic == "help" else answer(topic, said_in), EventKind.HOLD
        )
    if reading.kind is Kind.UNSUPPORTED:
        lines = [*cannot(reading.missing, text, said_in), answer("unchanged", said_in)]
        return _said("\n".join(lines), EventKind.HOLD)
    if reading.kind is Kind.SCRIPT and reading.confirm:
        assert reading.script is not None
        await history.hold(project.id, reading.script)
        script = await asyncio.to_thread(parse_script_text, reading.script, backend.limits)
        count = script_detail(script, project.language)
        question = answer("confirm", project.language, quote=quote(reading.script), count=count)
        return [BackendEvent(EventKind.ASK, question)]
    return await edit(backend, project, reading, said_in)


async def _save_edit(
    backend: LocalBackend,
    project: Project,
    options: RenderOptions,
    script_json: list[list[Any]] | None,
    what: str,
) -> None:
    """Keep the draft before the edit for undo, then save the new options (and script)."""
    before = script_to_json(project.script_obj) if project.script_obj else None
    await backend.history.push(project.id, Step(options_to_json(project.options), before, what))
    columns: dict[str, Any] = {"options": options_to_json(options)}
    if script_json:
        columns["script"] = script_json
    await backend.save(project, **columns)


async def edit(backend: LocalBackend, project: Project, reading: Reading, said_in: str) -> Events:
    """Apply the options and script a message gave (the draft before is kept for undo), and say
    what changed and what could not be done."""
    options = apply_changes(project.options, reading.changes)
    lang = project.language
    lines = describe_options(project.options, options, lang)
    done = [line.removeprefix("✅ ") for line in lines]
    note = await backend.voice_note(project, options)
    script_json: list[list[Any]] | None = None
    script = project.script_obj
    if reading.script:
        script = await asyncio.to_thread(parse_script_text, reading.script, backend.limits)
        script_json = script_to_json(script)
        detail = script_detail(script, lang)
        if project.script_obj is not None:
            lines.append(answer("replaced", lang, count=detail))
        else:
            lines.append(script_summary(None, script, lang))
        first = project.script_obj is None
        done.append(answer("first_script" if first else "new_script", lang, count=detail))
    if script is not None and options.speakers != project.options.speakers:
        # a speaker asking for a voice none installed gives: refused now, nothing saved
        await asyncio.to_thread(backend.plan, script, options)
    if options != project.options or script_json:
        await _save_edit(backend, project, options, script_json, "; ".join(done))
    if note:
        lines.append(f"ℹ️ {note.text(lang)}")
    if reading.missing:
        lines += cannot(reading.missing, "", said_in)
    if not lines and not reading.changes:
        lines.append(reply("no_change", lang))
    text = "\n".join(lines)
    return [
        BackendEvent(EventKind.TEXT, text) if text else BackendEvent(EventKind.TOOL),
        BackendEvent(EventKind.EDIT),
    ]


async def undo(backend: LocalBackend, project: Project, language: str) -> Events:
    """Put the draft back as it was before its latest change."""
    step = await backend.history.pop(project.id)
    if step is None:
        return _said(answer("nothing_to_undo", language), EventKind.HOLD)
    options = options_from_json(step.options)
    await backend.save(project, options=options_to_json(options), script=step.script)
    script = script_from_json(step.script)
    lines = [answer("undone", language, what=step.what)]
    if script is not None and step.script != (
        script_to_json(project.script_obj) if project.script_obj else None
    ):
        lines.append(script_summary(None, script, language))
    return _said("\n".join(lines), EventKind.HOLD)
