"""Speech already spoken, kept on disk so that an edit never synthesises it twice.

Speech is about 75 % of a render. Each sentence's audio is kept under DATA_DIR/cache/speech,
keyed by everything it depends on: the engine and Piper versions, the voice (its model file and
config), the speaker, the speed and the exact text the voice reads (normalised, with the
lexicon's fixes). An edit that leaves the narration alone ("burn the captions", "make it 9:16",
"music at 20%") then synthesises nothing, and a changed sentence re-synthesises only itself;
the placement (pauses, cues, sync) is recomputed from the clips, which is cheap. A sentence
spoken by an aligned voice keeps its words' times beside its audio (core/engine/phoneme_words.py).

Piper's output is not deterministic (its VITS model draws noise), so a sentence taken from here
is the very audio of the last render, not a re-reading. Writes are atomic (a partial file named
after the process, then a rename); the folder is kept under SPEECH_CACHE_MB by dropping the
least recently used sentences; a full disk only means a sentence is not kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from core.engine.leftovers import partial_path, remove_stale_work
from core.engine.model import VoiceInfo
from core.engine.phoneme_words import Clip, Unit

if TYPE_CHECKING:
    from core.config import Settings
    from core.engine.speech import SpeechEngine

log = logging.getLogger(__name__)
ENGINE = "speech-1"  # bump when synthesis (splitting, trimming, scales) changes what it says
SUFFIX = ".f32"  # raw little-endian float32 mono samples at the voice's own rate
WORDS = ".words"  # beside it: its spoken words' times (JSON), when the voice gave them
FOLDER = ("cache", "speech")


@dataclass
class SpeechCache:
    """Sentences' audio in a folder bounded to `max_bytes`; counts its hits and misses."""

    folder: Path
    max_bytes: int
    hits: int = 0
    misses: int = 0

    def key(self, voice: VoiceInfo, speed: float, text: str) -> str:
        """The name of one sentence's audio: a digest of everything it depends on."""
        inputs = [ENGINE, *_versions(), _voice_identity(voice), voice.speaker_id, repr(speed)]
        return hashlib.sha256(json.dumps([*inputs, text]).encode()).hexdigest()

    def load(self, key: str, words: bool = False) -> Clip | None:
        """The kept audio (marked as just used), with its words' times when `words` (a sentence
        kept without them is then missing), or None."""
        path = self.folder / f"{key}{SUFFIX}"
        try:
            data = path.read_bytes()
            units = _read_units(path.with_suffix(WORDS)) if words else None
            os.utime(path)
        except (OSError, ValueError):
            self.misses += 1
            return None
        if len(data) % 4:
            self.misses += 1
            return None
        self.hits += 1
        return Clip(np.frombuffer(data, dtype="<f4").astype(np.float32), units)

    def store(self, key: str, clip: Clip) -> None:
        """Keep this audio and its words (atomically, the words first; a failed write, e.g. a
        full disk, only loses the copy)."""
        path = self.folder / f"{key}{SUFFIX}"
        partials = [partial_path(path), partial_path(path.with_suffix(WORDS))]
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            if clip.units is not None:
                partials[1].write_text(json.dumps(clip.units), encoding="utf-8")
                os.replace(partials[1], path.with_suffix(WORDS))
            partials[0].write_bytes(np.ascontiguousarray(clip.audio, dtype="<f4").tobytes())
            os.replace(partials[0], path)
        except OSError as exc:
            for partial in partials:
                with contextlib.suppress(OSError):
                    partial.unlink(missing_ok=True)
            log.warning("speech not kept in the cache: %s", exc.strerror or type(exc).__name__)

    def free_up(self, wanted: int) -> int:
        """Drop the least recently used sentences until `wanted` bytes are freed (a render
        short of disk comes first: this is derivable data); the bytes freed."""
        freed = 0
        for _, size, path in self._by_age():
            if freed >= wanted:
                break
            with contextlib.suppress(OSError):
                _remove(path)
                freed += size
        if freed:
            log.info("speech cache: %d bytes freed for a render short of disk", freed)
        return freed

    def _by_age(self) -> list[tuple[int, int, str]]:
        """(last use, size, path) of every kept sentence, oldest first."""
        try:
            entries = [e for e in os.scandir(self.folder) if e.name.endswith(SUFFIX)]
            return sorted((e.stat().st_mtime_ns, e.stat().st_size, e.path) for e in entries)
        except OSError:
            return []

    def trim(self) -> int:
        """Drop the least recently used sentences beyond `max_bytes` (and dead processes'
        partial files); how many files were removed."""
        removed = remove_stale_work(self.folder)
        kept = self._by_age()
        total = sum(size for _, size, _ in kept)
        for _, size, path in kept:
            if total <= self.max_bytes:
                break
            with contextlib.suppress(OSError):  # another process may have taken it first
                _remove(path)
                removed += 1
            total -= size
        return removed


