"""/help: its commands from the command table, its 'Say:' line from the instruction table."""

from __future__ import annotations

from core.backends.local.instructions import examples
from core.chat.commands import help_commands
from core.words.replies import reply
from core.words.text import is_zh


def say_line(language: str) -> str:
    """What people can say, quoted: 'slower', 'female voice', … (“慢一点”、“女声”… in Chinese)."""
    said = examples(language)
    if is_zh(language):
        return "、".join(f"“{e}”" for e in said)
    return ", ".join(f"'{e}'" for e in said)


def help_text(language: str) -> str:
    """The help in the language."""
    return reply("help", language, commands=help_commands(language), say=say_line(language))
