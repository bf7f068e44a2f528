"""Memory a render no longer needs is handed back: after speech, the voice's ONNX arena is
shrunk, so the mix, the final pass and the next job don't sit on top of it (RSS of a fresh
process from /proc, far apart: ~400 MB at the peak of a long sentence, ~170 MB after)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.cli_helpers import ROOT

SPEAK = """
import json, resource
from pathlib import Path
from core.engine.tts import Synthesizer
from core.engine.voices import installed_voices
voice = installed_voices(None)[0]
synth = Synthesizer(1)
synth.preload(voice)
loaded = int(Path("/proc/self/statm").read_text().split()[1]) * 4096 // 2**20
words = "the lamp that follows the sun glows amber at dawn and white at noon, "
synth.synthesize(voice, [(words * 5).strip()])
now = int(Path("/proc/self/statm").read_text().split()[1]) * 4096 // 2**20
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
print(json.dumps({"loaded": loaded, "peak": peak, "after": now}))
"""


def test_speech_hands_its_memory_back() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", SPEAK], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    mb = json.loads(proc.stdout.strip().splitlines()[-1])
    assert mb["peak"] - mb["loaded"] > 100, mb  # a long sentence needs a big arena...
    assert mb["after"] - mb["loaded"] < (mb["peak"] - mb["loaded"]) / 2, mb  # ...given back
