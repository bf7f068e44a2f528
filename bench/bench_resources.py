"""Start-up, the fast path and the speech cache, against another checkout side by side.

Run: .venv/bin/python bench/bench_resources.py [--against /tmp/r1] [--runs 5] [--fast-runs 3]
     [--startup-only]
  --against: a checkout of another commit (e.g. `git archive b23325d | tar -x -C /tmp/r1`),
  run with this .venv's Python (its packages are a superset of round 1's).
Figures:
  startup    `voiceover --help` and `voiceover voices`: median wall time of --runs fresh processes
  fast_path  a 2-minute 1080p30 clip with a ~300-word script, the video stream copied: wall time
             and peak RSS of the whole process tree (a fresh process, a fresh DATA_DIR); the
             render finds the shots itself (as `voiceover render` does); medians of
             --fast-runs runs, the trees taking turns
  fast_path_chat  the same with the shots pinned, as a chat job pins those found on upload
  edit       "music at 20%" after that render, with the speech cache and without it
Writes bench/results/resources.json. Not a test: figures for notes.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_render import SCRIPT, tree_rss_mb  # noqa: E402

from core.engine.demo import make_demo_clip  # noqa: E402
from core.engine.model import Limits  # noqa: E402
from core.engine.probe import probe_media  # noqa: E402
from core.engine.shots import detect_shots  # noqa: E402
from tests.media import make_audio  # noqa: E402

CACHE = ROOT / "bench" / ".cache"
ONE_RENDER = """
import json, resource, sys
from pathlib import Path
from core.config import Settings
from core.engine.model import Limits, RenderOptions, RenderRequest
from core.engine.render import render
from core.engine.scripts import parse_script_text
media, out, script_file, music, shots = sys.argv[1:6]
settings = Settings(_env_file=None)
script = parse_script_text(Path(script_file).read_text(), Limits())
req = RenderRequest(out=Path(out), media=Path(media), script=script,
                    music=Path(music) if music != "-" else None, options=RenderOptions(),
                    **({"shots": tuple(json.loads(shots))} if shots != "-" else {}))
r = render(req, settings)
print(json.dumps({"timings": r.timings_s, "copied": r.video_copied,
  "python_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))
"""


def env_for(tree: Path, data_dir: Path, **extra: str) -> dict[str, str]:
    """This environment with `tree` first on the path and its own DATA_DIR."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DISCORD_"))}
    return {**env, "PYTHONPATH": str(tree), "DATA_DIR": str(data_dir), **extra}


def startup(tree: Path, runs: int) -> dict[str, float]:
    """Median wall seconds (and CPU seconds, which a busy machine disturbs less) of
    `voiceover --help` and `voiceover voices` in fresh processes."""
    figures = {}
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        env = env_for(tree, Path(tmp))
        for name, args in (("help", ["--help"]), ("voices", ["voices"])):
            times, cpu = [], []
            for _ in range(runs):
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                started = time.perf_counter()
                subprocess.run(
                    [sys.executable, "-m", "core.cli", *args], cwd=tree, env=env, check=True,
                    stdout=subprocess.DEVNULL,
                )  # fmt: skip
                times.append(time.perf_counter() - started)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
            figures[f"{name}_s"] = round(statistics.median(times), 3)
            figures[f"{name}_cpu_s"] = round(statistics.median(cpu), 3)
    return figures


def render_once(
    tree: Path,
    data_dir: Path,
    clip: Path,
    out: Path,
    music: Path | None,
    shots: tuple[float, ...] | None = None,
    **extra: str,
) -> dict[str, Any]:
    """One render in a fresh process (`shots` pinned, as a chat job pins those found at its
    upload); wall time and the tree's peak RSS (sampled from /proc)."""
    script_file = CACHE / "script.txt"
    script_file.write_text(SCRIPT, encoding="utf-8")
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", ONE_RENDER, str(clip), str(out), str(script_file),
         str(music or "-"), json.dumps(shots) if shots is not None else "-"],
        cwd=tree, env=env_for(tree, data_dir, **extra),
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss_mb(proc.pid))
        time.sleep(0.05)
    assert proc.stdout is not None and proc.returncode == 0
    data: dict[str, Any] = json.loads(proc.stdout.read().strip().splitlines()[-1])
    data["wall_s"] = round(time.perf_counter() - started, 2)
    data["tree_peak_rss_mb"] = peak
    return data


def fast_path(tree: Path, clip: Path, shots: tuple[float, ...] | None = None) -> dict[str, Any]:
    """The first render of the clip (an empty DATA_DIR: nothing cached)."""
    with tempfile.TemporaryDirectory(prefix="bench-fast-") as tmp:
        return render_once(tree, Path(tmp), clip, CACHE / "fast.mp4", None, shots)


def edit(clip: Path, music: Path) -> dict[str, Any]:
    """The render, then "music at 20%": with the speech cache and with SPEECH_CACHE_MB=0."""
    figures = {}
    for name, size in (("with_cache", "256"), ("without_cache", "0")):
        with tempfile.TemporaryDirectory(prefix="bench-edit-") as tmp:
            data = Path(tmp)
            render_once(ROOT, data, clip, CACHE / "first.mp4", None, SPEECH_CACHE_MB=size)
            figures[name] = render_once(
                ROOT, data, clip, CACHE / "edit.mp4", music, SPEECH_CACHE_MB=size
            )
    return figures


def medians(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The median wall time and peak memory of some fast-path runs, and every run."""
    return {
        "wall_s": round(statistics.median(r["wall_s"] for r in runs), 2),
        "tree_peak_rss_mb": statistics.median(r["tree_peak_rss_mb"] for r in runs),
        "runs": runs,
    }


def main() -> None:
    """Run every case and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--against", type=Path, help="another checkout, e.g. round 1's")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--fast-runs", type=int, default=3, help="fast-path runs per tree")
    parser.add_argument("--startup-only", action="store_true")
    args = parser.parse_args()
    CACHE.mkdir(parents=True, exist_ok=True)
    clip = make_demo_clip(CACHE / "clip-2min-1080p30.mp4", seconds=120, size="1920x1080")
    music = make_audio(CACHE / "music.wav", seconds=120)
    trees = {"current": ROOT, **({"against": args.against} if args.against else {})}
    results: dict[str, Any] = {"against": str(args.against) if args.against else None}
    for name, tree in trees.items():
        results[f"startup_{name}"] = startup(tree, args.runs)
        print(f"startup {name}", json.dumps(results[f"startup_{name}"]), flush=True)
    if args.startup_only:
        return
    samples: dict[str, list[dict[str, Any]]] = {name: [] for name in trees}
    for _ in range(args.fast_runs):  # alternating, so a busy spell of the machine hits both
        for name, tree in trees.items():
            samples[name].append(fast_path(tree, clip))
            print(f"fast path {name}", json.dumps(samples[name][-1]), flush=True)
    for name, runs in samples.items():
        results[f"fast_path_{name}"] = medians(runs)
    # in chat the video's shots are found when it arrives, while the script is being typed
    cuts = detect_shots(probe_media(clip, Limits()))
    results["fast_path_chat_current"] = fast_path(ROOT, clip, cuts)
    print("fast path chat current", json.dumps(results["fast_path_chat_current"]), flush=True)
    results["edit_music_20"] = edit(clip, music)
    print("edit", json.dumps(results["edit_music_20"]), flush=True)
    out = ROOT / "bench" / "results" / "resources.json"
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
