"""Speech placed in time: sentences synthesised, paused naturally, timed cues honoured
(the units spoken: core/engine/speech_units.py; the samples' helpers: core/engine/samples.py).
Each segment keeps its spoken words' times from the synthesis itself (an aligned voice: see
core/engine/phoneme_words.py), placed on the track: pauses, cues and speed-ups (re-spoken with
Piper's length_scale, never stretched afterwards) are in them."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from core.engine.lexicon import Lexicon
from core.engine.model import Script, Segment, VoiceInfo
from core.engine.phoneme_words import unit_tokens
from core.engine.samples import join_parts, resample, write_wav
from core.engine.script_words import SpokenClips, SpokenWords, Timed
from core.engine.speech import SpeechEngine
from core.engine.speech_units import (
    CUE_SENTENCE_GAP_S,
    MAX_TTS_SPEED,
    MIN_TIMED_GAP_S,
    TAIL_S,
    Unit,
    timed_units,
    untimed_units,
)
from core.engine.sync_plan import Pace, ShotPlan, cue_windows, plan_on_shots

_EMPTY = np.zeros(0, dtype=np.float32)
Shots = Sequence[tuple[float, float]]


@dataclass
class Narration:
    """The narration track: samples, where each piece sits, and its end."""

    samples: np.ndarray
    sample_rate: int
    segments: list[Segment]
    holds: tuple[tuple[int, float], ...] = ()  # (span, seconds) the picture holds
    synced: bool = False  # laid on the shots
    spans: tuple[tuple[float, float], ...] = ()  # what `holds` count: shots, or cue windows
    spoken: tuple[SpokenWords | None, ...] = ()  # per segment: its words' times, when aligned

    @property
    def duration_s(self) -> float:
        """Length of the track in seconds."""
        return len(self.samples) / self.sample_rate


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
        self._spoken = SpokenClips()  # each clip spoken, with its tokens' times

    def build(
        self,
        script: Script,
        fit_to_s: float | None = None,
        cue_voices: Sequence[VoiceInfo] | None = None,
        shots: Shots | Callable[[], Shots | None] | None = None,
        hold_until_s: float | None = None,
        runs: Sequence[tuple[int, int]] | None = None,
    ) -> Narration:
        """Synthesise and place the script (cue i read by cue_voices[i]); `fit_to_s` asks
        untimed speech to fit (speed-up); `shots` lays untimed paragraphs on those shots (see
        core.engine.sync_plan; `runs`: each paragraph's first and last shot, as decided before);
        `hold_until_s` (a video's length) has a timed cue that overruns
        hold the picture instead of drifting. Voices of lower sample rates are resampled up."""
        self._spoken.clear()
        if self.timeout_s is not None:
            self.deadline = time.monotonic() + self.timeout_s
        voices = list(cue_voices) if cue_voices is not None else [self.voice] * len(script.cues)
        self.rate = max([self.voice.sample_rate, *(v.sample_rate for v in voices)])
        make = timed_units if script.timed else untimed_units
        units = make(script, voices, self.lexicon, self.speed)
        clips = self._speak(units, [self.speed] * len(units), progress_span=(0.0, 90.0))
        if callable(shots):  # found while the script was spoken
            shots = shots()
        if shots and not script.timed:
            return self._on_shots(units, clips, shots, runs)
        if script.timed and hold_until_s is not None and units:
            return self._hold_cues(units, clips, hold_until_s)
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

    def _on_shots(
        self,
        units: Sequence[Unit],
        clips: list[np.ndarray],
        shots: Shots,
        runs: Sequence[tuple[int, int]] | None,
    ) -> Narration:
        """The units laid on the shots (see core.engine.sync_plan)."""
        respeak = self._respeaker(units)
        plan = plan_on_shots(units, clips, shots, self._pace(), respeak, runs=runs)
        self.progress(100.0)
        narration = self.lay(units, clips, plan.factors, plan.starts, plan)
        narration.synced, narration.spans = True, tuple(shots)
        return narration

    def _speak(
        self, units: Sequence[Unit], speeds: Sequence[float], progress_span: tuple[float, float]
    ) -> list[np.ndarray]:
        """Synthesise every unit (all sentences of one voice and speed in one parallel call),
        per unit, at the track's rate."""
        by_unit: list[list[np.ndarray | float]] = [
            [p if isinstance(p, float) else _EMPTY for p in u.sentences] for u in units
        ]
        aligned: dict[tuple[int, int], tuple[Timed, ...] | None] = {}
        lo, hi = progress_span
        paired = zip(units, speeds, strict=True)
        keys = [(u.voice.id, min(MAX_TTS_SPEED, s * u.pace)) for u, s in paired]
        spoken = [(i, k) for i, u in enumerate(units) for k, s in enumerate(u.sentences)]
        jobs_all = [(i, k) for i, k in spoken if isinstance(units[i].sentences[k], str)]
        groups = sorted({keys[i] for i, _ in jobs_all})
        for n, key in enumerate(groups):
            jobs = [(i, k) for i, k in jobs_all if keys[i] == key]
            voice = units[jobs[0][0]].voice
            start, width = lo + (hi - lo) * n / len(groups), (hi - lo) / len(groups)
            audio = self.synth.synthesize_timed(
                voice,
                [str(units[i].sentences[k]) for i, k in jobs],
                key[1],
                on_progress=self._scaled(start, width),
                deadline=self.deadline,
            )
            for (i, k), clip in zip(jobs, audio, strict=True):
                by_unit[i][k] = resample(clip.audio, voice.sample_rate, self.rate)
                aligned[i, k] = clip.units
        gap = np.zeros(int(CUE_SENTENCE_GAP_S / self.speed * self.rate), dtype=np.float32)
        clips = []
        for i, parts in enumerate(by_unit):
            joined, starts = join_parts(parts, gap, self.rate)
            said = [aligned.get((i, k)) for k in range(len(parts))]
            pieces = list(zip(starts, units[i].sentences, said, strict=True))
            self._spoken.keep(joined, unit_tokens(pieces, self.rate))
            clips.append(joined)
        return clips

    def _pace(self) -> Pace:
        return Pace(self.rate, self.speed, self.max_speedup)

    def _hold_cues(
        self, units: Sequence[Unit], clips: list[np.ndarray], video_s: float
    ) -> Narration:
        """Timed cues at their times; one longer than its window (to the next cue) is sped up
        within the cap, then the picture holds until it ends."""
        windows, groups = cue_windows([u.cue_s for u in units], video_s)
        pace = replace(self._pace(), lead_s=0.0, margin_s=MIN_TIMED_GAP_S)
        plan = plan_on_shots(units, clips, windows, pace, self._respeaker(units), groups)
        plan.shots = [None] * len(units)  # windows between cues are not shots
        self.progress(100.0)
        narration = self.lay(units, clips, plan.factors, plan.starts, plan)
        narration.spans = tuple(windows)
        return narration

    def _respeaker(
        self, units: Sequence[Unit]
    ) -> Callable[[list[int], list[float]], list[np.ndarray]]:
        """Speak units (by index) again at speed-up factors."""

        def respeak(which: list[int], factors: list[float]) -> list[np.ndarray]:
            speeds = [self.speed * f for f in factors]
            return self._speak([units[n] for n in which], speeds, (90.0, 99.0))

        return respeak

    def _scaled(self, start: float, width: float) -> Callable[[float], None]:
        """A progress callback mapping 0–100 onto start…start+width of this stage."""
        return lambda pct: self.progress(start + width * pct / 100)

    def _cue_factors(
        self, units: Sequence[Unit], clips: Sequence[np.ndarray], fit_to_s: float | None
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
        self, units: Sequence[Unit], clips: list[np.ndarray], factors: Sequence[float]
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
        self, units: Sequence[Unit], clips: Sequence[np.ndarray], fit_to_s: float | None
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
        self, units: Sequence[Unit], clips: Sequence[np.ndarray], factors: Sequence[float]
    ) -> Narration:
        """Lay the clips on one track: untimed in a row, timed at their cues, never overlapping."""
        starts: list[float] = []
        cursor = 0.0
        for unit, clip, factor in zip(units, clips, factors, strict=True):
            gap = unit.gap_before_s / (self.speed * factor)
            start = cursor + gap if unit.cue_s is None else max(unit.cue_s, cursor + gap)
            starts.append(start)
            cursor = start + len(clip) / self.rate
        return self.lay(units, clips, factors, starts)

    def lay(
        self,
        units: Sequence[Unit],
        clips: Sequence[np.ndarray],
        factors: Sequence[float],
        starts: Sequence[float],
        plan: ShotPlan | None = None,
    ) -> Narration:
        """The track with each clip at its start, a segment for each unit that has words (and
        its shot, on the shots of `plan`)."""
        segments: list[Segment] = []
        ends = [start + len(clip) / self.rate for start, clip in zip(starts, clips, strict=True)]
        total = int((max(ends, default=0.0) + TAIL_S) * self.rate) + 1
        track = np.zeros(total, dtype=np.float32)
        for clip, start in zip(clips, starts, strict=True):
            index = int(round(start * self.rate))
            track[index : index + len(clip)] = clip[: max(0, total - index)]
        spoken: list[SpokenWords | None] = []
        for n, (unit, start, end) in enumerate(zip(units, starts, ends, strict=True)):
            if unit.text:
                shot: int | None = plan.shots[n] if plan else None
                held = plan.held_s[n] if plan else 0.0
                voice, factor = unit.voice.id, factors[n]
                segments.append(
                    Segment(
                        round(start, 3),
                        round(end, 3),
                        unit.text,
                        unit.cue_s,
                        factor,
                        voice,
                        shot,
                        held,
                    )
                )
                language = unit.voice.language_code
                spoken.append(self._spoken.words(clips[n], start, language, self.lexicon))
        holds = plan.holds if plan else ()
        return Narration(track, self.rate, segments, holds, plan is not None, spoken=tuple(spoken))


__all__ = ["Narration", "NarrationBuilder", "resample", "write_wav"]  # kept importable here
