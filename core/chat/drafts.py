"""Facts about a draft the chat acts on: what changed since the last render, and its roles."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any


def fingerprint(draft: Mapping[str, Any], lexicon: list[list[str]] | None = None) -> str:
    """A stable hash of a draft and the pronunciation fixes it is read with (what changed since
    the last render); what we found about its media (shots, holds) is left out."""
    draft = {key: value for key, value in draft.items() if key != "h"}  # history, not content
    draft = _without_facts(draft)
    data: Any = {"draft": draft, "lexicon": lexicon} if lexicon else draft
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


FOUND_FACTS = ("shots", "holds")  # found by us after an upload or a render, not asked for


def _without_facts(draft: Mapping[str, Any]) -> Mapping[str, Any]:
    """The draft without what we found about its media (so finding it changes nothing)."""
    tracks = [t for t in draft.get("t", []) if isinstance(t, dict)]
    segments = [s for t in tracks for s in t.get("sg", []) if isinstance(s, dict)]
    if not any(isinstance(s.get("m"), dict) and set(s["m"]) & set(FOUND_FACTS) for s in segments):
        return draft

    def plain(seg: Any) -> Any:
        if not isinstance(seg, dict) or not isinstance(seg.get("m"), dict):
            return seg
        return {**seg, "m": {k: v for k, v in seg["m"].items() if k not in FOUND_FACTS}}

    cleaned = [
        {**t, "sg": [plain(s) for s in t.get("sg", [])]} if isinstance(t, dict) else t
        for t in draft.get("t", [])
    ]
    return {**draft, "t": cleaned}


VISUAL_ROLES = frozenset({"video", "image"})  # what a render shows: a video or a picture


def render_gap(draft: Mapping[str, Any]) -> str | None:
    """None when the draft is ready to render (a picture and a voiceover); else what it lacks:
    "visual", "script", or "both"."""
    roles = draft_roles(draft)
    visual, script = bool(roles & VISUAL_ROLES), "voiceover" in roles
    if visual and script:
        return None
    return "visual" if script else "script" if visual else "both"


def draft_roles(draft: Mapping[str, Any]) -> set[str]:
    """Every segment role in a draft."""
    return {
        str(seg.get("m", {}).get("role", ""))
        for track in draft.get("t", [])
        if isinstance(track, dict)
        for seg in track.get("sg", [])
        if isinstance(seg, dict)
    }
