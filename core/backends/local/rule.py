"""One instruction rule: a pattern that sets one field of the options (instruction_rules.RULES
and look_rules.LOOK_RULES are tables of them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Rule:
    """A pattern (case-insensitive) that sets one field; value None → taken from group 1.
    `say`: an example in English and in Chinese, shown by /help (each option has some)."""

    pattern: str
    field: str
    value: Any = None
    say: tuple[str, str] = ("", "")
