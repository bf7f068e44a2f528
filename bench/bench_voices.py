"""Voice samples and pronunciation fixes: what they cost.

    .venv/bin/python bench/bench_voices.py

Prints the time to render a voice's sample the first time (voice loaded and not), to hand out
the cached sample afterwards, and what a 200-entry lexicon adds to preparing the 316-word
script's speech text.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from core.config import Settings
from core.engine.lexicon import MAX_ENTRIES, Lexicon, parse_entry
from core.engine.sample import voice_sample
from core.engine.textnorm import normalize_for_speech, split_sentences
from core.engine.tts import get_synthesizer
from core.engine.voices import installed_voices

SCRIPT = (Path(__file__).parent / "script_300_words.txt").read_text(encoding="utf-8")


def _timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def main() -> None:
    """Run the measurements and print them."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp))
        joe = installed_voices(None)[0]
        cold = _timed(lambda: voice_sample(settings, joe))  # the voice loads, then renders
        for cached in (settings.data_dir / "samples").glob("*.ogg"):
            cached.unlink()
        warm = _timed(lambda: voice_sample(settings, joe))
        hits = [_timed(lambda: voice_sample(settings, joe)) for _ in range(50)]
    sentences = split_sentences(SCRIPT)
    entries = [parse_entry(f"brand{n}", "bran-DEE") for n in range(MAX_ENTRIES - 1)]
    lexicon = Lexicon((*entries, parse_entry("Aurora", "aw-ROAR-uh")))
    plain = min(_timed(lambda: [normalize_for_speech(s) for s in sentences]) for _ in range(5))
    fixed = min(
        _timed(lambda: [lexicon.apply(normalize_for_speech(s)) for s in sentences])
        for _ in range(5)
    )
    get_synthesizer(settings.tts_threads).close()
    print(f"sample, voice not loaded yet: {cold:.2f} s")
    print(f"sample, voice loaded:         {warm:.2f} s")
    print(f"sample, cached:               {statistics.median(hits) * 1000:.2f} ms (median of 50)")
    print(f"speech text, 316 words:       {plain * 1000:.1f} ms plain")
    print(f"  with a {len(lexicon.entries)}-entry lexicon: {fixed * 1000:.1f} ms")


if __name__ == "__main__":
    main()
