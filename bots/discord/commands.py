"""The Discord slash commands: their options, autocomplete, and the tree's error handler."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any, Protocol, cast

import discord
from discord import app_commands

from core.chat.commands import discord_commands
from core.engine.model import Aspect, Captions, VoiceInfo
from core.errors import ErrorCode, VoiceoverError
from core.words.errors import message_for


class CommandTarget(Protocol):
    """What the commands need of the bot: hand a command over, and the installed voices."""

    async def submit(
        self,
        interaction: discord.Interaction[Any],
        command: str,
        args: Mapping[str, str] | None = None,
        files: Iterable[tuple[str | None, discord.Attachment]] = (),
    ) -> None:
        """Give the command to the core."""
        ...

    def voices(self) -> list[VoiceInfo]:
        """The installed voices (autocomplete)."""
        ...


log = logging.getLogger(__name__)

MAX_CHOICES = 25  # Discord shows at most 25 autocomplete choices
VOICEOVER_HELP = {
    "video": "The video (or image) to voice over",
    "script": "The text to read aloud",
    "script_file": "A script file: TXT, DOCX, SRT or VTT",
    "voice": "The voice to use (see /voices)",
    "speed": "Speaking speed, 0.5 to 2.0 (1.0 is normal)",
    "captions": "Captions: none, soft (a subtitle track) or burn (drawn on the picture)",
    "aspect": "Frame shape of the result",
    "music": "Background music (MP3, WAV, M4A, AAC)",
    "music_volume": "Music volume under the voice, 0 to 1",
}
SAMPLE_HELP = "Hear one voice's sample"
ATTACHMENT_ROLES = {"video": "video", "script_file": "script", "music": "music"}


def language_of(locale: discord.Locale | str | None) -> str:
    """'zh-CN' → 'zh'; English when unknown."""
    text = getattr(locale, "value", locale) or "en"
    return str(text).split("-")[0].lower()


def voice_label(voice: VoiceInfo) -> str:
    """One autocomplete line for a voice (Discord allows 100 characters)."""
    details = ", ".join(x for x in (voice.language, voice.gender, voice.quality) if x)
    return f"{voice.name} — {details}"[:100]


class VoiceoverTree(app_commands.CommandTree[discord.Client]):
    """The command tree, with an error handler that logs fully and answers in one line."""

    async def on_error(
        self,
        interaction: discord.Interaction[Any],
        error: app_commands.AppCommandError,
    ) -> None:
        """Log with the traceback (never a token) and tell the user in one line."""
        original = getattr(error, "original", error)
        name = interaction.command.name if interaction.command else "?"
        language = language_of(interaction.locale)
        if isinstance(original, VoiceoverError):
            text = original.message(language)
        else:
            log.error("Discord command /%s failed", name, exc_info=original)
            text = message_for(ErrorCode.INTERNAL, language)
        try:
            if interaction.response.is_done():
                await interaction.followup.send(text, ephemeral=True)
            else:
                await interaction.response.send_message(text, ephemeral=True)
        except discord.HTTPException as http_error:
            log.warning("Could not report the error of /%s: %s", name, http_error.status)


def bot_of(interaction: discord.Interaction[Any]) -> CommandTarget:
    """The client that received an interaction."""
    return cast(CommandTarget, interaction.client)


@app_commands.describe(**VOICEOVER_HELP)
@app_commands.choices(
    captions=[app_commands.Choice(name=c.value, value=c.value) for c in Captions],
    aspect=[app_commands.Choice(name=a.value, value=a.value) for a in Aspect],
)
async def voiceover_command(
    interaction: discord.Interaction[Any],
    video: discord.Attachment | None = None,
    script: str | None = None,
    script_file: discord.Attachment | None = None,
    voice: str | None = None,
    speed: app_commands.Range[float, 0.5, 2.0] | None = None,
    captions: str | None = None,
    aspect: str | None = None,
    music: discord.Attachment | None = None,
    music_volume: app_commands.Range[float, 0.0, 1.0] | None = None,
) -> None:
    """/voiceover: a video, a script and options → the voiced-over MP4."""
    texts = {"script": script, "voice": voice, "captions": captions, "aspect": aspect}
    args = {k: v for k, v in texts.items() if v}
    if speed is not None:
        args["speed"] = f"{speed:g}"
    if music_volume is not None:  # as a percentage: "1" alone would read as 1 %
        args["music_volume"] = f"{round(music_volume * 100)}%"
    uploads = {"video": video, "script_file": script_file, "music": music}
    files = [(ATTACHMENT_ROLES[k], att) for k, att in uploads.items() if att is not None]
    await bot_of(interaction).submit(interaction, "voiceover", args, files)


@app_commands.describe(sample=SAMPLE_HELP)
async def voices_command(interaction: discord.Interaction[Any], sample: str | None = None) -> None:
    """/voices: the installed voices with samples; `sample`: one voice's sample."""
    await bot_of(interaction).submit(interaction, "voices", {"sample": sample} if sample else None)


async def voice_choices(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    """Autocomplete for `voice`: installed voices matching what was typed (≤ 25)."""
    needle = current.strip().lower()
    matches = [
        voice
        for voice in bot_of(interaction).voices()
        if needle in f"{voice.id} {voice.name} {voice.language} {voice.gender or ''}".lower()
    ]
    return [
        app_commands.Choice(name=voice_label(voice), value=voice.id)
        for voice in matches[:MAX_CHOICES]
    ]


def simple_command(name: str, description: str) -> app_commands.Command[Any, Any, None]:
    """A slash command with no options that passes straight to the core."""

    async def callback(interaction: discord.Interaction[Any]) -> None:
        await bot_of(interaction).submit(interaction, name)

    return app_commands.Command(name=name, description=description, callback=callback)


# The commands with options, built here: their callback and the option that lists voices.
WITH_OPTIONS: dict[str, tuple[Any, str]] = {
    "voiceover": (voiceover_command, "voice"),
    "voices": (voices_command, "sample"),
}


def add_commands(tree: VoiceoverTree) -> None:
    """Register the command table's Discord commands on the tree (core/chat/commands.py)."""
    for name, description in discord_commands().items():
        if name in WITH_OPTIONS:
            callback, voice_option = WITH_OPTIONS[name]
            command: app_commands.Command[Any, Any, None] = app_commands.Command(
                name=name, description=description, callback=callback
            )
            command.autocomplete(voice_option)(voice_choices)
        else:
            command = simple_command(name, description)
        tree.add_command(command)
