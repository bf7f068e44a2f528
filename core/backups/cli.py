"""The `voiceover backup DEST` and `voiceover restore SRC` subcommands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.backups.backup import BackupError, backup
from core.backups.restore import restore
from core.config import Settings
from core.words.numbers import human_size

EXIT_OK, EXIT_FAILED = 0, 2


def add_backup_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`backup DEST` and `restore SRC`."""
    made = sub.add_parser("backup", help="copy the databases and files (while the service runs)")
    made.add_argument("dest", type=Path, help="a new folder for the backup")
    back = sub.add_parser("restore", help="restore a backup into an empty DATA_DIR")
    back.add_argument("src", type=Path, help="a folder written by `voiceover backup`")


def run_backup(args: argparse.Namespace, settings: Settings) -> int:
    """Run `backup` or `restore`; one line on stderr when it can't be done."""
    try:
        if args.command == "backup":
            manifest = backup(settings, args.dest)
            size = sum(f["size"] for f in manifest["files"])
            size += sum(d["size"] for d in manifest["databases"])
            print(
                f"✅ {args.dest}: {len(manifest['databases'])} databases, "
                f"{len(manifest['files'])} files, {human_size(size)}"
                + (f", {len(manifest['s3_keys'])} S3 keys listed" if manifest["s3_keys"] else "")
            )
            return EXIT_OK
        done = restore(settings, args.src)
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as exc:  # a full or read-only disk, say: nothing half-written was kept
        print(f"error: {exc.strerror or exc} ({exc.filename or args.command})", file=sys.stderr)
        return EXIT_FAILED
    print(
        f"✅ restored into {settings.data_dir}: {done.databases} databases, {done.files} files, "
        f"{human_size(done.bytes)}"
    )
    if done.missing_keys:
        print(f"⚠️ {len(done.missing_keys)} media keys are missing in the bucket", file=sys.stderr)
    return EXIT_OK
