"""Shot detection's decoding, variant by variant, on the bench's 2-minute 1080p30 clips.

Run: .venv/bin/python bench/bench_shot_variants.py [--pyscenedetect PYTHON]
Prints one line per variant (wall and ffmpeg CPU seconds, cuts found) and writes
bench/results/shot_variants.json. Not a test: figures for notes. Clips: the pattern without
cuts (bench_shots.py's) and one with four cuts mid-GOP (five 24 s shots of different pictures,
one of them in constant motion, a keyframe every 2 s, no scene-cut keyframes).
--pyscenedetect: a Python with `scenedetect` installed (not a project dependency) to time its
ContentDetector with its automatic downscale, for comparison.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.engine.demo import make_demo_clip  # noqa: E402
from core.engine.ffmpeg import ffmpeg_exe, run_ffmpeg  # noqa: E402
from core.engine.leftovers import partial_path  # noqa: E402
from core.engine.model import Limits  # noqa: E402
from core.engine.probe import probe_media  # noqa: E402
from core.engine.shots import detect_shots  # noqa: E402

CACHE = ROOT / "bench" / ".cache"
CUTS = (24.0, 48.0, 72.0, 96.0)
SOURCES = (
    "testsrc2=s=1920x1080:r=30:d=24",
    "smptehdbars=s=1920x1080:r=30:d=24",
    "gradients=s=1920x1080:r=30:d=24:speed=0.05",  # moves in every frame
    "rgbtestsrc=s=1920x1080:r=30:d=24",
    "testsrc2=s=1920x1080:r=30:d=24,hue=h=120,vflip",
)
SCDET = "scdet=threshold=10,metadata=mode=print:key=lavfi.scd.time:file=-"
VARIANTS = {  # decoder options, filters before scdet
    "full: -threads 2, scale area rgb24 (round 2)": (
        ["-threads", "2"], "scale=64:36:flags=area,format=rgb24"),
    "+ -skip_loop_filter all": (
        ["-threads", "2", "-skip_loop_filter", "all"], "scale=64:36:flags=area,format=rgb24"),
    "+ -flags2 +fast": (
        ["-threads", "2", "-skip_loop_filter", "all", "-flags2", "+fast"],
        "scale=64:36:flags=area,format=rgb24"),
    "+ -skip_idct all": (
        ["-threads", "2", "-skip_loop_filter", "all", "-skip_idct", "all"],
        "scale=64:36:flags=area,format=rgb24"),
    "+ scale fast_bilinear gray": (
        ["-threads", "2", "-skip_loop_filter", "all"],
        "scale=64:36:flags=fast_bilinear,format=gray"),
    "-threads 1": (["-threads", "1", "-skip_loop_filter", "all"],
                   "scale=64:36:flags=area,format=rgb24"),
    "-skip_frame noref (misses cuts on non-reference frames)": (
        ["-threads", "2", "-skip_loop_filter", "all", "-skip_frame", "noref"],
        "scale=64:36:flags=area,format=rgb24"),
    "-skip_frame bidir (misses cuts on B-frames)": (
        ["-threads", "2", "-skip_loop_filter", "all", "-skip_frame", "bidir"],
        "scale=64:36:flags=area,format=rgb24"),
    "-skip_frame nokey (the first look's decode)": (
        ["-threads", "2", "-skip_frame", "nokey"], "scale=64:36:flags=area,format=rgb24"),
}  # fmt: skip


def make_cut_clip(path: Path) -> Path:
    """Five 24 s shots of different pictures at 1080p30, cut mid-GOP (made once)."""
    if path.exists():
        return path
    inputs = "".join(f"{s}[s{n}];" for n, s in enumerate(SOURCES))
    graph = inputs + "".join(f"[s{n}]" for n in range(len(SOURCES)))
    graph += f"concat=n={len(SOURCES)}:v=1:a=0,format=yuv420p[v]"
    partial = partial_path(path)
    encode = ["-c:v", "libx264", "-preset", "veryfast", "-g", "60", "-x264-params", "scenecut=0"]
    run_ffmpeg(["-filter_complex", graph, "-map", "[v]", *encode, "-f", "mp4", f"file:{partial}"],
               timeout_s=1800, duration_s=120)  # fmt: skip
    partial.replace(path)
    return path


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(fn):  # type: ignore[no-untyped-def]
    """Wall seconds, child CPU seconds and the value of fn()."""
    started, cpu = time.perf_counter(), _cpu()
    value = fn()
    return round(time.perf_counter() - started, 2), round(_cpu() - cpu, 2), value


def variant(clip: Path, decode: list[str], chain: str) -> int:
    """One full decode through scdet; the number of frames it flagged."""
    argv = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", *decode, "-i",
            str(clip), "-an", "-vf", f"{chain},{SCDET}", "-f", "null", "-"]  # fmt: skip
    out = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=900).stdout
    return sum(1 for line in out.splitlines() if line.startswith("lavfi.scd.time"))


PYSCENEDETECT = """
import sys, time
from scenedetect import ContentDetector, detect
t = time.perf_counter()
scenes = detect(sys.argv[1], ContentDetector())
print(len(scenes) - 1, round(time.perf_counter() - t, 2))
"""


def main() -> None:
    """Every variant on both clips, then our detection, then PySceneDetect if asked."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--pyscenedetect", help="a Python with scenedetect installed")
    args = parser.parse_args()
    clips = {
        "pattern": make_demo_clip(CACHE / "clip-2min-1080p30.mp4", seconds=120, size="1920x1080"),
        "cuts": make_cut_clip(CACHE / "clip-2min-1080p30-cuts.mp4"),
    }
    results: dict[str, object] = {"load_average_before": round(os.getloadavg()[0], 1)}
    for name, clip in clips.items():
        info = probe_media(clip, Limits())
        wall, cpu, cuts = measure(lambda info=info: detect_shots(info))
        results[f"{name}: detect_shots"] = {"wall_s": wall, "cpu_s": cpu, "cuts": list(cuts)}
        print(name, "detect_shots", wall, "s wall", cpu, "s CPU", cuts, flush=True)
        for label, (decode, chain) in VARIANTS.items():
            wall, cpu, flagged = measure(lambda v=clip, d=decode, c=chain: variant(v, d, c))
            results[f"{name}: {label}"] = {"wall_s": wall, "cpu_s": cpu, "flagged": flagged}
            print(name, label, wall, "s wall", cpu, "s CPU", flagged, "flagged", flush=True)
        if args.pyscenedetect:
            started, cpu = time.perf_counter(), _cpu()
            argv = [args.pyscenedetect, "-c", PYSCENEDETECT, str(clip)]
            out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout.split()
            wall = round(time.perf_counter() - started, 2)
            results[f"{name}: pyscenedetect ContentDetector"] = {
                "wall_s": wall, "cpu_s": round(_cpu() - cpu, 2), "cuts": int(out[0])}  # fmt: skip
            print(name, "PySceneDetect", wall, "s wall", round(_cpu() - cpu, 2), "s CPU", out)
    results["load_average_after"] = round(os.getloadavg()[0], 1)
    target = ROOT / "bench" / "results" / "shot_variants.json"
    target.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
