"""What every flow works with: the user's session, reply language and pronunciation fixes."""

from __future__ import annotations

from core.chat.fair_gate import FairGate
from core.chat.reply_language import is_chat_line, reply_language_of_text
from core.chat.turn import FlowDeps, Turn
from core.engine.lexicon import Lexicon
from core.errors import ErrorCode, VoiceoverError
from core.store import Row


class FlowState:
    """The flows' shared state and the questions they ask of it."""

    def __init__(self, deps: FlowDeps) -> None:
        self.deps = deps
        self.probe_gate = FairGate(deps.settings.probe_slots)  # files probed, across users

    async def language_of(self, ctx: Turn) -> str:
        """The user's chosen reply language, else the platform's locale, else the language of
        the user's own words (remembered; after the first, only short lines change it)."""
        chosen = await self.deps.sessions.language(ctx.owner)
        if chosen or ctx.incoming.language:
            return chosen or ctx.incoming.language
        heard = await self.deps.sessions.heard_language(ctx.owner)
        listen = heard is None or is_chat_line(ctx.incoming)  # a script tells only at first
        said = reply_language_of_text(ctx.incoming.text) if listen else None
        if said is not None and said != heard:
            await self.deps.sessions.heard(ctx.owner, said)
        return said or heard or "en"

    async def session(self, ctx: Turn, create: bool = True) -> Row | None:
        """The user's current project session (opened on first use)."""
        row = await self.deps.sessions.current(ctx.owner)
        if row is None and create:
            await self._open_session(ctx)
            row = await self.deps.sessions.current(ctx.owner)
        return row

    async def _lexicon(self, ctx: Turn) -> Lexicon:
        """The user's pronunciation fixes when the backend's voices take them."""
        if not self.deps.backend.speaks_lexicon:
            return Lexicon()
        return await self.deps.sessions.lexicon(ctx.owner)

    async def _lexicon_pairs(self, ctx: Turn) -> list[list[str]]:
        return (await self._lexicon(ctx)).to_pairs()

    async def _need_session(self, ctx: Turn) -> Row:
        row = await self.session(ctx, create=False)
        if row is None:
            raise VoiceoverError(ErrorCode.NO_PROJECT)
        return row

    async def _open_session(self, ctx: Turn) -> str:
        session_id = await self.deps.backend.open_session(ctx.owner, ctx.lang)
        await self.deps.sessions.start(ctx.owner, session_id, ctx.lang)
        return session_id
