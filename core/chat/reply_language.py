"""The reply language a user's own words suggest, for platforms that give no locale."""

from __future__ import annotations

from core.engine.language_id import detect_language
from core.ports import Incoming

SURE = 0.6  # below this a message says nothing about the reply language
MIN_LETTERS = 2  # "ok" or a file name decides nothing
MAX_LINE_CHARS = 60  # longer text is a script (whose language is the video's, not the user's)


def reply_language_of_text(text: str) -> str | None:
    """ "zh" for a message in Chinese, "en" for one in another language, None when it holds too
    little to tell (a command, a path, a number)."""
    words = " ".join(w for w in text.split() if not w.startswith(("/", "http://", "https://")))
    if sum(c.isalpha() for c in words) < MIN_LETTERS:
        return None
    found = detect_language(words)
    if found is None or found.confidence < SURE:
        return None
    return "zh" if found.language == "zh" else "en"


def is_chat_line(incoming: Incoming) -> bool:
    """A short message without files: words to the bot, not a script or a caption."""
    return not incoming.attachments and len(incoming.text.strip()) <= MAX_LINE_CHARS
