"""A loopback stand-in for Piper's voice repository: voices.json and files over HTTP on 127.0.0.1.

The voices are relabelled copies of the bundled joe voice (its model, a config with another key,
language and espeak voice). Some are broken on purpose: `de_DE-corrupt-medium` has a config
whose MD5 does not match the index, and `fr_FR-cut-medium`'s model is cut off mid-body.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from core.engine.voices import discover_voices

JOE = discover_voices(None)[0]
# key → (language code, espeak voice, dataset name)
VOICES: dict[str, tuple[str, str, str]] = {
    "en_US-amy-medium": ("en_US", "en-us", "amy"),
    "en_GB-alan-medium": ("en_GB", "en-gb", "alan"),
    "zh_CN-huayan-medium": ("zh_CN", "cmn", "huayan"),
    "zh_CN-test-medium": ("zh_CN", "cmn", "test"),
    "de_DE-corrupt-medium": ("de_DE", "de", "corrupt"),
    "fr_FR-cut-medium": ("fr_FR", "fr", "cut"),
}
CUT_MODEL = "fr/fr_FR/cut/medium/fr_FR-cut-medium.onnx"


def relabelled_config(key: str) -> dict[str, Any]:
    """Joe's config with the key's language, espeak voice and dataset name."""
    code, espeak, dataset = VOICES[key]
    config = json.loads(JOE.config_path.read_text(encoding="utf-8"))
    lang, region = code.split("_")
    config["language"] = {"code": code, "family": lang, "region": region}
    config["espeak"] = {"voice": espeak}
    config["dataset"] = dataset
    return config


def install_relabelled(voices_dir: Path, key: str) -> Path:
    """Put a relabelled joe voice straight into a voices folder (as if installed)."""
    folder = voices_dir / key
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{key}.onnx").symlink_to(JOE.model_path)
    config = json.dumps(relabelled_config(key))
    (folder / f"{key}.onnx.json").write_text(config, encoding="utf-8")
    return folder


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()


def _entry(path: Path, md5: str | None = None) -> dict[str, Any]:
    return {"size_bytes": path.stat().st_size, "md5_digest": md5 or _md5(path)}


def build_repository(root: Path) -> dict[str, Any]:
    """Lay out the repository under root and return its index (also written as voices.json)."""
    joe_md5 = _md5(JOE.model_path)
    index: dict[str, Any] = {}
    for key, (code, _, dataset) in VOICES.items():
        lang = code.split("_")[0]
        rel = f"{lang}/{code}/{dataset}/medium"
        (root / rel).mkdir(parents=True, exist_ok=True)
        (root / rel / f"{key}.onnx").symlink_to(JOE.model_path)
        config = root / rel / f"{key}.onnx.json"
        config.write_text(json.dumps(relabelled_config(key)), encoding="utf-8")
        card = root / rel / "MODEL_CARD"
        card.write_text(f"# Model card for {key}\n", encoding="utf-8")
        files = {
            f"{rel}/{key}.onnx": _entry(JOE.model_path, joe_md5),
            f"{rel}/{key}.onnx.json": _entry(config),
            f"{rel}/MODEL_CARD": _entry(card),
        }
        if key == "de_DE-corrupt-medium":  # same size, other bytes: only the MD5 can tell
            text = config.read_text(encoding="utf-8")
            config.write_text(text.replace('"de"', '"xx"', 1), encoding="utf-8")
        index[key] = {
            "key": key,
            "name": dataset,
            "quality": "medium",
            "num_speakers": 1,
            "speaker_id_map": {},
            "aliases": [],
            "files": files,
            "language": {
                "code": code,
                "family": lang,
                "region": code.split("_")[1],
                "name_native": lang,
                "name_english": lang,
                "country_english": code,
            },
        }
    index["xx_XX-malformed-low"] = {"key": "xx_XX-malformed-low", "files": "nope"}
    (root / "voices.json").write_text(json.dumps(index), encoding="utf-8")
    return index


@dataclass
class RepoServer:
    """The repository served on 127.0.0.1; `requests` records every path asked for."""

    root: Path
    base_url: str = ""
    requests: list[str] = field(default_factory=list)


def _handler(repo: RepoServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server name
            path = unquote(self.path).lstrip("/")
            repo.requests.append(path)
            file = repo.root / path
            if ".." in path.split("/") or not file.is_file():
                self.send_error(404)
                return
            size = file.stat().st_size
            self.send_response(200)
            self.send_header("Content-Length", str(size))
            self.end_headers()
            limit = size // 2 if path == CUT_MODEL else size
            with file.open("rb") as source:
                try:
                    self.wfile.write(source.read(limit))
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass
            if limit < size:
                self.close_connection = True  # the body stops short of Content-Length

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return

    return Handler


@contextmanager
def serve_repository(root: Path) -> Iterator[RepoServer]:
    """Serve `root` on a free 127.0.0.1 port until the block ends."""
    repo = RepoServer(root)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(repo))
    server.daemon_threads = True
    repo.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield repo
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def copy_tree_size(folder: Path) -> int:
    """How many files are under a folder (0 when it does not exist)."""
    return sum(1 for p in folder.rglob("*") if p.is_file()) if folder.exists() else 0
