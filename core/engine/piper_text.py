"""Text and audio as Piper wants and gives them: text cleaned and cut into pieces of bounded
size (phoneme blocks never cut), and silence trimmed from each spoken piece."""

from __future__ import annotations

import re

import numpy as np

KEEP_SILENCE_S = 0.03  # natural breath kept at each end of a sentence
FRAME_S = 0.01  # silence is judged on 10 ms frames
SILENCE_RATIO = 0.02  # a frame quieter than 2% of the loudest frame's RMS is silence
SILENCE_FLOOR = 1e-3
MAX_WORDS_PER_CALL = 60  # longer sentences are spoken in pieces (bounded memory, better balance)
MAX_CHARS_PER_CALL = 400
BREAK_AFTER = (",", ";", ":", "—", "–", "，", "；", "：")
_BRACKETS = re.compile(r"[\[\]]+")
# Piper reads [[ ... ]] as raw phonemes: only the lexicon writes them (normalisation drops the
# brackets of the script), and a block is never cut in two.
_PHONEME_BLOCK = re.compile(r"(\[\[[^\[\]]{1,200}\]\])")
_TOKEN = re.compile(r"\[\[[^\[\]]*\]\]\S*|\S+")


def _clean(text: str) -> str:
    """Spaces collapsed, and brackets dropped except around well-formed phoneme blocks."""
    parts = _PHONEME_BLOCK.split(text)
    kept = [p if n % 2 else _BRACKETS.sub(" ", p) for n, p in enumerate(parts)]
    return " ".join("".join(kept).split())


def split_long(text: str) -> list[str]:
    """The text cleaned for Piper, in pieces of bounded size (after commas where possible)."""
    cleaned = _clean(text)
    if not cleaned:
        return []
    if len(cleaned) <= MAX_CHARS_PER_CALL and cleaned.count(" ") < MAX_WORDS_PER_CALL:
        return [cleaned]
    step = MAX_CHARS_PER_CALL // 4
    words = [
        piece
        for word in _TOKEN.findall(cleaned)
        for piece in (
            [word]
            if word.startswith("[[")
            else [word[i : i + step] for i in range(0, len(word), step)]
        )
    ]
    pieces: list[list[str]] = [[]]
    for word in words:
        current = pieces[-1]
        size = sum(len(w) + 1 for w in current)
        if len(current) >= MAX_WORDS_PER_CALL or size + len(word) > MAX_CHARS_PER_CALL:
            pieces.append(current := [])
        current.append(word)
        if word.endswith(BREAK_AFTER) and len(current) >= MAX_WORDS_PER_CALL // 2:
            pieces.append([])
    return [" ".join(piece) for piece in pieces if piece]


def trim_silence(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """The audio without leading/trailing silence, keeping ~30 ms at each end."""
    start, end = sound_bounds(audio, sample_rate)
    return np.ascontiguousarray(audio[start:end], dtype=np.float32)


def sound_bounds(audio: np.ndarray, sample_rate: int) -> tuple[int, int]:
    """Where the sound of `audio` starts and ends (samples), keeping ~30 ms at each end; an
    empty span when it is all silence."""
    frame = max(1, int(sample_rate * FRAME_S))
    count = len(audio) // frame
    if count == 0:
        return 0, len(audio)
    framed = audio[: count * frame].reshape(count, frame)
    rms = np.sqrt(np.mean(np.square(framed, dtype=np.float64), axis=1))
    loud = np.flatnonzero(rms > max(SILENCE_FLOOR, float(rms.max()) * SILENCE_RATIO))
    if loud.size == 0:
        return 0, 0
    keep = int(sample_rate * KEEP_SILENCE_S)
    start = max(0, int(loud[0]) * frame - keep)
    return start, min(len(audio), (int(loud[-1]) + 1) * frame + keep)


def empty_audio() -> np.ndarray:
    """No samples (float32)."""
    return np.zeros(0, dtype=np.float32)
