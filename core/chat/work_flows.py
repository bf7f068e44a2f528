"""The flows that do work: files in, conversation, export, and the render jobs they queue."""

from __future__ import annotations

from dataclasses import replace
from typing import cast

from core.backends.base import Draft, EventKind, Pinned, StoredFile
from core.chat.drafts import fingerprint, render_gap
from core.chat.flow_state import FlowState
from core.chat.help_text import help_text
from core.chat.intake import fetch_attachment
from core.chat.preview import preview
from core.chat.routing import Routed
from core.chat.turn import Turn, ack_if_slow
from core.chat.upload_offer import offer_upload
from core.delivery.results import deliver_result
from core.errors import ErrorCode, VoiceoverError
from core.failpoints import pause_point
from core.files import owner_digest, safe_name
from core.jobs.heartbeat import Heartbeat
from core.media.store import new_key
from core.ports import Attachment
from core.store import Row
from core.uninterrupted import uninterrupted
from core.words.option_text import args_to_text
from core.words.replies import reply
from core.words.timeline import draft_ready
from core.words.timeline_changes import describe_changes
from core.work.model import Job, JobStatus, new_job_id
from core.work.output import RenderOutput


def yes_no(language: str) -> tuple[tuple[str, str], ...]:
    """The answers to a yes/no question: (button label, what pressing it sends)."""
    return ((reply("answer_yes", language), "yes"), (reply("answer_no", language), "no"))


class WorkFlows(FlowState):
    """Uploads, conversation turns and exports; each returns True when it created a job."""

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
            outcome = await self._converse(ctx, session["session_id"], routed.rest)
            if outcome is EventKind.ASK:
                return False  # nothing renders until they answer
        return await self._maybe_render(ctx, again=True)

    async def _upload_one(self, ctx: Turn, session_id: str, attachment: Attachment) -> str:
        if attachment.fetch is None and attachment.url:
            result = await self.deps.backend.upload(
                session_id, attachment.url, attachment.name, attachment.role
            )
            return result.summary
        media, limit = self.deps.media, self.deps.settings.max_upload_bytes
        reserve = self.deps.settings.disk_reserve_bytes
        path = await fetch_attachment(attachment, media.staging(), limit, reserve)
        key = new_key(f"uploads/{owner_digest(ctx.owner)}", attachment.name)
        try:
            await uninterrupted(media.put_file(key, path))
        finally:
            path.unlink(missing_ok=True)  # moved in, or never stored
        name = safe_name(attachment.name)
        stored = StoredFile(key)  # the backend's now: it keeps it, or deletes it
        async with self.probe_gate.slot(ctx.owner):  # shared round-robin across users
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
            await ctx.chat.say(help_text(ctx.lang))
            return False
        return await self.flow_converse(ctx, Routed("converse", rest=text))

    async def flow_converse(self, ctx: Turn, routed: Routed) -> bool:
        """Everything else goes to the backend conversation, then maybe a render."""
        session = await self.session(ctx)
        assert session is not None
        outcome = await self._converse(ctx, session["session_id"], routed.rest)
        if outcome in (EventKind.HOLD, EventKind.ASK):
            return False  # answered: nothing to render
        return await self._maybe_render(ctx, again=outcome is EventKind.EDIT)

    async def _converse(self, ctx: Turn, session_id: str, text: str) -> EventKind | None:
        """One turn of the backend's conversation; what it said the message was (EDIT, HOLD,
        ASK; None from a cloud agent)."""
        before = await self.deps.backend.state(session_id)
        work = self._stream(ctx, session_id, text)
        said, outcome = await ack_if_slow(ctx, work, "working_on_it")
        if not said:
            after = await self.deps.backend.state(session_id)
            lines = describe_changes(before, after, ctx.lang) or [reply("edited", ctx.lang)]
            await ctx.chat.say("\n".join(lines))
        return outcome

    async def _stream(
        self, ctx: Turn, session_id: str, text: str
    ) -> tuple[bool, EventKind | None]:
        """Show the reply's text (a question with its answers as buttons); keep the chat alive
        ('Still working...') on long turns. Returns whether anything was said, and the turn's
        outcome."""
        said, outcome = False, cast(EventKind | None, None)
        async with Heartbeat(ctx.chat, self.deps.clock, self.deps.timings, ctx.lang) as beat:
            async for event in self.deps.backend.send(session_id, text):
                if event.kind is EventKind.TEXT and event.text.strip():
                    await ctx.chat.say(event.text)
                    beat.visible_change()
                    said = True
                elif event.kind is EventKind.ASK:
                    await ctx.chat.ask(event.text, yes_no(ctx.lang))
                    beat.visible_change()
                    said, outcome = True, event.kind
                elif event.kind in (EventKind.EDIT, EventKind.HOLD):
                    outcome = event.kind
                elif event.kind is EventKind.PROGRESS and event.percent is not None:
                    await beat.progress(event.stage or "render", event.percent)
        return said, outcome

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
        return await self._again(ctx, session, draft, last)

    async def _again(self, ctx: Turn, session: Row, draft: Draft, last: Job) -> bool:
        """The draft is the one last rendered: say so, and send that video again (or say it
        is the one rendering now); a render that failed or was cancelled is started again."""
        if last.status is JobStatus.RUNNING:
            await ctx.say("rendering_now")
        elif last.status is JobStatus.QUEUED:
            await ctx.say("queued", position=await self.deps.queue.position(last))
        elif last.status is JobStatus.DONE and last.output:
            await ctx.say("same_render")
            await deliver_result(
                ctx.chat,
                RenderOutput.from_record(last.output),
                job_id=last.id,
                owner=ctx.owner,
                signer=self.deps.signer,
                language=ctx.lang,
                media=self.deps.media,
            )
        else:  # it failed or was cancelled: render it again
            return await self._start_job(ctx, session, draft)
        return False

    async def _maybe_render(self, ctx: Turn, again: bool = False) -> bool:
        """Start a render when the draft has a picture and a voice and changed since the last;
        `again` (an upload, an edit that changed nothing): the unchanged draft's video again."""
        session = await self.session(ctx)
        assert session is not None
        draft = await self.deps.backend.state(session["session_id"])
        gap = render_gap(draft)
        if gap is not None:
            if gap != "both":  # neither yet: nothing to say about a render
                await ctx.say(f"need_{gap}")
            return False
        if session["last_fp"] == fingerprint(draft, await self._lexicon_pairs(ctx)):
            last = await self.deps.queue.get(session["last_job"]) if again else None
            return False if last is None else await self._again(ctx, session, draft, last)
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
        incoming, job_id, owner = ctx.incoming, ctx.job_id or new_job_id(), ctx.owner
        try:
            await self.deps.backend.reserve(owner, job_id, pinned)
            fp = fingerprint(pinned.draft, pinned.lexicon)
            job, replaced = await self.deps.queue.enqueue(
                owner=owner,
                kind=ctx.job_kind,
                platform=incoming.platform,
                chat_id=incoming.chat_id,
                message_id=incoming.message_id,
                reply_context=incoming.reply_context,
                language=ctx.lang,
                session_id=session["session_id"],
                job_id=job_id,
                supersede=ctx.supersede,
                inputs={"fingerprint": fp, **pinned.to_record()},
                created=ctx.job_created,
            )
        except BaseException:
            await self.deps.backend.release(owner, job_id, pinned)
            raise
        if job is None:  # this message already made its job
            await self.deps.backend.release(owner, job_id, pinned)
            return None, []
        await self.deps.sessions.rendered(owner, fp, job.id)
        return job, replaced
