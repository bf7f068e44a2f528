"""NemoVideo's agent talks as if the user had its web editor. Translate, never forward.

Each sentence that tells the user to click, open, drag or export in a GUI is removed, and the
matching action is collected for the backend to perform through the API (show the state, the
track summary, the credits) or to turn into a chat hint. Content descriptions are kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class GuiAction(StrEnum):
    EXPORT = "export"  # run the export workflow (the chat offers it)
    CREDITS = "credits"  # show the balance
    SUMMARY = "summary"  # show the track summary
    STATE = "state"  # show the state (the same summary in chat)
    EDIT = "edit"  # the user should describe the edit in words
    CLICK = "click"  # done through the API already: just drop it


# (pattern, action), first match wins; checked per sentence, case-insensitively.
GUI_PHRASES: tuple[tuple[str, GuiAction], ...] = (
    (
        r"export button|click(?:ing)? (?:on )?(?:the )?[\"'“]?export|导出按钮|点击导出"
        r"|\bexport (?:it |the video )?(?:from|using|via|in) the (?:editor|app|toolbar)",
        GuiAction.EXPORT,
    ),
    (
        r"\b(?:check|open|visit|go to|see) (?:your |the )?(?:account|billing|credits?|balance)\b"
        r"|查看(?:账户|余额|积分)|充值页面",
        GuiAction.CREDITS,
    ),
    (
        r"preview (?:it |them |the \w+ )?(?:in|on) the timeline|timeline (?:view|preview)"
        r"|时间线预览|在时间线",
        GuiAction.SUMMARY,
    ),
    (
        r"\bopen (?:the |your )?[\w -]{0,30}?(?:panel|tab|editor|window|sidebar|menu|library)\b"
        r"|打开",
        GuiAction.STATE,
    ),
    (r"\bdrag(?:ging)?\b|\bdrop (?:it|them|the|your)\b|drag-and-drop|拖拽|拖动", GuiAction.EDIT),
    (r"\b(?:click|tap|press)(?:ing)? (?:on )?(?:the )?\S+|点击", GuiAction.CLICK),
)
COMPILED_PHRASES = tuple((re.compile(p, re.IGNORECASE), action) for p, action in GUI_PHRASES)

# What the chat says instead of a GUI step the backend cannot perform itself.
ACTION_HINTS: dict[GuiAction, str] = {
    GuiAction.EXPORT: "Say “export” when you're ready and I'll render the video.",
    GuiAction.EDIT: "Tell me the change in words (e.g. “move the title to 5 s”) and I'll do it.",
}

SENTENCE = re.compile(r"[^.!?;。！？；\n]*(?:[.!?;。！？；]+|\n|$)")


@dataclass(frozen=True)
class GuiText:
    """Text with the GUI instructions taken out, and the actions they asked for."""

    text: str
    actions: tuple[GuiAction, ...]


def _action_for(sentence: str) -> GuiAction | None:
    for pattern, action in COMPILED_PHRASES:
        if pattern.search(sentence):
            return action
    return None


def translate_gui(text: str) -> GuiText:
    """Remove sentences that give GUI instructions; return what is left and the actions."""
    kept: list[str] = []
    actions: list[GuiAction] = []
    for sentence in SENTENCE.findall(text):
        action = _action_for(sentence)
        if action is None:
            kept.append(sentence)
        elif action not in actions:
            actions.append(action)
    cleaned = re.sub(r"[ \t]+\n", "\n", "".join(kept))
    cleaned = re.sub(r"\n{3,}", "\n\n", cleaned).strip()
    return GuiText(cleaned, tuple(actions))
