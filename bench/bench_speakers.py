"""Benchmark speech for a ~300-word script read by one voice against the same script as a
two-speaker dialogue (A/B alternating by sentence) read by two voices.

Run: .venv/bin/python bench/bench_speakers.py [--repeat N]
The second voice is a relabelled copy of the bundled joe voice in a temporary folder (its own
ONNX session, as an installed voice would have). Prints the time to plan the voices (language
detection per segment), the speech time and the real-time factor per case, best of N after a
warm-up. Not a test: figures for notes.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.engine.model import Limits, RenderOptions, Script  # noqa: E402
from core.engine.narration import NarrationBuilder  # noqa: E402
from core.engine.scripts import parse_script_text  # noqa: E402
from core.engine.tts import get_synthesizer  # noqa: E402
from core.engine.voice_plan import plan_voices  # noqa: E402
from core.engine.voices import discover_voices  # noqa: E402

TEXT = (ROOT / "bench" / "script_300_words.txt").read_text(encoding="utf-8")
SENTENCES = [s for s in re.split(r"(?<=[.!?])\s+", " ".join(TEXT.split())) if s.strip()]
DIALOGUE = "\n".join(f"{'AB'[n % 2]}: {s}" for n, s in enumerate(SENTENCES))


def second_voice(folder: Path) -> None:
    """A copy of joe relabelled as en_US-amy-medium (female) in `folder`."""
    joe = discover_voices(None)[0]
    target = folder / "en_US-amy-medium"
    target.mkdir(parents=True)
    (target / "en_US-amy-medium.onnx").symlink_to(joe.model_path)
    config = json.loads(joe.config_path.read_text(encoding="utf-8"))
    config["dataset"] = "amy"
    (target / "en_US-amy-medium.onnx.json").write_text(json.dumps(config), encoding="utf-8")


def best(run: Callable[[], float], repeat: int) -> float:
    """The fastest of `repeat` runs after one warm-up."""
    run()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def case(name: str, script: Script, folder: Path, repeat: int) -> None:
    """Plan and speak one script; print the figures."""
    voices = discover_voices(folder)
    synth = get_synthesizer(2)
    plan_s = best(lambda: float(len(plan_voices(script, voices, RenderOptions()).voices)), repeat)
    plan = plan_voices(script, voices, RenderOptions())
    builder = NarrationBuilder(synth, plan.main, 1.0, 1.2, lambda pct: None)
    audio: list[float] = []

    def speak() -> float:
        narration = builder.build(script, cue_voices=plan.cue_voices)
        audio.append(narration.duration_s)
        return narration.duration_s

    speech_s = best(speak, repeat)
    used = ", ".join(v.id for v in plan.voices)
    print(
        f"{name:<28} voices {used}: plan {plan_s * 1000:.0f} ms, speech {speech_s:.2f} s "
        f"for {audio[-1]:.1f} s of audio ({audio[-1] / speech_s:.1f}x real time)"
    )


def main() -> None:
    """Run both cases."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        second_voice(folder)
        one = parse_script_text(TEXT, Limits())
        two = parse_script_text(DIALOGUE, Limits())
        print(f"{len(SENTENCES)} sentences, {one.word_count} words")
        case("one voice (paragraphs)", one, folder, args.repeat)
        case("two speakers, two voices", two, folder, args.repeat)


if __name__ == "__main__":
    main()
