"""Speech placed in time: sentences synthesised, paused naturally, timed cues honoured."""

from __future__ import annotations

import time
import wave
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.engine.lexicon import Lexicon
from core.engine.model import Script, Segment, VoiceInfo
from core.engine.speech import SpeechEngine
from core.engine.textnorm import normalize_for_speech, split_sentences

# Pauses at speed 1.0, in seconds (they shrink or grow with the speed).
LEAD_IN_S = 0.5
SENTENCE_GAP_S = 0.35
PARAGRAPH_GAP_S = 0.75
CUE_SENTENCE_GAP_S = 0.2
MIN_TIMED_GAP_S = 0.1
TAIL_S = 0.6
MAX_TTS_SPEED = 2.0


@dataclass
class Narration:
    """The narration track: samples, where each piece sits, and its end."""

    samples: np.ndarray
    sample_rate: int
    segments: list[Segment]

    @property
    def duration_s(self) -> float:
        """Length of the track in seconds."""
        return len(self.samples) / self.sample_rate


@dataclass(frozen=True)
class _Unit:
    """A piece of script spoken as one segment (a sentence, or a timed cue)."""

    text: str
    sentences: tuple[str, ...]
    cue_s: float | None
    gap_before_s: float
    voice: VoiceInfo


class NarrationBuilder:
    """Turns a script into a Narration at one speed and speed-up cap, each cue read by its own
    voice (the builder's voice unless `build` is given one per cue)."""

    def __init__(
        self,
        synth: SpeechEngine,
        voice: VoiceInfo,
        speed: float,
        max_speedup: float,
        progress: Callable[[float], None],
        timeout_s: float | None = None,
        lexicon: Lexicon | None = None,
    ) -> None:
        self.synth, self.voice, self.speed = synth, voice, speed
        self.lexicon = lexicon or Lexicon()  # applied to what the voice reads, not the captions
        self.max_speedup = max_speedup
        self.progress = progress
        self.rate = voice.sample_rate
        self.timeout_s = timeout_s  # for all the speech of one build (VoiceoverError TIMEOUT)
        self.deadline: float | None = None

    def build(
        self,
        script: Script,
        fit_to_s: float | None = None,
        cue_voices: Sequence[VoiceInfo] | None = None,
    ) -> Narration:
        """Synthesise and place the script (cue i read by cue_voices[i]); `fit_to_s` asks
        untimed speech to fit (speed-up). Voices of lower sample rates are resampled up."""
        if self.timeout_s is not None:
            self.deadline = time.monotonic() + self.timeout_s
        voices = list(cue_voices) if cue_voices is not None else [self.voice] * len(script.cues)
        self.rate = max([self.voice.sample_rate, *(v.sample_rate for v in voices)])
        make = _timed_units if script.timed else _untimed_units
        units = make(script, voices, self.lexicon)
        clips = self._speak(units, [self.speed] * len(units), progress_span=(0.0, 90.0))
        if script.timed:
            factors = self._cue_factors(units, clips, fit_to_s)
            clips = self._respeak(units, clips, factors)
        else:
            factors = [1.0] * len(units)
            factor = self._untimed_factor(units, clips, fit_to_s)
            if factor > 1.0:
                factors = [factor] * len(units)
                clips = self._speak(units, [self.speed * factor] * len(units), (90.0, 99.0))
        self.progress(100.0)
        return self._place(units, clips, factors)

    def _speak(
        self, units: Sequence[_Unit], speeds: Sequence[float], progress_span: tuple[float, float]
    ) -> list[np.ndarray]:
        """Synthesise every unit (all sentences of one voice and speed in one parallel call),
        per unit, at the track's rate."""
        by_unit: list[list[np.ndarray]] = [[] for _ in units]
        lo, hi = progress_span
        keys = [(u.voice.id, min(MAX_TTS_SPEED, s)) for u, s in zip(units, speeds, strict=True)]
        groups = sorted(set(keys))
        for n, key in enumerate(groups):
            jobs = [(i, s) for i, u in enumerate(units) for s in u.sentences if keys[i] == key]
            voice = units[keys.index(key)].voice
            start, width = lo + (hi - lo) * n / len(groups), (hi - lo) / len(groups)
            audio = self.synth.synthesize(
                voice,
                [s for _, s in jobs],
                key[1],
                on_progress=self._scaled(start, width),
                deadline=self.deadline,
            )
            for (i, _), clip in zip(jobs, audio, strict=True):
                by_unit[i].append(resample(clip, voice.sample_rate, self.rate))
        gap = np.zeros(int(CUE_SENTENCE_GAP_S / self.speed * self.rate), dtype=np.float32)
        return [_join(parts, gap) for parts in by_unit]

    def _scaled(self, start: float, width: float) -> Callable[[float], None]:
        """A progress callback mapping 0–100 onto start…start+width of this stage."""
        return lambda pct: self.progress(start + width * pct / 100)

    def _cue_factors(
        self, units: Sequence[_Unit], clips: Sequence[np.ndarray], fit_to_s: float | None
    ) -> list[float]:
        """Per timed cue: how much to speed it up (≤ cap) to end before the next cue."""
        factors = []
        for i, (unit, clip) in enumerate(zip(units, clips, strict=True)):
            assert unit.cue_s is not None
            nxt = units[i + 1].cue_s if i + 1 < len(units) else fit_to_s
            available = (nxt - unit.cue_s - MIN_TIMED_GAP_S) if nxt is not None else None
            length = len(clip) / self.rate
            if available is None or available <= 0 or length <= available:
                factors.append(1.0)
            else:
                factors.append(min(self.max_speedup, length / available))
        return factors

    def _respeak(
        self, units: Sequence[_Unit], clips: list[np.ndarray], factors: Sequence[float]
    ) -> list[np.ndarray]:
        """Synthesise again, faster, the cues that would overrun."""
        redo = [i for i, f in enumerate(factors) if f > 1.01]
        if not redo:
            return clips
        faster = self._speak(
            [units[i] for i in redo], [self.speed * factors[i] for i in redo], (90.0, 99.0)
        )
        for i, clip in zip(redo, faster, strict=True):
            clips[i] = clip
        return clips

    def _untimed_factor(
        self, units: Sequence[_Unit], clips: Sequence[np.ndarray], fit_to_s: float | None
    ) -> float:
        """The speed-up (≤ cap) that makes untimed narration fit `fit_to_s`, or 1.0."""
        if fit_to_s is None:
            return 1.0
        speech = sum(len(c) for c in clips) / self.rate
        pauses = sum(u.gap_before_s for u in units) / self.speed + TAIL_S
        total = speech + pauses
        if total <= fit_to_s:
            return 1.0
        return min(self.max_speedup, total / max(0.1, fit_to_s))

    def _place(
        self, units: Sequence[_Unit], clips: Sequence[np.ndarray], factors: Sequence[float]
    ) -> Narration:
        """Lay the clips on one track: untimed in a row, timed at their cues, never overlapping."""
        segments: list[Segment] = []
        cursor = 0.0
        for unit, clip, factor in zip(units, clips, factors, strict=True):
            gap = unit.gap_before_s / (self.speed * factor)
            start = cursor + gap if unit.cue_s is None else max(unit.cue_s, cursor + gap)
            end = start + len(clip) / self.rate
            segments.append(
                Segment(
                    round(start, 3), round(end, 3), unit.text, unit.cue_s, factor, unit.voice.id
                )
            )
            cursor = end
        total = int((cursor + TAIL_S) * self.rate) + 1
        track = np.zeros(total, dtype=np.float32)
        for seg, clip in zip(segments, clips, strict=True):
            at = int(round(seg.start_s * self.rate))
            track[at : at + len(clip)] = clip[: max(0, total - at)]
        return Narration(track, self.rate, segments)


