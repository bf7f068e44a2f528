"""Benchmark shots and sync on the generated 2-minute 1080p30 H.264 clip (GOP 2 s).

Run: .venv/bin/python bench/bench_shots.py
Prints one line per case and writes bench/results/shots.json. Not a test: figures for notes.
Cases: shot detection; the `--sync none` fast path; a synced render whose shots are known (no
detection); holding one shot (only its keyframe span re-encoded) against re-encoding it all.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.config import Settings  # noqa: E402
from core.engine.demo import make_demo_clip  # noqa: E402
from core.engine.holds import HoldJob, held_media, held_shots  # noqa: E402
from core.engine.leftovers import work_dir  # noqa: E402
from core.engine.model import Hold, Limits, RenderOptions, RenderRequest, Sync  # noqa: E402
from core.engine.probe import probe_media  # noqa: E402
from core.engine.render import render  # noqa: E402
from core.engine.scripts import parse_script_text  # noqa: E402
from core.engine.shots import detect_shots, spans  # noqa: E402

CACHE = ROOT / "bench" / ".cache"
RESULTS = ROOT / "bench" / "results"
SCRIPT = (ROOT / "bench" / "script_300_words.txt").read_text(encoding="utf-8")
CUTS = (24.0, 48.0, 72.0, 96.0)  # five 24 s shots, as if detected (the pattern has no cuts)


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(label: str, results: dict[str, object], fn):  # type: ignore[no-untyped-def]
    """Run fn once, print and keep its wall time and its child processes' CPU time (ffmpeg:
    what it costs on an idle machine, whatever else runs meanwhile)."""
    started, cpu = time.perf_counter(), _child_cpu()
    value = fn()
    results[label] = round(time.perf_counter() - started, 2)
    results[label.removesuffix("_s") + "_ffmpeg_cpu_s"] = round(_child_cpu() - cpu, 2)
    print(f"{label}: {results[label]} s (ffmpeg CPU {_child_cpu() - cpu:.1f} s)", flush=True)
    return value


def main() -> None:
    """Run every case once and print the figures."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    clip = make_demo_clip(CACHE / "clip-2min-1080p30.mp4", seconds=120, size="1920x1080")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    info = probe_media(clip, Limits())
    results: dict[str, object] = {}
    found = timed("detect_shots_s", results, lambda: detect_shots(info))
    results["shots_found"] = len(found) + 1
    results["load_average"] = round(os.getloadavg()[0], 1)
    if "--detect-only" in sys.argv:
        print(json.dumps(results))
        return
    script = parse_script_text(SCRIPT, Limits())
    paragraphs = len(script.cues)

    def one(name: str, **kw: object) -> dict[str, object]:
        shots = kw.pop("shots", None)
        options = RenderOptions(**kw)  # type: ignore[arg-type]
        request = RenderRequest(
            out=CACHE / f"{name}.mp4", media=clip, script=script, options=options, shots=shots
        )  # type: ignore[arg-type]
        result = render(request, settings)
        return {"timings": result.timings_s, "copied": result.video_copied, "sync": result.sync}

    results["sync_none"] = timed("sync_none_total_s", results, lambda: one("none", sync=Sync.NONE))
    known = CUTS[: paragraphs - 1]
    results["shots_known"] = timed(
        "shots_known_total_s", results, lambda: one("known", sync=Sync.SHOTS, shots=known)
    )
    held = held_shots(spans(CUTS, info.duration_s), [(1, 6.0)])  # shot 2 (24-48 s) held 6 s
    with work_dir() as tmp:
        job = HoldJob(info, tuple(held), Hold.FREEZE, Path(tmp), 1800)
        timed("hold_one_shot_copy_rest_s", results, lambda: held_media(job))
    with work_dir() as tmp:
        everything = replace(job, media=replace(info, vcodec="hevc"), work=Path(tmp))
        timed("hold_one_shot_reencode_all_s", results, lambda: held_media(everything))
    (RESULTS / "shots.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
