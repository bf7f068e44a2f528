"""Facts about a draft the chat acts on: what changed since the last render, and its roles."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any


def fingerprint(draft: Mapping[str, Any], lexicon: list[list[str]] | None = None) -> str:
    """A stable hash of a draft and the pronunciation fixes it is read with (what changed since
    the last render)."""
    draft = {key: value for key, value in draft.items() if key != "h"}  # history, not content
    data: Any = {"draft": draft, "lexicon": lexicon} if lexicon else draft
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def draft_roles(draft: Mapping[str, Any]) -> set[str]:
    """Every segment role in a draft."""
    return {
        str(seg.get("m", {}).get("role", ""))
        for track in draft.get("t", [])
        if isinstance(track, dict)
        for seg in track.get("sg", [])
        if isinstance(seg, dict)
    }
