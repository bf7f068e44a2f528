"""The disk-full session of issue 19, replayed: DATA_DIR and TMPDIR on a 60 MB filesystem, a
45 MB video sent in the terminal chat, /new, then a small clip. Prints what the user was told
and what the operator's log said. Needs root (it mounts a tmpfs); run it once:

    sudo .venv/bin/python bench/disk_full_session.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import imageio_ffmpeg

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "bench" / ".cache"
SCRIPT = "Hello there, and welcome to the demo of our product. It glows, it follows the sun."
FS_MB, BIG_MB = 60, 45
MOUNT, UMOUNT, DF = (shutil.which(n) or f"/bin/{n}" for n in ("mount", "umount", "df"))


def ffmpeg(*args: str) -> None:
    """Run the bundled ffmpeg quietly."""
    exe = imageio_ffmpeg.get_ffmpeg_exe()
    subprocess.run(
        [exe, "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args], check=True
    )


def big_video(path: Path) -> Path:
    """A ~45 MB H.264/AAC MP4 (lossless noise at 320×240, so it is quick to make)."""
    if not path.exists() or abs(path.stat().st_size - BIG_MB * 1_000_000) > 3_000_000:
        ffmpeg(
            *("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30:duration=14"),
            *("-f", "lavfi", "-i", "sine=frequency=220:duration=14"),
            *("-vf", "noise=alls=60:allf=t", "-c:v", "libx264", "-preset", "ultrafast"),
            *("-qp", "0", "-fs", str(BIG_MB * 1_000_000), "-pix_fmt", "yuv420p"),
            *("-c:a", "aac", "-shortest", str(path)),
        )
    return path


def small_video(path: Path) -> Path:
    """A 4-second 160×120 clip."""
    if not path.exists():
        ffmpeg(
            *("-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25:duration=4"),
            *("-f", "lavfi", "-i", "sine=frequency=330:duration=4"),
            *("-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(path)),
        )
    return path


def main() -> int:
    """Mount, chat, print, unmount."""
    CACHE.mkdir(parents=True, exist_ok=True)
    big, small = big_video(CACHE / "big-45mb.mp4"), small_video(CACHE / "small.mp4")
    mount = Path(tempfile.mkdtemp(prefix="disk-full-"))
    subprocess.run([MOUNT, "-t", "tmpfs", "-o", f"size={FS_MB}m", "tmpfs", str(mount)], check=True)
    try:
        (mount / "tmp").mkdir()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DISCORD_"))}
        env.update({"DATA_DIR": str(mount / "data"), "TMPDIR": str(mount / "tmp")})
        env.update({"PYTHONPATH": str(ROOT), "HTTP_PORT": "0"})
        lines = [f"{big} {SCRIPT}", "/new", f"{small} {SCRIPT}", "/credits"]
        print(f"filesystem {FS_MB} MB; video {big.stat().st_size / 1e6:.1f} MB\n")
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "core.cli", "chat"],
            input="\n".join(lines) + "\n",
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            cwd=mount,
        )
        took = time.perf_counter() - started
        print("--- the user was told ---")
        print(done.stdout.strip())
        print("--- the operator's log ---")
        print(done.stderr.strip() or "(nothing)")
        print("---")
        traced = "Traceback" in done.stderr
        print(f"exit {done.returncode}, {took:.1f} s; traceback in the log: {traced}")
        df = subprocess.run([DF, "-h", str(mount)], capture_output=True, text=True).stdout
        print(df.strip().splitlines()[-1])
    finally:
        subprocess.run([UMOUNT, "-l", str(mount)], check=False)
        mount.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
