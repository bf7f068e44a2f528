"""Pronunciation fixes in chat: "say Aurora as aw-ROAR-uh", /lexicon (list), /lexicon remove."""

from __future__ import annotations

from core.chat.routing import Routed
from core.chat.sessions import Sessions
from core.chat.turn import Turn
from core.engine.lexicon import Lexicon, parse_entry
from core.words.replies import reply

REMOVE_WORDS = frozenset({"remove", "delete", "forget", "rm", "删除", "移除"})
ADD_WORDS = frozenset({"add", "set", "添加"})


async def lexicon_turn(ctx: Turn, routed: Routed, sessions: Sessions, applies: bool) -> None:
    """Add ("word = say"), remove ("remove word") or list the user's fixes."""
    text = routed.rest.strip()
    verb, _, rest = text.partition(" ")
    if verb.casefold() in REMOVE_WORDS and rest.strip():
        removed = await sessions.remove_word(ctx.owner, rest)
        await ctx.say("lexicon_removed" if removed else "lexicon_missing", word=rest.strip())
        return
    if verb.casefold() in ADD_WORDS and "=" in rest:
        text = rest
    if "=" in text:
        word, _, say = text.partition("=")
        entry = parse_entry(word, say)
        await sessions.add_word(ctx.owner, entry)
        await ctx.say("lexicon_added", word=entry.word, say=entry.say)
        if not applies:
            await ctx.say("lexicon_not_applied")
        return
    if text:
        await ctx.say("lexicon_usage")
        return
    await ctx.chat.say(lexicon_listing(await sessions.lexicon(ctx.owner), ctx.lang))


def lexicon_listing(lexicon: Lexicon, lang: str) -> str:
    """The user's fixes as chat lines (or how to add one)."""

    if not lexicon:
        return reply("lexicon_empty", lang)
    lines = [f"• {entry.word} → {entry.say}" for entry in lexicon.entries]
    return reply("lexicon_list", lang, entries="\n".join(lines))


def lexicon_line(lexicon: Lexicon, lang: str) -> str | None:
    """One status line naming the fixes in use, or None without any."""

    if not lexicon:
        return None
    pairs = "; ".join(f"{entry.word} → {entry.say}" for entry in lexicon.entries)
    return reply("lexicon_status", lang, entries=pairs)
