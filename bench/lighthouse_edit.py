"""Lighthouse on the edit page: accessibility and best-practices scores (target ≥ 95 each).

Run: .venv/bin/python bench/lighthouse_edit.py [--npm-dir DIR] [--out FILE.json]
Starts the service on loopback, makes a project (a generated 6 s clip and a three-line timed
script) through the chat flow, asks for its edit link and runs the `lighthouse` npm package
(installed into --npm-dir with `npm install lighthouse@12` when missing) against it with
Debian's chromium, in English and in Chinese. Not a test: figures for notes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.config import Settings  # noqa: E402
from core.service import Service  # noqa: E402
from tests.chat_helpers import incoming  # noqa: E402
from tests.fakes import RecordingChat  # noqa: E402
from tests.media import make_video  # noqa: E402

SCRIPT = "[0:00] Meet Aurora.\n[0:02] It follows the sun.\n[0:04] Your desk glows."
CATEGORIES = ("accessibility", "best-practices")


def lighthouse(npm_dir: Path) -> Path:
    """The lighthouse command (installed with npm into npm_dir the first time)."""
    binary = npm_dir / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        npm_dir.mkdir(parents=True, exist_ok=True)
        npm = shutil.which("npm")
        assert npm, "npm is needed: apt-get install npm"
        command = [npm, "install", "--no-audit", "--no-fund", "lighthouse@12"]
        subprocess.run(command, cwd=npm_dir, check=True)
    return binary


def audit(binary: Path, url: str, work: Path, name: str) -> dict[str, object]:
    """Scores (0–100) and the failed audits of one page."""
    out = work / f"{name}.json"
    chrome = shutil.which("chromium") or "chromium"
    flags = "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"
    subprocess.run(
        [
            str(binary),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={out}",
            f"--only-categories={','.join(CATEGORIES)}",
            f"--chrome-flags={flags}",
            "--form-factor=mobile",
            "--screenEmulation.mobile",
        ],  # fmt: skip
        check=True,
        env={**os.environ, "CHROME_PATH": chrome},
        timeout=300,
    )
    report = json.loads(out.read_text(encoding="utf-8"))
    scores = {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES}
    failed = sorted(
        audit_id
        for c in CATEGORIES
        for ref in report["categories"][c]["auditRefs"]
        if (audit_id := ref["id"])
        and report["audits"][audit_id].get("score") not in (None, 1)
        and ref.get("weight", 0) > 0
    )
    return {"scores": scores, "failed": failed}


async def edit_link(service: Service, clip: Path, lang: str, user: str) -> str:
    """A project made through the chat flow, and its edit link."""
    chat = RecordingChat()
    await service.handle(incoming(SCRIPT, files=(clip,), user=user, lang=lang), chat)
    await service.wait_idle()
    await service.handle(incoming("/edit", user=user, lang=lang), chat)
    offers = [sent.url for sent in chat.calls if sent.kind == "offer" and sent.url]
    assert offers, chat.texts
    return str(offers[-1])


async def run(args: argparse.Namespace) -> dict[str, object]:
    binary = await asyncio.to_thread(lighthouse, Path(args.npm_dir))
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        clip = make_video(work / "clip.mp4", seconds=6, size="320x180", audio=False)
        settings = Settings(_env_file=None, data_dir=work / "data", http_port=0)  # type: ignore[call-arg]
        results: dict[str, object] = {}
        async with Service(settings) as service:
            for lang, user in (("en", "1"), ("zh", "2")):
                url = await edit_link(service, clip, lang, user)
                results[lang] = await asyncio.to_thread(audit, binary, url, work, lang)
        return results


def main() -> None:
    """Audit the page and print (and keep) the scores."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--npm-dir", default=str(ROOT / ".lighthouse"))
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "lighthouse.json"))
    args = parser.parse_args()
    results = asyncio.run(run(args))
    text = json.dumps(results, indent=2, ensure_ascii=False)
    Path(args.out).write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
