"""Language detection writes nothing to TMPDIR (py3langid's own loader does), and the model
it reads from the package's LZMA stream is py3langid's own."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from core.engine import language_id
from tests.cli_helpers import ROOT

AUDIT = """
import os, sys, json
tmp = os.environ["TMPDIR"]
seen = []
def hook(event, args):
    if event in ("open", "os.mkdir", "tempfile.mkstemp", "tempfile.mkdtemp") and args:
        path = os.fsdecode(args[0]) if isinstance(args[0], (str, bytes)) else ""
        flags = args[2] if event == "open" and len(args) > 2 else 0
        writes = event != "open" or (args[1] or "r") != "r" or (flags or 0) & 3
        if path.startswith(tmp) and writes:
            seen.append(event)
sys.addaudithook(hook)
import core.service
from core.engine.language_id import detect_language
assert detect_language("Hello there, and welcome to the demo.").language == "en"
assert detect_language("你好，欢迎观看我们产品的演示。").language == "zh"
ours = list(seen)
if sys.argv[1:] == ["theirs"]:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier
    LanguageIdentifier.from_model_file(MODEL_FILE)
print(json.dumps({"ours": ours, "theirs": seen[len(ours):]}))
"""


def test_language_detection_writes_nothing_to_tmpdir(tmp_path: Path) -> None:
    empty = tmp_path / "empty-tmp"
    empty.mkdir()
    env = {"TMPDIR": str(empty), "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", AUDIT, "theirs"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["ours"] == []  # importing the service and detecting: nothing in TMPDIR
    assert seen["theirs"] != []  # py3langid's own loader does write there (the test can fail)
    # nor does onnxruntime (Piper's runtime) leave its telemetry's session file (.ses) there
    assert [p.name for p in empty.iterdir()] == []


def test_the_model_read_as_a_stream_is_py3langids_own() -> None:
    ours = language_id._read_model()
    theirs = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    for name in ("nb_ptc", "nb_pc"):
        mine, real = np.asarray(getattr(ours, name)), np.asarray(getattr(theirs, name))
        assert mine.dtype == real.dtype and np.array_equal(mine, real), name
    assert ours.nb_classes == theirs.nb_classes and ours.tk_output == theirs.tk_output
    assert list(ours.tk_nextmove) == list(theirs.tk_nextmove)
    assert list(ours.tk_row) == list(theirs.tk_row)
