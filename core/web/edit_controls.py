"""The edit page's option controls, made from the options' tables (page_options: which options,
their choices and number ranges) and the words (edit_text): nothing listed twice."""

from __future__ import annotations

from typing import Any

from core.backends.local.page_options import LOOK_OPTIONS, NUMBERS, PAGE_OPTIONS, page_choices
from core.words.edit_text import choice_words, edit_text


def control_id(option: str) -> str:
    """The control's element id ("caption_style" → "opt-caption-style")."""
    return "opt-" + option.replace("_", "-")


def page_controls(language: str) -> dict[str, list[dict[str, Any]]]:
    """The controls in two groups, "project" and "looks" (the captions and their look): each
    with its option, id, label and its choices ([value, words]) or number range (low, high,
    step)."""
    choices = page_choices()
    groups: dict[str, list[dict[str, Any]]] = {"project": [], "looks": []}
    for option in PAGE_OPTIONS:
        control: dict[str, Any] = {
            "option": option,
            "id": control_id(option),
            "label": edit_text(option, language),
        }
        if option in choices:
            control["choices"] = [
                [value, choice_words(option, value, language)] for value in choices[option]
            ]
        elif option in NUMBERS:
            control["low"], control["high"], control["step"] = (f"{n:g}" for n in NUMBERS[option])
        captions = option == "captions" or option in LOOK_OPTIONS
        groups["looks" if captions else "project"].append(control)
    return groups
