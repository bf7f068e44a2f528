"""One line of a script spoken alone (the edit page's Listen): normalised for its voice's
language, the pronunciation fixes applied, at its speed; kept as a WAV per (spoken text, voice,
speed), so a second Listen of the same line is a file read."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from core.engine.leftovers import keep_newest, partial_path
from core.engine.lexicon import Lexicon
from core.engine.model import VoiceInfo
from core.engine.pauses import Piece
from core.engine.samples import write_wav
from core.engine.speech import SpeechEngine
from core.engine.speech_units import CUE_SENTENCE_GAP_S, spoken_pieces

MAX_KEPT = 200  # clips kept per folder (the oldest go first)


def _clip_name(pieces: list[Piece], voice: VoiceInfo, speed: float) -> str:
    """A digest of what the voice will read, the voice and the speed."""
    data = f"{voice.id}\n{voice.model_path}\n{speed:.3f}\n{pieces!r}"
    return hashlib.sha256(data.encode()).hexdigest()[:32]


def speak_line(
    synth: SpeechEngine,
    text: str,
    voice: VoiceInfo,
    speed: float,
    lexicon: Lexicon,
    folder: Path,
) -> Path:
    """The line as a WAV under `folder` (made once; blocking: call it in a thread)."""
    pieces = spoken_pieces(text, voice.language_code, lexicon)
    out = folder / f"{_clip_name(pieces, voice, speed)}.wav"
    if out.is_file():
        return out
    sentences = [p for p in pieces if isinstance(p, str)]
    spoken = synth.synthesize_timed(voice, sentences, speed) if sentences else []
    clips = iter(clip.audio for clip in spoken)
    rate = voice.sample_rate
    gap = np.zeros(int(CUE_SENTENCE_GAP_S / speed * rate), dtype=np.float32)
    parts: list[np.ndarray] = []
    for piece in pieces:
        if isinstance(piece, float):
            parts.append(np.zeros(int(piece * rate), dtype=np.float32))
        else:
            parts += [gap, next(clips)] if parts else [next(clips)]
    folder.mkdir(parents=True, exist_ok=True)
    staged = partial_path(out)  # a killed write is swept by the next trim (keep_newest)
    write_wav(staged, np.concatenate(parts) if parts else np.zeros(rate // 10), rate)
    os.replace(staged, out)
    keep_newest(folder, "*.wav", MAX_KEPT)
    return out
