"""Language detection writes nothing to TMPDIR (py3langid's own loader does), the model it
reads from the package's LZMA stream is py3langid's own, and its compact automaton answers as
the full table does."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from core.engine import language_id
from core.engine.language_dfa import CompactMoves
from core.engine.language_prepared import load_prepared, prepared_path, save_prepared
from tests.cli_helpers import ROOT

CORPUS = ROOT / "tests" / "corpus" / "messages.tsv"
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


def test_the_compact_automaton_gives_the_full_tables_moves_and_the_same_languages() -> None:
    full = language_id._read_model()
    moves = np.frombuffer(full.tk_nextmove, dtype=np.uint32)
    small = CompactMoves.from_table(moves, int(full.tk_row[0]))
    assert small.nbytes() < moves.nbytes / 3  # 10 MB against 37 MB
    picks = np.random.default_rng(7).integers(0, len(moves), 200_000)
    picks = np.concatenate([picks, np.arange(int(full.tk_row[0]) << 8, len(moves), 997)])
    assert [small[int(i)] for i in picks] == moves[picks].tolist()
    texts = [line.split("\t")[0] for line in CORPUS.read_text("utf-8").splitlines()]
    texts += ["Hello there", "你好", "Bonjour à tous, et bienvenue.", "Guten Tag!", "12:30"]
    kept = language_id._get_identifier()  # the compact one, restricted to our languages
    full.set_languages(kept.nb_classes)
    assert [kept.classify(t) for t in texts] == [full.classify(t) for t in texts]


def test_the_model_prepared_at_install_time_answers_as_the_unpacked_one(tmp_path: Path) -> None:
    unpacked = language_id.prepare()
    path = prepared_path(language_id.WANTED, tmp_path)
    save_prepared(unpacked, path)
    loaded = load_prepared(path)
    assert loaded is not None and loaded.nb_classes == unpacked.nb_classes
    texts = [line.split("\t")[0] for line in CORPUS.read_text("utf-8").splitlines()]
    texts += ["Hello there", "你好", "Bonjour à tous, et bienvenue.", "Guten Tag!"]
    assert [loaded.classify(t) for t in texts] == [unpacked.classify(t) for t in texts]
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # nothing left aside


def test_a_damaged_prepared_model_is_not_used(tmp_path: Path) -> None:
    path = prepared_path(language_id.WANTED, tmp_path)
    save_prepared(language_id.prepare(), path)
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])  # cut short
    assert load_prepared(path) is None
    assert load_prepared(tmp_path / "missing.npz") is None
    with np.load(io.BytesIO(whole)) as data:
        parts = {k: data[k] for k in data.files}
    parts["moves_targets"] = parts["moves_targets"][:-1]  # parts that do not fit together
    np.savez(path, **parts)
    assert load_prepared(path) is None
