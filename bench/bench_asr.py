"""Hearing the video on these cores, with the default model (tiny.en), each timed once:
- a 2-minute talking 1080p clip transcribed, model load included (target ≤ 15 s);
- the same clip re-voiced end to end (target ≤ 30 s);
- what word timings add to a render of a 2-minute script (target ≤ 10 %): the same render
  (speech cache off) without them and with them (`--json` asks for them), once the voice's
  aligned copy exists (made once per model: its making is printed apart), and the render
  without them before that copy existed (the original model).

Each measurement is a fresh `voiceover` process, as a user would run it.
Run: .venv/bin/python bench/bench_asr.py [--words]
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.cli_helpers import cli_command, cli_env  # noqa: E402
from tests.media import FFMPEG  # noqa: E402
from tests.speech import piper_samples, talking_track, write_wav  # noqa: E402

SENTENCES = [
    "Meet Aurora, the desk lamp that follows the sun.",
    "At sunrise it glows a soft amber light.",
    "By noon it matches the daylight outside.",
    "In the evening it dims slowly before you sleep.",
    "It costs less than a dinner for two and lasts for years.",
    "Every part can be repaired with a simple screwdriver.",
]
SECONDS = 120.0


def talking_clip(folder: Path) -> tuple[Path, str]:
    """A 2-minute 1080p H.264/AAC clip: a line every 4 s over a quiet tone; and its script."""
    lines = [SENTENCES[n % len(SENTENCES)] for n in range(int(SECONDS // 4))]
    spoken = piper_samples(SENTENCES)
    pieces = [(4.0 * n + 0.3, spoken[n % len(SENTENCES)]) for n in range(len(lines))]
    track, _ = talking_track(pieces, SECONDS)
    wav = write_wav(folder / "talk.wav", track)
    clip = folder / "talk.mp4"
    picture = f"color=c=0x335577:s=1920x1080:r=25:d={SECONDS},drawbox=x=t*100:y=400:w=200:h=200"
    subprocess.run(
        [FFMPEG, "-hide_banner", "-loglevel", "error", "-nostdin", "-y"]
        + ["-f", "lavfi", "-i", picture, "-i", str(wav), "-c:v", "libx264"]
        + ["-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(clip)],
        check=True,
        timeout=1800,
    )
    return clip, " ".join(lines)


def load() -> str:
    """The machine's 1-minute load average (other work shares these cores)."""
    return f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"


def cpu_seconds() -> float:
    """User + system CPU seconds of the finished child processes so far."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def timed(folder: Path, *args: str, **env: str) -> tuple[float, str]:
    """Wall seconds of one `voiceover` run, and its stdout; prints its CPU seconds (steadier
    than wall time while other work shares the cores) and the load before and after."""
    before, cpu = load(), cpu_seconds()
    started = time.perf_counter()
    proc = subprocess.run(
        cli_command(*args),
        cwd=folder,
        env=cli_env(folder / "data", **env),
        capture_output=True,
        text=True,
        timeout=900,
    )
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"voiceover {' '.join(args)} failed: {proc.stderr[-800:]}")
    print(f"  [{args[0]}: {cpu_seconds() - cpu:.1f} CPU s; {before} before, {load()} after]")
    return seconds, proc.stdout


def main() -> None:
    """Print the three figures (`--words`: only the word timings')."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        clip, script = talking_clip(folder)
        if "--words" in sys.argv[1:]:
            word_timing_cost(folder, clip, script)
            return
        transcribe_s, _ = timed(folder, "transcribe", str(clip), "--out", str(folder / "t.srt"))
        print(f"transcribe 2 min 1080p (model load included): {transcribe_s:.1f} s (≤ 15)")
        revoice_s, _ = timed(
            folder, "render", str(clip), "--revoice", "--out", str(folder / "r.mp4")
        )
        print(f"revoice end to end: {revoice_s:.1f} s (≤ 30)")
        word_timing_cost(folder, clip, script)


def word_timing_cost(folder: Path, clip: Path, script: str) -> None:
    """The same render without and with word timings (speech cache off), and the ratios: of
    wall time, of CPU time (steadier while others share the cores), and the words stage's own
    share of its render."""
    text = folder / "script.txt"
    text.write_text(script, encoding="utf-8")
    base = ["render", str(clip), "--script", str(text), "--out", str(folder / "w.mp4")]
    off = {"SPEECH_CACHE_MB": "0"}
    original_s, _ = timed(folder, *base, **off)  # no aligned copy yet: the original model
    first_s, _ = timed(folder, *base, "--json", **off)  # makes the aligned copy once
    cpu = cpu_seconds()
    plain_s, _ = timed(folder, *base, **off)
    plain_cpu, cpu = cpu_seconds() - cpu, cpu_seconds()
    words_s, out = timed(folder, *base, "--json", **off)
    words_cpu = cpu_seconds() - cpu
    timings = json.loads(out)["timings_s"]
    stage, total = timings.get("words", 0.0), timings["total"]
    print(f"render of a 2 min script, original model, no word timings: {original_s:.1f} s")
    print(f"  first render with word timings (aligned copy made): {first_s:.1f} s")
    print(
        f"render without word timings: {plain_s:.1f} s ({plain_cpu:.1f} CPU s); with them: "
        f"{words_s:.1f} s ({words_cpu:.1f} CPU s): wall {100 * (words_s / plain_s - 1):+.0f} %, "
        f"CPU {100 * (words_cpu / plain_cpu - 1):+.0f} % (target ≤ +10 %); the words stage "
        f"{stage:.2f} s of {total:.1f} s ({100 * stage / total:.1f} %)"
    )


if __name__ == "__main__":
    main()
