"""The reply language a user's own words suggest, for platforms that give no locale."""

from __future__ import annotations

from core.engine.language_id import detect_language

SURE = 0.6  # below this a message says nothing about the reply language
MIN_LETTERS = 2  # "ok" or a file name decides nothing


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
