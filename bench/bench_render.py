"""Benchmark the engine on a generated 2-minute 1080p30 H.264 clip with a ~300-word script.

Run: .venv/bin/python bench/bench_render.py [--big]
Prints one line per case and writes bench/results/render.json. Not a test: figures for notes.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.engine.demo import make_demo_clip  # noqa: E402
from core.engine.ffmpeg import ffmpeg_exe  # noqa: E402

CACHE = ROOT / "bench" / ".cache"
RESULTS = ROOT / "bench" / "results"
SCRIPT = (ROOT / "bench" / "script_300_words.txt").read_text(encoding="utf-8")

ONE_RENDER = """
import json, resource, sys
from pathlib import Path
from core.config import Settings
from core.engine.model import Captions, RenderOptions, RenderRequest
from core.engine.render import render
from core.engine.scripts import parse_script_text
from core.engine.model import Limits
media, out, captions, warm = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[5] == "warm"
settings = Settings(_env_file=None)
if warm:  # as in the running service, where the default voice is loaded at start
    from core.engine.voices import installed_voices
    from core.engine.tts import get_synthesizer
    get_synthesizer(settings.tts_threads).preload(installed_voices(None)[0])
script = parse_script_text(Path(sys.argv[4]).read_text(), Limits())
req = RenderRequest(out=Path(out), media=Path(media) if media != "-" else None, script=script,
                    options=RenderOptions(captions=Captions(captions)))
r = render(req, settings)
print(json.dumps({"timings": r.timings_s, "copied": r.video_copied, "duration": r.duration_s,
  "python_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))
"""


def proc_stats() -> Iterator[tuple[int, str, list[str]]]:
    """Every process's pid, name and the fields of /proc/PID/stat after its name (state first,
    then the parent's pid, …)."""
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text() if entry.name.isdigit() else ""
        except OSError:
            continue
        if stat:
            name = stat[stat.index("(") + 1 : stat.rindex(")")]
            yield int(entry.name), name, stat.rsplit(")", 1)[1].split()


def tree_rss_mb(root: int) -> int:
    """Resident memory of a process and all its descendants, in MB (from /proc)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for pid, _, fields in proc_stats():
        parents[pid] = int(fields[1])
        rss[pid] = int(fields[21]) * resource.getpagesize()
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        kids = [p for p, parent in parents.items() if parent == pid and p not in tree]
        tree.update(kids)
        frontier.extend(kids)
    return sum(rss.get(p, 0) for p in tree) // 1_000_000


def render_case(
    media: Path | None, captions: str, name: str, warm: bool = False
) -> dict[str, object]:
    """One render in a fresh process (voice loading counted); peak memory of the whole tree."""
    script_file = CACHE / "script.txt"
    script_file.write_text(SCRIPT, encoding="utf-8")
    out = CACHE / f"{name}.mp4"
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", ONE_RENDER, str(media or "-"), str(out), captions,
         str(script_file), "warm" if warm else "cold"], cwd=ROOT, stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss_mb(proc.pid))
        time.sleep(0.2)
    assert proc.stdout is not None and proc.returncode == 0
    data: dict[str, object] = json.loads(proc.stdout.read().strip().splitlines()[-1])
    data["wall_s"] = round(time.perf_counter() - started, 2)
    data["tree_peak_rss_mb"] = peak
    return data


def baseline(media: Path) -> float:
    """The common way: narration muxed with the video always re-encoded by x264 defaults."""
    narration = CACHE / "narration.wav"
    subprocess.run(
        [ffmpeg_exe(), "-nostdin", "-y", "-loglevel", "error", "-i", str(CACHE / "fast.mp4"),
         "-vn", "-c:a", "pcm_s16le", str(narration)], check=True,
    )  # fmt: skip
    started = time.perf_counter()
    subprocess.run(
        [ffmpeg_exe(), "-nostdin", "-y", "-loglevel", "error", "-i", str(media), "-i",
         str(narration), "-map", "0:v", "-map", "1:a", "-c:v", "libx264", "-c:a", "aac",
         str(CACHE / "baseline.mp4")], check=True,
    )  # fmt: skip
    return round(time.perf_counter() - started, 2)


def big_input() -> Path:
    """A ~500 MB 2-minute clip (high bitrate), to show large inputs are streamed, not loaded."""
    path = CACHE / "big.mp4"
    if not path.exists():
        subprocess.run(
            [ffmpeg_exe(), "-nostdin", "-y", "-loglevel", "error", "-f", "lavfi", "-i",
             "testsrc2=size=1920x1080:rate=30:duration=120", "-c:v", "libx264", "-preset",
             "ultrafast", "-b:v", "32M", "-pix_fmt", "yuv420p", str(path)], check=True,
        )  # fmt: skip
    return path


def main() -> None:
    """Run every case and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--big", action="store_true", help="also render a ~500 MB input")
    args = parser.parse_args()
    CACHE.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    clip = make_demo_clip(CACHE / "clip-2min-1080p30.mp4", seconds=120, size="1920x1080")
    results: dict[str, object] = {"words": len(SCRIPT.split())}
    for name, media, captions, warm in (
        ("fast", clip, "none", False),
        ("fast_voice_loaded", clip, "none", True),
        ("soft", clip, "soft", False),
        ("burn", clip, "burn", False),
        ("script_only", None, "burn", False),
    ):
        results[name] = render_case(media, captions, name, warm)
        print(name, json.dumps(results[name]), flush=True)
    results["baseline_x264_defaults_s"] = baseline(clip)
    fast = results["fast"]
    assert isinstance(fast, dict)
    results["speedup_vs_baseline"] = round(results["baseline_x264_defaults_s"] / fast["wall_s"], 1)
    if args.big:
        big = big_input()
        results["big_input_mb"] = round(big.stat().st_size / 1e6)
        results["big"] = render_case(big, "none", "big")
        print("big", json.dumps(results["big"]), flush=True)
    print(json.dumps({k: v for k, v in results.items() if not isinstance(v, dict)}))
    print("peak RSS of this bench process (MB):",
          resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)  # fmt: skip
    (RESULTS / "render.json").write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
