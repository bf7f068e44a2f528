"""Which language a script is written in, per script and per segment.

Detection uses py3langid (a maintained fork of langid.py; a naive Bayes model over byte n-grams
trained on 97 languages, shipped inside its 4.6 MB wheel, numpy its only dependency, ~0.6 s to
load once, deterministic). We weighed lingua-language-detector, the most accurate on very short
text but a 96 MB wheel, and langdetect, which is random unless seeded and weak on short text.
Restricting py3langid to the languages people can have voices for (Piper's, plus the ones the
chat names) makes it reliable on sentence-length text ("Hello there" → en, "你好" → zh); below a
confidence floor a segment counts as undetermined rather than guessed.

py3langid's own loader unpacks its model into a temporary file (TMPDIR) in every process; on a
full disk that is the first thing to fail. `_read_model` reads the arrays straight from the
decompressing stream instead (no temporary file, no 68 MB buffer), so detection writes nothing.
Kept compact (core/engine/language_dfa.py) and prepared once at install time
(core/engine/language_prepared.py), it loads in ~20 ms.
"""

from __future__ import annotations

import io
import lzma
import struct
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.engine.language_dfa import compact
from core.engine.language_prepared import load_prepared, prepared_path, save_prepared
from core.words.languages import LANGUAGES

# Languages with voices in Piper's repository (v1.0.0 and later), plus those the chat names.
PIPER_LANGUAGES = frozenset(
    {"ar", "ca", "cs", "cy", "da", "de", "el", "en", "es", "fa", "fi", "fr", "hu", "is", "it"}
    | {"ka", "kk", "lb", "lv", "ml", "ne", "nl", "no", "pl", "pt", "ro", "ru", "sk", "sl", "sr"}
    | {"sv", "sw", "tr", "uk", "vi", "zh", "hi", "id"}
)
ZIP_LOCAL = b"PK\x03\x04"
ZIP_HEADER = struct.Struct("<4sHHHHHIIIHH")  # a zip member's local header
WANTED = tuple(sorted({*PIPER_LANGUAGES, *LANGUAGES}))  # the languages detection tells apart
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
            # it loads on the first detection (or load_model), not at start-up: prepared at
            # install time ~20 ms, else unpacked from py3langid's own file ~0.5 s
            _identifier = load_prepared(prepared_path(WANTED)) or prepare()
        return _identifier


def prepare(save: bool = False) -> Any:
    """The identifier unpacked from py3langid's file, restricted to our languages, its tables
    compact (57 MB resident as py3langid keeps it, 23 MB so); with `save`, saved for the
    next processes (see core/engine/language_prepared.py)."""
    ident = compact(_read_model())
    ident.set_languages(sorted(set(WANTED) & set(ident.nb_classes)))
    if hasattr(ident, "_full_model"):  # kept only to undo set_languages, which we never do
        ident._full_model = (ident.nb_ptc, ident.nb_pc, ident.nb_classes)
    if save:
        save_prepared(ident, prepared_path(WANTED))
    return ident


def load_model() -> None:
    """Load the model now (e.g. while a render's inputs are probed), not at the first use."""
    _get_identifier()


def _read_model() -> Any:
    """py3langid's identifier from its packaged model, unpacked as a stream (no temp file)."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier
    from py3langid.modelio import _to_array

    with lzma.open(Path(MODEL_DIR) / MODEL_FILE) as packed:
        data = dict(_npz_members(packed))
    return LanguageIdentifier(
        data["ptc"],
        data["pc"],
        data["classes"].tolist(),
        _to_array(data.pop("nextmove")),
        data["out_feat"].tolist(),
        norm_probs=True,
        tk_row=_to_array(data.pop("nextmove_row")),
    )


def _read_into(stream: io.BufferedIOBase, target: memoryview, chunk: int = 1 << 20) -> None:
    """Fill `target` from the stream a chunk at a time (ValueError when it ends first)."""
    at = 0
    while at < len(target):
        piece = stream.read(min(chunk, len(target) - at))
        if not piece:
            raise ValueError("the model file ends early")
        target[at : at + len(piece)] = piece
        at += len(piece)


def _zip64_size(extra: bytes) -> int:
    """The uncompressed size in a zip64 extra field (id 1: uncompressed, then compressed)."""
    at = 0
    while at + 4 <= len(extra):
        kind, length = struct.unpack_from("<HH", extra, at)
        if kind == 1:
            return int(struct.unpack_from("<Q", extra, at + 4)[0])
        at += 4 + length
    raise ValueError("a zip64 member without its sizes")


def _npz_members(stream: io.BufferedIOBase) -> Iterator[tuple[str, Any]]:
    """The arrays of an uncompressed .npz read front to back (its zip's local headers), so
    neither the whole archive nor a temporary file is ever needed."""
    import numpy as np

    while (head := stream.read(ZIP_HEADER.size)) and head[:4] == ZIP_LOCAL:
        fields = ZIP_HEADER.unpack(head)
        flags, method, size, name_len, extra_len = fields[2], fields[3], fields[8], *fields[9:]
        name = stream.read(name_len).decode()
        extra = stream.read(extra_len)
        if flags & 0x08 or method != 0:
            raise ValueError(f"{name}: not a stored zip member with its size")
        if size == 0xFFFFFFFF:  # zip64: the sizes are in the extra field
            size = _zip64_size(extra)
        start = stream.tell()
        version = np.lib.format.read_magic(stream)
        read_header = (
            np.lib.format.read_array_header_1_0
            if version == (1, 0)
            else np.lib.format.read_array_header_2_0
        )
        shape, fortran, dtype = read_header(stream)
        count = int(np.prod(shape, dtype=np.int64))
        array = np.empty(count, dtype=dtype)
        _read_into(stream, array.view(np.uint8).data)  # no second copy of its bytes
        array = array.reshape(shape, order="F" if fortran else "C")
        if stream.tell() - start != size:
            raise ValueError(f"{name}: {size} bytes expected")
        yield name.removesuffix(".npy"), array


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


if __name__ == "__main__":  # scripts/bootstrap.sh, the Dockerfile: prepare the model once
    if load_prepared(prepared_path(WANTED)) is None:
        prepare(save=True)