def _spoken(text: str, language: str, lexicon: Lexicon) -> str:
    """What the voice reads: the text normalised, then the lexicon's fixes applied."""
    return lexicon.apply(normalize_for_speech(text, language)).strip()


def _untimed_units(script: Script, voices: Sequence[VoiceInfo], lexicon: Lexicon) -> list[_Unit]:
    units: list[_Unit] = []
    for cue, voice in zip(script.cues, voices, strict=True):
        language = voice.language_code  # the text is normalised for the voice that reads it
        for s, sentence in enumerate(split_sentences(cue.text)):
            spoken = _spoken(sentence, language, lexicon)
            if not spoken:
                continue
            gap = LEAD_IN_S if not units else (SENTENCE_GAP_S if s else PARAGRAPH_GAP_S)
            units.append(_Unit(sentence, (spoken,), None, gap, voice))
    return units


def _timed_units(script: Script, voices: Sequence[VoiceInfo], lexicon: Lexicon) -> list[_Unit]:
    units: list[_Unit] = []
    for cue, voice in zip(script.cues, voices, strict=True):
        language = voice.language_code
        spoken = [_spoken(s, language, lexicon) for s in split_sentences(cue.text)]
        spoken = [s for s in spoken if s]
        if not spoken:
            continue
        gap = 0.0 if not units else MIN_TIMED_GAP_S
        units.append(_Unit(cue.text, tuple(spoken), cue.start_s, gap, voice))
    return units


def resample(samples: np.ndarray, rate: int, to_rate: int) -> np.ndarray:
    """Mono samples at `rate` as samples at `to_rate` (linear interpolation)."""
    if rate == to_rate or len(samples) == 0:
        return samples
    count = int(round(len(samples) * to_rate / rate))
    positions = np.arange(count, dtype=np.float64) * (rate / to_rate)
    resampled = np.interp(positions, np.arange(len(samples)), samples)
    return resampled.astype(np.float32)


def _join(parts: Sequence[np.ndarray], gap: np.ndarray) -> np.ndarray:
    pieces: list[np.ndarray] = []
    for part in parts:
        if len(part) == 0:
            continue
        if pieces:
            pieces.append(gap)
        pieces.append(part.astype(np.float32, copy=False))
    return np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)


def write_wav(path: Path, samples: np.ndarray, rate: int) -> None:
    """Write mono float samples as 16-bit PCM WAV."""
    pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.tobytes())
