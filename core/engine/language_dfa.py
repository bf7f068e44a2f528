"""py3langid's byte automaton kept small: each row stored as its differences from the root's.

py3langid walks a DFA over the text's bytes: `tk_nextmove[row << 8 | byte]` is the next state,
one uint32 per (row, byte), 9.8 M of them (37 MB resident in every process that detects a
language). Four entries in five equal the root row's (the automaton falls back to a one-byte
match), so a row here is its sorted differing bytes and their targets, the root row the
default: 2.2 M entries, about 11 MB. Lookups give exactly the table's values (a binary search in
the row's few dozen bytes), and the walk stays py3langid's own.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from typing import Any

import numpy as np


class CompactMoves:
    """`tk_nextmove` as each row's differences from the root row (index: row << 8 | byte)."""

    def __init__(
        self, root: np.ndarray, starts: np.ndarray, letters: np.ndarray, targets: np.ndarray
    ) -> None:
        if not (len(root) == 256 and len(letters) == len(targets) == int(starts[-1])):
            raise ValueError("the compact automaton's parts do not fit together")
        self._root: list[int] = root.tolist()
        self._starts = as_array("I", starts)
        self._bytes = np.ascontiguousarray(letters, dtype=np.uint8).tobytes()
        self._targets = as_array("I", targets)
        self.rows = len(starts) - 1

    @classmethod
    def from_table(cls, moves: np.ndarray, root_row: int) -> CompactMoves:
        """The full table (rows of 256) compacted against its root row."""
        table = moves.reshape(-1, 256)
        root = table[root_row]
        differs = table != root
        starts = np.concatenate(([0], np.cumsum(differs.sum(axis=1, dtype=np.uint32))))
        columns = np.broadcast_to(np.arange(256, dtype=np.uint8), table.shape)
        return cls(root, starts, columns[differs], table[differs])  # row-major: row, then byte

    def parts(self) -> dict[str, np.ndarray]:
        """The arrays it is made of (what `__init__` takes), to be saved."""
        return {
            "root": np.array(self._root, dtype=np.uint32),
            "starts": np.frombuffer(self._starts, dtype=np.uint32),
            "letters": np.frombuffer(self._bytes, dtype=np.uint8),
            "targets": np.frombuffer(self._targets, dtype=np.uint32),
        }

    def __getitem__(self, index: int) -> int:
        """The next state: the row's own target for this byte, else the root row's."""
        row, letter = index >> 8, index & 255
        low, high = self._starts[row], self._starts[row + 1]
        at = bisect_left(self._bytes, letter, low, high)
        if at < high and self._bytes[at] == letter:
            return self._targets[at]
        return self._root[letter]

    def __len__(self) -> int:
        """As many entries as the full table."""
        return self.rows * 256

    def nbytes(self) -> int:
        """The memory its arrays take."""
        return len(self._bytes) + self._targets.itemsize * len(self._targets) + 4 * self.rows


def as_array(code: str, values: np.ndarray) -> array[int]:
    """A stdlib array (its items plain ints, fast to index) of `values`, copied as bytes."""
    out = array(code)
    out.frombytes(np.ascontiguousarray(values, dtype=np.dtype(code)).tobytes())
    return out


def compact(ident: Any) -> Any:
    """`ident` (a py3langid LanguageIdentifier) with its automaton and per-state tables in
    compact arrays instead of the full table and two lists of 104,583 Python ints."""
    moves = np.frombuffer(ident.tk_nextmove, dtype=np.uint32)
    ident.tk_nextmove = CompactMoves.from_table(moves, int(ident.tk_row[0]))
    return with_state_arrays(ident, np.asarray(ident.tk_output))


def with_state_arrays(ident: Any, output: np.ndarray) -> Any:
    """`ident` with its per-state tables (row offsets, output features) as compact arrays."""
    rows = np.frombuffer(ident.tk_row, dtype=np.dtype(ident.tk_row.typecode))
    ident._rowbase = as_array("I", rows.astype(np.uint32) << 8)
    ident.tk_output = as_array("i", output)
    return ident
