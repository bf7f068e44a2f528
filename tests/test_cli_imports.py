"""Start-up stays cheap: each command imports only what it uses (sys.modules in a subprocess,
deterministic, not timed; bench/bench_startup.py has the times)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_helpers import cli_env

# Big optional parts, each imported on first use only.
OPTIONAL = {
    "aiohttp",  # web server and clients: links, tus, Discord
    "boto3",  # STORAGE_URL
    "botocore",
    "redis",  # QUEUE_URL
    "saq",
    "cn2an",  # Chinese text
    "fontTools",  # CJK captions
    "docx",  # DOCX scripts
    "numpy",  # audio
    "piper",  # speech
    "onnxruntime",
    "av",
    "PIL",  # the timeline picture
    "jinja2",  # upload pages
    "httpx",  # catalog, fetch, cloud backend
    "telegram",
    "discord",
    "prometheus_client",
    "py3langid",
    "aiosqlite",  # the stores: the service, not `voices` or a render
    "onnx",  # patching a voice for word timings: a child process of its own, never imported
}
RUN = """
import json, sys
from core.cli import main
try:
    main(sys.argv[2:])
except SystemExit:
    pass
with open(sys.argv[1], "w") as f:
    json.dump(sorted(sys.modules), f)
"""
IMPORT = """
import json, sys, importlib
importlib.import_module(sys.argv[2])
with open(sys.argv[1], "w") as f:
    json.dump(sorted(sys.modules), f)
"""


def _loaded(tmp_path: Path, code: str, *args: str) -> set[str]:
    """Top-level packages loaded after running `code` with these arguments in a fresh process."""
    out = tmp_path / "modules.json"
    proc = subprocess.run(
        [sys.executable, "-c", code, str(out), *args],
        env=cli_env(tmp_path / "data"),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return {name.split(".")[0] for name in json.loads(out.read_text())}


def test_help_imports_neither_pydantic_nor_optional_parts(tmp_path: Path) -> None:
    loaded = _loaded(tmp_path, RUN, "--help")
    assert "core" in loaded
    assert loaded.isdisjoint(OPTIONAL | {"pydantic", "pydantic_settings", "asyncio"}), loaded


def test_voices_imports_no_optional_part(tmp_path: Path) -> None:
    loaded = _loaded(tmp_path, RUN, "voices", "--json")
    assert "pydantic_settings" in loaded  # it did read the settings
    assert loaded.isdisjoint(OPTIONAL), sorted(loaded & OPTIONAL)


@pytest.mark.parametrize(
    ("module", "allowed"),
    [
        # The render path: speech and audio, never the web, the queue, the bucket, Chinese or CJK.
        # (prometheus_client: core/disk.py's counters of ENOSPC, imported by core/engine/ffmpeg.py)
        ("core.engine.render", {"numpy", "piper", "onnxruntime", "prometheus_client"}),
        # The service without QUEUE_URL or STORAGE_URL: no Redis, SAQ, boto3 (nor onnx).
        (
            "core.app",
            OPTIONAL - {"redis", "saq", "boto3", "botocore", "cn2an", "fontTools", "onnx"},
        ),
    ],
)
def test_optional_parts_wait_for_first_use(tmp_path: Path, module: str, allowed: set[str]) -> None:
    loaded = _loaded(tmp_path, IMPORT, module)
    assert loaded.isdisjoint(OPTIONAL - allowed), sorted((loaded & OPTIONAL) - allowed)
