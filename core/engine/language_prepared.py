"""The language model prepared once at install time, so a fresh process loads it in ~20 ms.

py3langid ships its model LZMA-compressed (68 MB unpacked, ~0.4 s to unpack in every process
that detects a language: a cold `voiceover render` waits for it). `scripts/bootstrap.sh` (and
the Dockerfile) run `python -m core.engine.language_id`, which saves the identifier as we
keep it (restricted to our languages, its automaton compact) as one uncompressed .npz beside
the installed packages (`sys.prefix/share/voiceover`), named by py3langid's version and the
language set. A process reads that when it is there and sound; otherwise (a read-only or
different install) it unpacks py3langid's own file as before. Nothing is written at run time.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import logging
import os
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from core.engine.language_dfa import CompactMoves, as_array, with_state_arrays

log = logging.getLogger(__name__)

FORMAT = 1  # bump when the saved arrays change
PREPARED_DIR = Path(sys.prefix) / "share" / "voiceover"


def prepared_path(languages: Sequence[str], folder: Path = PREPARED_DIR) -> Path:
    """Where the model restricted to `languages` is saved, for this py3langid version."""
    version = importlib.metadata.version("py3langid")
    key = f"{FORMAT}|{version}|{','.join(sorted(languages))}"
    return folder / f"langid-{hashlib.sha256(key.encode()).hexdigest()[:16]}.npz"


def save_prepared(ident: Any, path: Path) -> None:
    """Save a compact, restricted identifier (written aside, then moved into place)."""
    arrays = {
        "ptc": np.asarray(ident.nb_ptc),
        "pc": np.asarray(ident.nb_pc),
        "classes": np.array(ident.nb_classes),
        "row": np.frombuffer(ident.tk_row, dtype=np.dtype(ident.tk_row.typecode)),
        "output": np.frombuffer(ident.tk_output, dtype=np.int32),
        **{f"moves_{k}": v for k, v in ident.tk_nextmove.parts().items()},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    with partial.open("wb") as out:
        np.savez(out, **arrays)
    os.replace(partial, path)


def load_prepared(path: Path) -> Any | None:
    """The identifier saved at `path`, or None when there is none or it is unsound."""
    if not path.is_file():
        return None
    from py3langid.langid import LanguageIdentifier

    try:
        with np.load(path, allow_pickle=False) as data:
            parts = {k: data[k] for k in data.files}
        moves = CompactMoves(
            *(parts[f"moves_{k}"] for k in ("root", "starts", "letters", "targets"))
        )
        row, output = parts["row"], parts["output"]
        if len(row) != len(output) or int(row.max()) >= moves.rows:
            raise ValueError("its states and its automaton do not fit together")
        ident = LanguageIdentifier(
            parts["ptc"], parts["pc"], parts["classes"].tolist(), moves, [],
            norm_probs=True, tk_row=as_array(row.dtype.char, row),
        )  # fmt: skip
        return with_state_arrays(ident, output)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        log.warning(
            "The prepared language model %s is unsound (%s); unpacking py3langid's", path.name, exc
        )
        return None
