"""The flows a message can start (one method per intent of the routing table)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace

from core.backends.base import Draft, EventKind, Pinned, StoredFile
from core.chat.heartbeat import Heartbeat, HeartbeatTimings
from core.chat.intake import fetch_attachment
from core.chat.lexicon_flow import lexicon_line, lexicon_turn
from core.chat.option_text import args_to_text
from core.chat.preview import preview
from core.chat.replies import reply, stage_label
from core.chat.reply_language import is_chat_line, reply_language_of_text
from core.chat.routing import INTENTS, Routed, reply_language
from core.chat.timeline import (
    describe_changes,
    draft_ready,
    draft_roles,
    fingerprint,
    summarize_draft,
)
from core.chat.timeline_picture import send_timeline
from core.chat.turn import FlowDeps, Turn, ack_if_slow, installed_voices
from core.chat.upload_offer import offer_upload
from core.chat.voice_flows import find_voice, install_voice, list_voices, play_sample
from core.delivery.results import deliver_result
from core.engine.lexicon import Lexicon
from core.errors import ErrorCode, VoiceoverError
from core.failpoints import pause_point
from core.files import owner_digest, safe_name
from core.jobs.model import Job, JobStatus, new_job_id
from core.media.store import new_key
from core.ports import Attachment
from core.store import Row
from core.uninterrupted import uninterrupted

VISUAL_ROLES = frozenset({"video", "image"})


class Flows:
    """Every flow, run in its user's order; each returns True when it created a job."""

    def __init__(self, deps: FlowDeps) -> None:
        self.deps = deps
        self.table: dict[str, Callable[[Turn, Routed], Awaitable[bool]]] = {
            intent: getattr(self, f"flow_{intent}") for intent in INTENTS
        }

    async def run(self, ctx: Turn, routed: Routed) -> bool:
        """Run the flow for the routed intent."""
        try:
            return bool(await self.table[routed.intent](ctx, routed))
        except VoiceoverError as err:
            if err.code is ErrorCode.SESSION_NOT_FOUND:
                await self.deps.sessions.forget(ctx.owner)
            raise

    # State -------------------------------------------------------------------------------------

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

    def _backend_language(self) -> Callable[[str, str], Awaitable[None]] | None:
        """The backend's way to switch a session's language, when it has one (local)."""
        return getattr(self.deps.backend, "set_language", None)

    async def _need_session(self, ctx: Turn) -> Row:
        row = await self.session(ctx, create=False)
        if row is None:
            raise VoiceoverError(ErrorCode.NO_PROJECT)
        return row

    async def _open_session(self, ctx: Turn) -> str:
        session_id = await self.deps.backend.open_session(ctx.owner, ctx.lang)
        await self.deps.sessions.start(ctx.owner, session_id, ctx.lang)
        return session_id

    # Simple answers ----------------------------------------------------------------------------

    async def flow_help(self, ctx: Turn, routed: Routed) -> bool:
        """What the user can send and say."""
        await ctx.say("help")
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
        session, relabel = await self.session(ctx, create=False), self._backend_language()
        if session is not None and relabel is not None:  # the backend's own words follow
            await relabel(session["session_id"], ctx.lang)
        await ctx.say("language_set")
        return False

    async def flow_lexicon(self, ctx: Turn, routed: Routed) -> bool:
        """Pronunciation fixes: add ("say X as Y"), list, remove."""
        applies = self.deps.backend.speaks_lexicon
        await lexicon_turn(ctx, routed, self.deps.sessions, applies)
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
        grant = getattr(self.deps.backend, "grant", None)
        if ctx.owner not in self.deps.settings.admin_users or grant is None:
            raise VoiceoverError(ErrorCode.NOT_ALLOWED)
        if len(words) != 2 or not words[1].isdigit() or ":" not in words[0]:
            await ctx.say("grant_usage")
            return False
        ref = f"grant:{ctx.incoming.platform}:{ctx.incoming.message_id}"
        credits = await grant(words[0], int(words[1]), ref)
        await ctx.say("granted", amount=words[1], user=words[0], available=credits.available)
        return False

    async def flow_status(self, ctx: Turn, routed: Routed) -> bool:
        """The timeline in the NemoVideo draft's format, and where the user's jobs are."""
        session = await self._need_session(ctx)
        draft = await self.deps.backend.state(session["session_id"])
        lines = [summarize_draft(draft, ctx.lang)]
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
        await send_timeline(ctx.chat, draft, picture, reply("timeline_picture", ctx.lang))
        return False

    async def flow_cancel(self, ctx: Turn, routed: Routed) -> bool:
        """Stop the user's jobs and release their frozen credits."""
        active = await self.deps.queue.active_for(ctx.owner)
        if not active and not ctx.preempted:
            raise VoiceoverError(ErrorCode.NOTHING_TO_CANCEL)
        for job in active:
            await self.deps.queue.cancel(job)
        await ctx.say("cancelled")
        return False

    async def flow_new_project(self, ctx: Turn, routed: Routed) -> bool:
        """Start over with an empty project."""
        await self._open_session(ctx)
        await ctx.say("new_project")
        return False

    # Work --------------------------------------------------------------------------------------

    async def flow_upload(self, ctx: Turn, routed: Routed) -> bool:
        """Files (and a caption): take each, then read the caption, then maybe render."""
        if not ctx.incoming.attachments:
            return await offer_upload(ctx, self.deps, routed)
        session = await self.session(ctx)
        assert session is not None
        for attachment in ctx.incoming.attachments:
            name = safe_name(attachment.name)
            work = self._upload_one(ctx, session["session_id"], attachment)
            summary = await ack_if_slow(ctx, work, "receiving", name=name)
            await ctx.chat.say(summary)
        if routed.rest:
            await self._converse(ctx, session["session_id"], routed.rest)
        return await self._maybe_render(ctx)

    async def _upload_one(self, ctx: Turn, session_id: str, attachment: Attachment) -> str:
        if attachment.fetch is None and attachment.url:
            result = await self.deps.backend.upload(
                session_id, attachment.url, attachment.name, attachment.role
            )
            return result.summary
        media, limit = self.deps.media, self.deps.settings.max_upload_bytes
        path = await fetch_attachment(attachment, media.staging(), limit)
        key = new_key(f"uploads/{owner_digest(ctx.owner)}", attachment.name)
        try:
            await uninterrupted(media.put_file(key, path))
        finally:
            path.unlink(missing_ok=True)  # moved in, or never stored
        name = safe_name(attachment.name)
        stored = StoredFile(key)  # the backend's now: it keeps it, or deletes it
        result = await self.deps.backend.upload(session_id, stored, name, attachment.role)
        return result.summary

    async def flow_preview(self, ctx: Turn, routed: Routed) -> bool:
        """A quick proof (the first 20 s at 360p with narration and captions), not charged."""
        return await preview(ctx, self.deps)

    async def flow_voiceover(self, ctx: Turn, routed: Routed) -> bool:
        """/voiceover with options, files and/or a script: a complete request."""
        text = args_to_text(dict(ctx.incoming.args)) if ctx.incoming.args else routed.rest
        if ctx.incoming.attachments:
            return await self.flow_upload(ctx, Routed("upload", rest=text))
        if not text:
            await ctx.say("help")
            return False
        return await self.flow_converse(ctx, Routed("converse", rest=text))

    async def flow_converse(self, ctx: Turn, routed: Routed) -> bool:
        """Everything else goes to the backend conversation, then maybe a render."""
        session = await self.session(ctx)
        assert session is not None
        await self._converse(ctx, session["session_id"], routed.rest)
        return await self._maybe_render(ctx)

    async def _converse(self, ctx: Turn, session_id: str, text: str) -> None:
        before = await self.deps.backend.state(session_id)
        said = await ack_if_slow(ctx, self._stream(ctx, session_id, text), "working_on_it")
        if not said:
            after = await self.deps.backend.state(session_id)
            lines = describe_changes(before, after, ctx.lang) or [reply("edited", ctx.lang)]
            await ctx.chat.say("\n".join(lines))

    async def _stream(self, ctx: Turn, session_id: str, text: str) -> bool:
        """Show the reply's text; keep the chat alive ('Still working...') on long turns."""
        said = False
        timings = HeartbeatTimings.from_settings(self.deps.settings)
        async with Heartbeat(ctx.chat, self.deps.clock, timings, ctx.lang) as beat:
            async for event in self.deps.backend.send(session_id, text):
                if event.kind is EventKind.TEXT and event.text.strip():
                    await ctx.chat.say(event.text)
                    beat.visible_change()
                    said = True
                elif event.kind is EventKind.PROGRESS and event.percent is not None:
                    await beat.progress(event.stage or "render", event.percent)
        return said

    async def flow_export(self, ctx: Turn, routed: Routed) -> bool:
        """Render the draft, or re-deliver the last render when nothing changed."""
        session = await self._need_session(ctx)
        draft = await self.deps.backend.state(session["session_id"])
        if not draft_ready(draft):
            raise VoiceoverError(ErrorCode.NOTHING_TO_RENDER)
        last = await self.deps.queue.get(session["last_job"]) if session["last_job"] else None
        if last is None or session["last_fp"] != fingerprint(
            draft, await self._lexicon_pairs(ctx)
        ):
            return await self._start_job(ctx, session, draft)
        if last.status is JobStatus.RUNNING:
            await ctx.say("starting")
        elif last.status is JobStatus.QUEUED:
            await ctx.say("queued", position=await self.deps.queue.position(last))
        elif last.status is JobStatus.DONE and last.output:
            await ctx.say("same_render")
            await deliver_result(
                ctx.chat,
                last.output,
                job_id=last.id,
                owner=ctx.owner,
                signer=self.deps.signer,
                language=ctx.lang,
                media=self.deps.media,
            )
        else:  # it failed or was cancelled: render it again
            return await self._start_job(ctx, session, draft)
        return False

    async def _maybe_render(self, ctx: Turn) -> bool:
        """Start a render when the draft has a picture and a voice and changed since the last."""
        session = await self.session(ctx)
        assert session is not None
        draft = await self.deps.backend.state(session["session_id"])
        roles = draft_roles(draft)
        if not roles & VISUAL_ROLES:
            if "voiceover" in roles:
                await ctx.say("need_visual")
            return False
        if "voiceover" not in roles:
            await ctx.say("need_script")
            return False
        if session["last_fp"] == fingerprint(draft, await self._lexicon_pairs(ctx)):
            return False
        return await self._start_job(ctx, session, draft)

    async def _start_job(self, ctx: Turn, session: Row, draft: Draft) -> bool:
        """Pin the session as it is now, hold its price, and queue it (replacing queued ones)."""
        ahead = await self.deps.queue.active_for(ctx.owner)
        pinned = await self.deps.backend.snapshot(session["session_id"])
        pinned = replace(pinned, lexicon=await self._lexicon_pairs(ctx))
        job, replaced = await uninterrupted(self._queue(ctx, session, pinned))
        pause_point("queued")  # the crash tests kill us with the job queued
        if job is None:
            return True
        if replaced:
            await ctx.say("superseded")
        self.deps.chats.remember(job.id, ctx.chat)
        position = await self.deps.queue.position(job)
        busy = len(ahead) > len(replaced) or self.deps.queue.busy()
        await (ctx.say("queued", position=position) if busy else ctx.say("starting"))
        return True

    async def _queue(
        self, ctx: Turn, session: Row, pinned: Pinned
    ) -> tuple[Job | None, list[Job]]:
        """Hold the price, create the job (its message seen), remember it as the last render."""
        incoming, job_id, owner = ctx.incoming, new_job_id(), ctx.owner
        try:
            await self.deps.backend.reserve(owner, job_id, pinned)
            fp = fingerprint(pinned.draft, pinned.lexicon)
            job, replaced = await self.deps.queue.enqueue(
                owner=owner,
                kind="render",
                platform=incoming.platform,
                chat_id=incoming.chat_id,
                message_id=incoming.message_id,
                reply_context=incoming.reply_context,
                language=ctx.lang,
                session_id=session["session_id"],
                job_id=job_id,
                supersede=True,
                inputs={"fingerprint": fp, **pinned.to_record()},
            )
        except BaseException:
            await self.deps.backend.release(owner, job_id, pinned)
            raise
        if job is None:  # this message already made its job
            await self.deps.backend.release(owner, job_id, pinned)
            return None, []
        await self.deps.sessions.rendered(owner, fp, job.id)
        return job, replaced
