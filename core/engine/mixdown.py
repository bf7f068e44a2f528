"""The audio mix: narration over the video's own sound and a music bed, then loudness."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from core.engine.ffmpeg import input_args, run_ffmpeg
from core.engine.model import MediaInfo, MixMode
from core.engine.mute import mute_filter
from core.engine.video import graph_safe

RATE = 48_000
FORMAT = f"aresample={RATE},aformat=sample_fmts=fltp:channel_layouts=stereo"
DUCK = "sidechaincompress=threshold=0.012:ratio=20:attack=10:release=350:makeup=1"  # ≈ -10 dB
MUSIC_FADE_S = 2.0
METER = "ebur128=metadata=1:framelog=quiet"  # the limiter guards peaks; no 4× upsampling


@dataclass(frozen=True)
class MixPlan:
    """What goes into the mix."""

    narration_wav: Path
    duration_s: float
    narration_media: MediaInfo | None = None  # the user's own recording instead of the WAV
    source: MediaInfo | None = None  # a video whose own audio may be kept
    music: MediaInfo | None = None
    mix: MixMode = MixMode.DUCK
    music_volume: float = 0.2
    mute_spans: tuple[tuple[float, float], ...] = ()  # the source silenced here (a re-voice)


@dataclass(frozen=True)
class Loudness:
    """Measured integrated loudness (LUFS) of the mix."""

    integrated: float

    def gain_filter(self, target_lufs: float, true_peak_db: float) -> str:
        """The filter that brings the mix to the target loudness under the peak ceiling."""
        if not math.isfinite(self.integrated):
            return "anull"
        gain = target_lufs - self.integrated
        ceiling = 10 ** (true_peak_db / 20)
        return f"volume={gain:.2f}dB,alimiter=limit={ceiling:.4f}:level=false:attack=3:release=60"


def _graph(plan: MixPlan) -> tuple[list[str], str]:
    """Input args and the filtergraph that writes [mix] and [meter]."""
    d = f"{plan.duration_s:.3f}"
    if plan.narration_media is not None:
        args = input_args(plan.narration_media)
    else:
        args = ["-f", "wav", "-i", f"file:{plan.narration_wav}"]
    use_source = (
        plan.source is not None and plan.source.has_audio and plan.mix is not MixMode.REPLACE
    )
    duck_source = use_source and plan.mix is MixMode.DUCK and not plan.mute_spans
    sidechains = int(duck_source) + int(plan.music is not None)
    narr_out = ["[narr]"] + [f"[sc{i}]" for i in range(sidechains)]
    split = f",asplit={len(narr_out)}" if sidechains else ""
    chains = [f"[0:a]{FORMAT},apad=whole_dur={d}{split}" + "".join(narr_out)]
    mix_inputs, sc = ["[narr]"], 0
    if use_source and plan.source is not None:
        idx = len([a for a in args if a == "-i"])
        args += input_args(plan.source)
        mute = f",{mute_filter(plan.mute_spans)}" if plan.mute_spans else ""
        chains.append(f"[{idx}:a:0]{FORMAT}{mute},apad=whole_dur={d},atrim=0:{d}[src]")
        if duck_source:
            chains.append(f"[src][sc{sc}]{DUCK}[srcd]")
            sc += 1
        mix_inputs.append("[srcd]" if duck_source else "[src]")
    if plan.music is not None:
        idx = len([a for a in args if a == "-i"])
        args += ["-stream_loop", "-1", *input_args(plan.music)]
        fade_at = max(0.0, plan.duration_s - MUSIC_FADE_S)
        chains.append(
            f"[{idx}:a:0]{FORMAT},atrim=0:{d},volume={plan.music_volume:.3f},"
            f"afade=t=out:st={fade_at:.3f}:d={MUSIC_FADE_S}[mus0]"
        )
        chains.append(f"[mus0][sc{sc}]{DUCK}[mus]")
        mix_inputs.append("[mus]")
    chains.append(
        f"{''.join(mix_inputs)}amix=inputs={len(mix_inputs)}:normalize=0:duration=first,"
        f"atrim=0:{d},asplit=2[mix][m0]"
    )
    return args, ";".join(chains)


def mix_audio(plan: MixPlan, out_wav: Path, meter_file: Path, timeout_s: float) -> Loudness:
    """Render the mix to a WAV and measure its loudness (EBU R128) in the same pass."""
    inputs, graph = _graph(plan)
    log = graph_safe(meter_file)
    meter = f"[m0]{METER},ametadata=mode=print:key=lavfi.r128.I:file={log}[meter]"
    mixed = ["-map", "[mix]", "-c:a", "pcm_f32le", "-f", "wav", f"file:{out_wav}"]
    metered = ["-map", "[meter]", "-f", "null", "-"]
    run_ffmpeg(
        [*inputs, "-filter_complex", f"{graph};{meter}", *mixed, *metered], timeout_s=timeout_s
    )
    return read_meter(meter_file)


def read_meter(meter_file: Path) -> Loudness:
    """The final integrated loudness from ebur128's metadata log (-inf for silence)."""
    integrated = -math.inf
    for line in meter_file.read_text(encoding="utf-8", errors="replace").splitlines():
        key, _, value = line.partition("=")
        if key == "lavfi.r128.I":
            integrated = float(value)
    return Loudness(integrated if integrated > -70 else -math.inf)
