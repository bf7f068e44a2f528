""" "transcribe" / "转写" / /transcribe: what the project's video says, sent as an SRT file with a
one-line summary; no credits, no job (like the preview). The texts of issue 21 live here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.chat.turn import FlowDeps, Turn, ack_if_slow
from core.errors import ErrorCode, ErrorText, VoiceoverError, human_duration
from core.files import owner_digest

LANGUAGE_NAMES = {"en": ("English", "英语"), "zh": ("Chinese", "中文")}
TEXTS: dict[str, ErrorText] = {
    "transcribing": ErrorText("👂 Listening to {name}…", "👂 正在听写 {name}…"),
    "transcribed": ErrorText(
        "📝 Transcript of {name}: {length}, {lines} lines, {language}. Fix any word and send "
        "the file back to use it as the script; say “revoice it” to have it read in our voice.",
        "📝 {name} 的转写：{length}，{lines} 行，{language}。可修改后把文件发回作为脚本；"
        "说“重新配音”即可用我们的声音重新朗读。",
    ),
    "transcribe_unavailable": ErrorText("This backend can't transcribe.", "当前后端不支持转写。"),
}


def captions_from_speech(draft: Mapping[str, Any]) -> bool:
    """Whether the draft's captions come from the video's speech (no script needed)."""
    return any(
        isinstance(seg, dict) and seg.get("m", {}).get("from_speech")
        for track in draft.get("t", [])
        if isinstance(track, dict)
        for seg in track.get("sg", [])
    )


def hearing_text(key: str, lang: str, **fields: object) -> str:
    """One of this module's texts in the user's language."""
    text = TEXTS[key]
    template = text.zh if lang.lower().startswith("zh") else text.en
    return template.format(**fields)


async def transcribe(ctx: Turn, deps: FlowDeps) -> bool:
    """Transcribe the project's video and send the SRT (the backend must offer it)."""
    make = getattr(deps.backend, "transcribe", None)
    if make is None:
        await ctx.chat.say(hearing_text("transcribe_unavailable", ctx.lang))
        return False
    session = await deps.sessions.current(ctx.owner)
    if session is None:
        raise VoiceoverError(ErrorCode.NO_PROJECT)
    folder = deps.settings.data_dir / "transcripts" / owner_digest(ctx.owner)
    work = make(session["session_id"], folder)
    summary = await ack_if_slow(ctx, work, "working_on_it")
    zh = ctx.lang.lower().startswith("zh")
    names = LANGUAGE_NAMES.get(summary["language"], (summary["language"],) * 2)
    caption = hearing_text(
        "transcribed",
        ctx.lang,
        name=summary["name"],
        length=human_duration(summary["duration_s"]),
        lines=summary["lines"],
        language=names[1 if zh else 0],
    )
    await ctx.chat.send_file(summary["path"], caption)
    return False
