"""Which language a script is written in, per script and per segment.

Detection uses py3langid (a maintained fork of langid.py; a naive Bayes model over byte n-grams
trained on 97 languages, shipped inside its 4.6 MB wheel, numpy its only dependency, ~0.6 s to
load once, deterministic). We weighed lingua-language-detector, the most accurate on very short
text but a 96 MB wheel, and langdetect, which is random unless seeded and weak on short text.
Restricting py3langid to the languages people can have voices for (Piper's, plus the ones the
chat names) makes it reliable on sentence-length text ("Hello there" → en, "你好" → zh); below a
confidence floor a segment counts as undetermined rather than guessed.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from core.words.languages import LANGUAGES

# Languages with voices in Piper's repository (v1.0.0 and later), plus those the chat names.
PIPER_LANGUAGES = frozenset(
    {"ar", "ca", "cs", "cy", "da", "de", "el", "en", "es", "fa", "fi", "fr", "hu", "is", "it"}
    | {"ka", "kk", "lb", "lv", "ml", "ne", "nl", "no", "pl", "pt", "ro", "ru", "sk", "sl", "sr"}
    | {"sv", "sw", "tr", "uk", "vi", "zh", "hi", "id"}
)
MIN_CONFIDENCE = 0.3  # below this a segment's language is "undetermined"
_identifier: Any = None
_lock = threading.Lock()


@dataclass(frozen=True)
class Detected:
    """A detected language ("zh") with py3langid's normalised probability."""

    language: str
    confidence: float


def _get_identifier() -> Any:
    """py3langid's identifier, loaded once per process and restricted to our languages."""
    global _identifier
    with _lock:
        if _identifier is None:
            # py3langid (and its model, ~0.6 s) loads on the first detection, not at start-up.
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
            known = set(ident.nb_classes)
            ident.set_languages(sorted({*PIPER_LANGUAGES, *LANGUAGES} & known))
            _identifier = ident
        return _identifier


def detect_language(text: str) -> Detected | None:
    """The language of `text`, or None when it has no letters or the model is unsure."""
    if not any(c.isalpha() for c in text):
        return None
    language, probability = _get_identifier().classify(text)
    if float(probability) < MIN_CONFIDENCE:
        return None
    return Detected(str(language), round(float(probability), 3))


def detect_segments(texts: Iterable[str]) -> list[Detected | None]:
    """The language of each segment (paragraph or cue) of a script, None where undetermined."""
    return [detect_language(text) for text in texts]


def text_weight(text: str) -> int:
    """Roughly how long a text takes to say: letters, a Han or kana character counting as 3."""
    return sum(3 if "\u3040" <= c <= "\u9fff" else 1 for c in text if c.isalpha())


def dominant_language(texts: Iterable[str]) -> tuple[str | None, dict[str, int]]:
    """The language most of the script is in (weighted by letters), and letters per language."""
    weights: Counter[str] = Counter()
    pieces = list(texts)
    for text, found in zip(pieces, detect_segments(pieces), strict=True):
        if found is not None:
            weights[found.language] += text_weight(text)
    if not weights:
        whole = detect_language(" ".join(pieces))
        return (whole.language if whole else None), {}
    return weights.most_common(1)[0][0], dict(weights)
