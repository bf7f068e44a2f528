"""/voices in chat: the installed voices with a sample of each as a voice message (rendered once,
cached), one voice's sample on request, and an admin's install from the catalog."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Sequence
from pathlib import Path

from core.chat.turn import FlowDeps, Turn, ack_if_slow, installed_voices
from core.config import Settings
from core.engine.model import VoiceInfo
from core.engine.sample import voice_sample
from core.engine.voice_install import install_from_catalog
from core.errors import ErrorCode, VoiceoverError
from core.ports import VoiceNote
from core.words.languages import language_words
from core.words.replies import reply, word
from core.words.text import join_words, pick

log = logging.getLogger(__name__)
MAX_SAMPLES = 5  # one /voices sends at most this many samples; /voices sample KEY for others
_KEYISH = re.compile(r"[A-Za-z0-9_:.\-]+")

Rendered = tuple[VoiceInfo, tuple[Path, float] | VoiceoverError]


def voice_details(voice: VoiceInfo, language: str) -> str:
    """'English, male, medium quality' (or Chinese) for a voice."""
    parts = [pick(language_words(voice.language), language)]
    parts += [word(value, language) for value in (voice.gender, voice.quality) if value]
    return join_words(parts, language)


def find_voice(voices: Sequence[VoiceInfo], text: str) -> VoiceInfo | str | None:
    """The installed voice a text names by key (or name); else the key-like word it tried."""
    tried: str | None = None
    for token in _KEYISH.findall(text):
        token = token.strip(".-")
        wanted = token.lower()
        found = next((v for v in voices if wanted in (v.id.lower(), v.name.lower())), None)
        if found is not None:
            return found
        if "-" in token or "_" in token:
            tried = tried or token
    return tried


async def list_voices(ctx: Turn, deps: FlowDeps) -> None:
    """The installed voices, then a sample of the first few as voice messages."""
    voices = installed_voices(deps.backend)
    lines = [
        reply("voice_line", ctx.lang, voice=v.id, details=voice_details(v, ctx.lang))
        for v in voices
    ]
    await ctx.say("voices", voices="\n".join(lines) or "—")
    if not voices:
        return
    await _send_samples(ctx, deps.settings, voices[:MAX_SAMPLES])
    if len(voices) > MAX_SAMPLES:
        example = voices[MAX_SAMPLES].id
        await ctx.say("samples_more", shown=MAX_SAMPLES, total=len(voices), example=example)


async def play_sample(ctx: Turn, deps: FlowDeps, text: str) -> None:
    """The sample of the one voice the text names ('/voices sample KEY', 'play the sample of
    KEY')."""
    found = find_voice(installed_voices(deps.backend), text)
    if isinstance(found, str):
        raise VoiceoverError(ErrorCode.UNKNOWN_VOICE, voice=found)
    if found is None:
        await ctx.say("sample_usage")
        return
    await _send_samples(ctx, deps.settings, [found])


async def _send_samples(ctx: Turn, settings: Settings, voices: Sequence[VoiceInfo]) -> None:
    """Render (off the loop, once per voice: cached) and send each voice's sample."""
    work = asyncio.to_thread(_render_all, settings, list(voices))
    for voice, made in await ack_if_slow(ctx, work, "preparing_samples"):
        if isinstance(made, VoiceoverError):
            await ctx.say("sample_failed", voice=voice.id, reason=made.message(ctx.lang))
            continue
        path, duration = made
        details = voice_details(voice, ctx.lang)
        caption = reply("sample_caption", ctx.lang, voice=voice.id, details=details)
        await ctx.chat.send_voice(VoiceNote(path, caption, duration))


def _render_all(settings: Settings, voices: list[VoiceInfo]) -> list[Rendered]:
    """Each voice's sample, or the error that stopped it (one broken voice spoils no other)."""
    made: list[Rendered] = []
    for voice in voices:
        try:
            made.append((voice, voice_sample(settings, voice)))
        except VoiceoverError as err:
            log.warning("no sample of %s: %s", voice.id, err)
            made.append((voice, err))
        except Exception:  # e.g. Piper's RuntimeError for an espeak voice it lacks
            log.warning("no sample of %s", voice.id, exc_info=True)
            made.append((voice, VoiceoverError(ErrorCode.INTERNAL)))
    return made


async def install_voice(ctx: Turn, deps: FlowDeps, words: list[str]) -> None:
    """An admin's '/voices install KEY': download it from the catalog."""
    if ctx.owner not in deps.settings.admin_users:
        raise VoiceoverError(ErrorCode.NOT_ALLOWED)
    if len(words) != 1:
        await ctx.say("install_usage")
        return
    work = asyncio.to_thread(install_from_catalog, words[0], deps.settings)
    voice, path = await ack_if_slow(ctx, work, "installing", voice=words[0])
    language = pick(language_words(voice.language), ctx.lang)
    gender = word(voice.gender, ctx.lang) if voice.gender else ""
    details = join_words([language, gender], ctx.lang)
    key = "voice_installed" if path is not None else "voice_already_installed"
    await ctx.say(key, voice=voice.key, details=details)
