"""One line of a script spoken alone (the edit page's Listen): normalised for its voice's
language, the pronunciation fixes applied, at its speed; kept as a WAV per (spoken text, voice,
speed), so a second Listen of the same line is a file read."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from core.engine.lexicon import Lexicon
from core.engine.model import VoiceInfo
from core.engine.pauses import split_pauses
from core.engine.samples import write_wav
from core.engine.speech import SpeechEngine
from core.engine.speech_units import CUE_SENTENCE_GAP_S
from core.engine.textnorm import normalize_for_speech, split_sentences

MAX_KEPT = 200  # clips kept per folder (the oldest go first)


def line_key(text: str, voice: VoiceInfo, speed: float, lexicon: Lexicon) -> str:
    """The clip's name: a digest of what the voice will read, the voice and the speed."""
    spoken = _spoken_pieces(text, voice, lexicon)
    data = f"{voice.id}\n{voice.model_path}\n{speed:.3f}\n{spoken!r}"
    return hashlib.sha256(data.encode()).hexdigest()[:32]


def _spoken_pieces(text: str, voice: VoiceInfo, lexicon: Lexicon) -> list[str | float]:
    """What the voice reads, sentence by sentence, and the pauses between (as the render)."""
    out: list[str | float] = []
    for piece in split_pauses(text):
        if isinstance(piece, float):
            out.append(piece)
            continue
        for sentence in split_sentences(piece):
            spoken = lexicon.apply(normalize_for_speech(sentence, voice.language_code)).strip()
            if spoken:
                out.append(spoken)
    return out


def speak_line(
    synth: SpeechEngine,
    text: str,
    voice: VoiceInfo,
    speed: float,
    lexicon: Lexicon,
    folder: Path,
) -> Path:
    """The line as a WAV under `folder` (made once; blocking: call it in a thread)."""
    out = folder / f"{line_key(text, voice, speed, lexicon)}.wav"
    if out.is_file():
        return out
    pieces = _spoken_pieces(text, voice, lexicon)
    sentences = [p for p in pieces if isinstance(p, str)]
    clips = iter(synth.synthesize(voice, sentences, speed) if sentences else [])
    rate = voice.sample_rate
    gap = np.zeros(int(CUE_SENTENCE_GAP_S / speed * rate), dtype=np.float32)
    parts: list[np.ndarray] = []
    for piece in pieces:
        if isinstance(piece, float):
            parts.append(np.zeros(int(piece * rate), dtype=np.float32))
        else:
            parts += [gap, next(clips)] if parts else [next(clips)]
    folder.mkdir(parents=True, exist_ok=True)
    staged = folder / f".{out.name}.{os.getpid()}"
    write_wav(staged, np.concatenate(parts) if parts else np.zeros(rate // 10), rate)
    os.replace(staged, out)
    _trim(folder)
    return out


def _trim(folder: Path) -> None:
    """Keep the newest MAX_KEPT clips."""
    clips = sorted(folder.glob("*.wav"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in clips[MAX_KEPT:]:
        old.unlink(missing_ok=True)
