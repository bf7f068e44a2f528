"""A loopback stand-in for the model hub: the tree listing (sizes, SHA-256 / git blob ids) and
the files of faster-whisper models over HTTP on 127.0.0.1.

Every model is the bundled tiny.en's real files. Some are broken on purpose: `small`'s model.bin
has one byte changed (its listed SHA-256 no longer matches) and `tiny`'s model.bin is cut off
mid-body after the listing promised all of it.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from core.engine.asr_models import bundled_path
from core.files import file_sha256

LFS = frozenset({"model.bin", "tokenizer.json"})
CHANGED, CUT = "small", "tiny"


@cache
def _listing() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [{"type": "file", "path": "README.md", "size": 5, "oid": "x"}]
    for path in sorted(bundled_path().iterdir()):
        data_size = path.stat().st_size
        row: dict[str, Any] = {"type": "file", "path": path.name, "size": data_size}
        if path.name in LFS:
            row["lfs"] = {"oid": file_sha256(path), "size": data_size}
        else:
            blob = hashlib.sha1(f"blob {data_size}\0".encode() + path.read_bytes())
            row["oid"] = blob.hexdigest()
        rows.append(row)
    return rows


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        parts = self.path.strip("/").split("/")
        if parts[:2] == ["api", "models"] and parts[-2:] == ["tree", "main"]:
            self._send(json.dumps(_listing()).encode())
        elif len(parts) == 5 and parts[2:4] == ["resolve", "main"]:
            self._file(parts[1].removeprefix("faster-whisper-"), parts[4])
        else:
            self.send_error(404)

    def _file(self, model: str, name: str) -> None:
        path = bundled_path() / name
        if not path.is_file():
            self.send_error(404)
            return
        data = path.read_bytes()
        if name == "model.bin" and model == CHANGED:
            data = data[:1000] + bytes([data[1000] ^ 0xFF]) + data[1001:]
        if name == "model.bin" and model == CUT:
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 3])
            self.wfile.flush()
            self.close_connection = True
            return
        self._send(data)

    def _send(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def model_hub() -> Iterator[str]:
    """The hub's base URL while it runs."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
