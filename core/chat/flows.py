"""The flows a message can start (one method per intent of the routing table)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from core.backends.local.classify import lacking
from core.chat.apikey_flow import api_help_turn, apikey_turn
from core.chat.commands import INTENTS
from core.chat.drafts import fingerprint
from core.chat.edit_offer import offer_edit
from core.chat.help_text import help_text
from core.chat.lexicon_flow import lexicon_line, lexicon_turn
from core.chat.routing import Routed, reply_language
from core.chat.turn import FlowDeps, Turn, installed_voices
from core.chat.voice_flows import find_voice, install_voice, list_voices, play_sample
from core.chat.work_flows import WorkFlows
from core.errors import ErrorCode, VoiceoverError
from core.files import owner_digest
from core.words.replies import reply, stage_label
from core.words.timeline import summarize_draft
from core.words.timeline_picture import send_timeline
from core.work.model import JobStatus

# Keywords that stand for a whole request: in words that also ask for a feature we lack
# ("export as a GIF", "edit the voice pitch online"), the message is conversation instead, so
# the missing feature is answered rather than lost behind a link or a render.
KEYWORD_YIELDS = frozenset({"export", "preview", "upload", "new_project", "edit", "transcribe"})


class Flows(WorkFlows):
    """Every flow, run in its user's order; each returns True when it created a job."""

    def __init__(self, deps: FlowDeps) -> None:
        super().__init__(deps)
        self.table: dict[str, Callable[[Turn, Routed], Awaitable[bool]]] = {
            intent: getattr(self, f"flow_{intent}") for intent in INTENTS
        }

    async def run(self, ctx: Turn, routed: Routed) -> bool:
        """Run the flow for the routed intent; a keyword of KEYWORD_YIELDS in words asking for a
        feature we lack is conversation (the lack answered, nothing made)."""
        if (
            not routed.command
            and routed.intent in KEYWORD_YIELDS
            and not ctx.incoming.attachments
            and lacking(routed.rest)
        ):
            routed = Routed("converse", rest=routed.rest)
        try:
            return bool(await self.table[routed.intent](ctx, routed))
        except VoiceoverError as err:
            if err.code is ErrorCode.SESSION_NOT_FOUND:
                await self.deps.sessions.forget(ctx.owner)
            raise

    # Simple answers ----------------------------------------------------------------------------

    async def flow_help(self, ctx: Turn, routed: Routed) -> bool:
        """What the user can send and say."""
        await ctx.chat.say(help_text(ctx.lang))
        return False

    async def flow_did_you_mean(self, ctx: Turn, routed: Routed) -> bool:
        """A near-miss command."""
        await ctx.say("did_you_mean", command=routed.command, suggestion=routed.suggestion)
        return False

    async def flow_unknown_command(self, ctx: Turn, routed: Routed) -> bool:
        """A command nobody knows."""
        await ctx.say("unknown_command", command=routed.command)
        return False

    async def flow_voices(self, ctx: Turn, routed: Routed) -> bool:
        """The installed voices with samples; '/voices sample KEY'; an admin's install."""
        words, sample = routed.rest.split(), ctx.incoming.args.get("sample")
        if words[:1] == ["install"]:
            await install_voice(ctx, self.deps, words[1:])
        elif sample or words[:1] in (["sample"], ["试听"]):
            await play_sample(ctx, self.deps, sample or " ".join(words[1:]))
        else:
            await list_voices(ctx, self.deps)
        return False

    async def flow_voice_sample(self, ctx: Turn, routed: Routed) -> bool:
        """One voice's sample ('/sample KEY', 'play the sample of KEY'); words naming no voice
        key are conversation after all."""
        if not routed.command and not find_voice(installed_voices(self.deps.backend), routed.rest):
            return await self.flow_converse(ctx, Routed("converse", rest=routed.rest))
        await play_sample(ctx, self.deps, routed.rest)
        return False

    async def flow_language(self, ctx: Turn, routed: Routed) -> bool:
        """Switch the reply language."""
        ctx.lang = reply_language(routed.rest or ctx.incoming.text, ctx.lang)
        await self.deps.sessions.set_language(ctx.owner, ctx.lang)
        session = await self.session(ctx, create=False)
        if session is not None:  # the backend's own words follow
            await self.deps.backend.set_language(session["session_id"], ctx.lang)
        await ctx.say("language_set")
        return False

    async def flow_lexicon(self, ctx: Turn, routed: Routed) -> bool:
        """Pronunciation fixes: add ("say X as Y"), list, remove."""
        applies = self.deps.backend.speaks_lexicon
        await lexicon_turn(ctx, routed, self.deps.sessions, applies)
        return False

    async def flow_edit(self, ctx: Turn, routed: Routed) -> bool:
        """A personal link to the project's edit page."""
        return await offer_edit(ctx, self.deps)

    async def flow_apikey(self, ctx: Turn, routed: Routed) -> bool:
        """A key for the HTTP API ('/apikey'), or its revocation ('/apikey revoke')."""
        await apikey_turn(ctx, routed, self.deps.api_keys, self.deps.signer.base_url)
        return False

    async def flow_api_help(self, ctx: Turn, routed: Routed) -> bool:
        """What the HTTP API is for and how to get a key (asked in words: 'connect to zapier')."""
        await api_help_turn(ctx, self.deps.signer.base_url)
        return False

    async def flow_credits(self, ctx: Turn, routed: Routed) -> bool:
        """The balance, or an admin's grant ('/credits grant <user> <n>')."""
        if routed.rest.lower().startswith("grant"):
            return await self._grant(ctx, routed.rest.split()[1:])
        credits = await self.deps.backend.credits(ctx.owner)
        if credits.unlimited:
            await ctx.say("credits_unlimited")
        else:
            await ctx.say(
                "credits",
                available=credits.available,
                frozen=credits.frozen,
                total=credits.total,
            )
        return False

    async def _grant(self, ctx: Turn, words: list[str]) -> bool:
        if ctx.owner not in self.deps.settings.admin_users or not self.deps.backend.can_grant:
            raise VoiceoverError(ErrorCode.NOT_ALLOWED)
        if len(words) != 2 or not words[1].isdigit() or ":" not in words[0]:
            await ctx.say("grant_usage")
            return False
        ref = f"grant:{ctx.incoming.platform}:{ctx.incoming.message_id}"
        credits = await self.deps.backend.grant(words[0], int(words[1]), ref)
        await ctx.say("granted", amount=words[1], user=words[0], available=credits.available)
        return False

    async def flow_status(self, ctx: Turn, routed: Routed) -> bool:
        """The timeline in the NemoVideo draft's format, and where the user's jobs are."""
        session = await self._need_session(ctx)
        draft = await self.deps.backend.state(session["session_id"])
        lines = [summarize_draft(draft, ctx.lang)]
        if draft.get("h"):  # the latest changes, newest first (what undo reverts)
            lines.append(reply("changes", ctx.lang, changes="; ".join(map(str, draft["h"]))))
        fixes = lexicon_line(await self._lexicon(ctx), ctx.lang)
        lines += [fixes] if fixes else []
        for job in await self.deps.queue.active_for(ctx.owner):
            if job.status == "running":
                stage = stage_label(job.stage or "render", ctx.lang)
                lines.append(reply("progress", ctx.lang, stage=stage, percent=int(job.progress)))
            else:
                lines.append(
                    reply("queued", ctx.lang, position=await self.deps.queue.position(job))
                )
        await ctx.chat.say("\n".join(lines))
        picture = self.deps.settings.data_dir / "timelines" / f"{owner_digest(ctx.owner)}.png"
        caption = reply("timeline_picture", ctx.lang)
        await send_timeline(ctx.chat, draft, picture, caption, ctx.lang)
        return False

    async def flow_cancel(self, ctx: Turn, routed: Routed) -> bool:
        """Stop the user's jobs and release their frozen credits."""
        active = await self.deps.queue.active_for(ctx.owner)
        if not active and not ctx.preempted:
            raise VoiceoverError(ErrorCode.NOTHING_TO_CANCEL)
        stopped = [await self.deps.queue.cancel(job) for job in active]
        if not all(stopped):  # it finished before the cancel reached it: it is on its way
            await ctx.say("already_finished")
        if any(stopped) or ctx.preempted or not stopped:
            await ctx.say("cancelled")
        return False

    async def flow_undo(self, ctx: Turn, routed: Routed) -> bool:
        """Revert the draft's last change: the backend reads "undo" or "撤销" (the cloud's agent
        too), in the words' language."""
        zh = ctx.lang.startswith("zh") or re.search(r"[\u4e00-\u9fff]", routed.rest)
        said = "撤销" if zh else "undo"
        created = await self.flow_converse(ctx, Routed("converse", rest=said))
        session = await self.session(ctx, create=False)
        if session is None or not session["last_job"]:
            return created
        last = await self.deps.queue.get(session["last_job"])
        draft = await self.deps.backend.state(session["session_id"])
        now = fingerprint(draft, await self._lexicon_pairs(ctx))
        if last is not None and last.status is JobStatus.QUEUED and now != session["last_fp"]:
            await self.deps.queue.cancel(last)  # it would render the change just undone
            await ctx.say("undo_cancelled")
        return created

    async def flow_new_project(self, ctx: Turn, routed: Routed) -> bool:
        """Start over with an empty project."""
        await self._open_session(ctx)
        await ctx.say("new_project")
        return False
