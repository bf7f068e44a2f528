"""Our table of the voices worth recommending: gender and licence notes (voice_table.json).

Piper's index has no gender, so it is kept as data here, in order of preference per language.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

VOICE_TABLE_FILE = Path(__file__).with_name("voice_table.json")


@lru_cache(maxsize=1)
def voice_table() -> dict[str, dict[str, str]]:
    """Voice key → {gender, licence}, in order of preference within each language."""
    data = json.loads(VOICE_TABLE_FILE.read_text(encoding="utf-8"))
    return {str(k): dict(v) for k, v in data["voices"].items()}


def table_gender(key: str) -> str | None:
    """The gender our table gives a voice key (a speaker suffix ignored), if any."""
    return voice_table().get(key.split(":")[0], {}).get("gender")
