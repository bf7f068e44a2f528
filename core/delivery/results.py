"""Handing a result to a chat (a playable video when it fits, else a signed link) and retention."""

from __future__ import annotations

import contextlib
from pathlib import Path

from core.delivery.links import LinkSigner
from core.media.store import MediaStore
from core.ports import Chat, VideoReply
from core.words.numbers import human_duration, human_size
from core.words.replies import reply
from core.words.sync import synced_line
from core.work.model import result_key
from core.work.output import RenderOutput


async def deliver_result(
    chat: Chat,
    output: RenderOutput,
    *,
    job_id: str,
    owner: str,
    signer: LinkSigner,
    language: str,
    media: MediaStore,
) -> str:
    """Send the result (a playable video when it fits, else a link); 'video' or 'link'."""
    key = output.key or (result_key(job_id) if output.path else None)
    if key and not _fits(output, chat):  # a signed link: no need to fetch it (an object store)
        return await _send(chat, output, None, job_id, owner, signer, language, stored=True)
    if key:  # ours, in the media store (older records name a path: it is the same file)
        async with media.local_path(key) as path:
            return await _send(chat, output, path, job_id, owner, signer, language, stored=True)
    return await _send(chat, output, None, job_id, owner, signer, language, stored=False)


def _fits(output: RenderOutput, chat: Chat) -> bool:
    return 0 < output.size_bytes <= chat.upload_limit


def _notes(output: RenderOutput, language: str) -> str:
    """The lines under a result: laid on the shots, read by which voices, and its warning."""
    note = output.warning
    warning = f"\nℹ️ {note.text(language)}" if note else ""
    voices = list(output.voices)
    warning = (
        f"\n{reply('read_by', language, voices=', '.join(voices))}" if voices else ""
    ) + warning
    return synced_line(output.sync, language) + warning


async def _send(
    chat: Chat,
    output: RenderOutput,
    path: Path | None,
    job_id: str,
    owner: str,
    signer: LinkSigner,
    language: str,
    *,
    stored: bool,
) -> str:
    size, duration = output.size_bytes, output.duration_s
    fields = {"duration": human_duration(duration), "size": human_size(size)}
    warning = _notes(output, language)
    if path is not None and _fits(output, chat):
        video = VideoReply(
            path=path,
            caption=reply("result", language, **fields) + warning,
            duration_s=duration,
            width=output.width,
            height=output.height,
            size_bytes=size,
        )
        await chat.send_video(video)
        return "video"
    if stored:
        url = signer.url(job_id, owner)
        key = "result_link" if chat.upload_limit > 0 else "result_link_here"
        caption = reply(key, language, hours=f"{signer.ttl_s / 3600:g}", **fields)
    else:  # a cloud render: its own link (size and length when the cloud said them)
        known = f" ({fields['duration']}, {fields['size']})" if size and duration else ""
        url, caption = output.url or "", reply("result_cloud", language, known=known)
    caption += warning
    if output.project_url:
        caption += "\n" + reply("project_link", language, url=output.project_url)
    await chat.send_link(url, caption)
    return "link"


def cleanup_results(folders: list[Path], retention_s: float, now: float) -> int:
    """Remove results older than the retention time; returns how many."""
    removed = 0
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in folder.glob("*.mp4"):
            with contextlib.suppress(OSError):
                if now - path.stat().st_mtime > retention_s:
                    path.unlink()
                    removed += 1
    return removed