def speech_cache(settings: Settings) -> SpeechCache | None:
    """The cache under DATA_DIR, or None when SPEECH_CACHE_MB is 0."""
    if settings.speech_cache_mb <= 0:
        return None
    return SpeechCache(settings.data_dir.joinpath(*FOLDER), settings.speech_cache_mb * 1_000_000)


class CachedSpeech:
    """A synthesizer that speaks only the sentences its cache has not kept."""

    def __init__(self, synth: SpeechEngine, cache: SpeechCache) -> None:
        self.synth, self.cache = synth, cache

    def preload(
        self, voice: VoiceInfo, aligned_dir: Path | None = None, make: bool = False
    ) -> None:
        """As the engine behind it."""
        self.synth.preload(voice, aligned_dir, make)

    def gives_words(self, voice: VoiceInfo) -> bool:
        """As the engine behind it."""
        return self.synth.gives_words(voice)

    def voices(self, extra_dir: Path | None = None) -> list[VoiceInfo]:
        """As the engine behind it."""
        return self.synth.voices(extra_dir)

    def synthesize_timed(
        self,
        voice: VoiceInfo,
        sentences: Sequence[str],
        speed: float = 1.0,
        on_progress: Callable[[float], None] | None = None,
        deadline: float | None = None,
    ) -> list[Clip]:
        """As Synthesizer.synthesize_timed; kept sentences come from the cache (a voice that
        gives words takes only those kept with their words), the others are spoken (each
        distinct sentence once) and kept."""
        words = self.synth.gives_words(voice)
        keys = [self.cache.key(voice, speed, s) for s in sentences]
        found: dict[str, Clip] = {}
        for key in dict.fromkeys(keys):
            clip = self.cache.load(key, words)
            if clip is not None:
                found[key] = clip
        missing = {k: s for k, s in zip(keys, sentences, strict=True) if k not in found}
        if missing:
            share = len(missing) / len(set(keys))
            spoken = self.synth.synthesize_timed(
                voice, list(missing.values()), speed, _scaled(on_progress, share), deadline
            )
            for key, clip in zip(missing, spoken, strict=True):
                found[key] = clip
                self.cache.store(key, clip)
            self.cache.trim()
        elif on_progress is not None:
            on_progress(100.0)
        return [found[k] for k in keys]


def _read_units(path: Path) -> tuple[Unit, ...]:
    """A kept sentence's words: (phonemes, start_s, end_s) triples."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    return tuple((str(p), float(a), float(b)) for p, a, b in raw)


def _remove(path: str) -> None:
    """A kept sentence's audio, then its words."""
    os.unlink(path)
    with contextlib.suppress(OSError):
        os.unlink(Path(path).with_suffix(WORDS))


def _scaled(
    on_progress: Callable[[float], None] | None, share: float
) -> Callable[[float], None] | None:
    """Progress of the spoken part, counting the kept part as already done."""
    if on_progress is None:
        return None
    return lambda pct: on_progress(100.0 * (1 - share) + share * pct)


def with_cache(synth: SpeechEngine, settings: Settings) -> SpeechEngine:
    """`synth` behind the speech cache of these settings (as it is when the cache is off)."""
    cache = speech_cache(settings)
    return synth if cache is None else CachedSpeech(synth, cache)


@lru_cache(maxsize=1)
def _versions() -> tuple[str, ...]:
    """The versions of what turns text into samples."""
    found = []
    for dist in ("piper-tts", "onnxruntime"):
        try:
            found.append(f"{dist}={metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            found.append(f"{dist}=?")
    return tuple(found)


def _voice_identity(voice: VoiceInfo) -> str:
    """The voice as its files are now: id, model size and time, config contents."""
    model, config = voice.model_path.stat(), voice.config_path.stat()
    return _identity(
        voice.id,
        str(voice.model_path),
        model.st_size,
        model.st_mtime_ns,
        str(voice.config_path),
        config.st_mtime_ns,
    )


@lru_cache(maxsize=64)
def _identity(
    voice_id: str, model: str, size: int, mtime_ns: int, config: str, config_mtime_ns: int
) -> str:
    digest = hashlib.sha256(Path(config).read_bytes()).hexdigest()[:16]
    return f"{voice_id}:{size}:{mtime_ns}:{digest}"
