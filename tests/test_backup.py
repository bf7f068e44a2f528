"""`voiceover backup` and `voiceover restore` through the real entry point: a backup taken while
credits are being written is consistent and restores whole; one killed half-way leaves nothing
at its destination; a restore refuses a folder that isn't empty, and a damaged backup."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from core.backends.local.credits import Ledger
from core.backups.backup import MANIFEST, backup
from core.backups.cli import run_backup
from core.backups.restore import restore
from core.config import Settings
from core.failpoints import PAUSE_AT, PAUSE_MARK
from core.media.s3 import S3MediaStore
from core.store import Store
from tests.cli_helpers import cli_command, cli_env, voiceover
from tests.servers import SeaweedS3
from tests.small_disk import fill, small_tmpfs
from tests.test_s3_store import s3_settings

OWNERS = ("telegram:1", "telegram:2", "discord:3")


def run_here(
    command: str, folder: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    """`voiceover backup|restore folder` in this process (its exit status, stdout, stderr)."""
    settings = Settings(_env_file=None, data_dir=data_dir)  # type: ignore[call-arg]
    key = "dest" if command == "backup" else "src"
    status = run_backup(argparse.Namespace(command=command, **{key: folder}), settings)
    out, err = capsys.readouterr()
    return status, out, err


def seed_database(data_dir: Path) -> None:
    """A small service.db."""
    with sqlite3.connect(data_dir / "service.db") as db:
        db.execute("CREATE TABLE t(x)")
        db.execute("INSERT INTO t VALUES (1)")


def seed_media(data_dir: Path) -> dict[str, bytes]:
    """A few media keys and the link key, as the service leaves them."""
    files = {
        "uploads/ab12/0123456789abcdef01234567.mp4": os.urandom(300_000),
        "results/job1.mp4": os.urandom(120_000),
        "pins/p1/media/clip.mp4": b"pinned bytes",
        "link.key": b"k" * 64,
    }
    for rel, body in files.items():
        (data_dir / rel).parent.mkdir(parents=True, exist_ok=True)
        (data_dir / rel).write_bytes(body)
    return files


async def grant_while(settings: Settings, busy: asyncio.Event, stop: asyncio.Event) -> int:
    """Grant credits (each grant one transaction: a ledger row and the balance) until `stop`;
    `busy` is set after the first 20."""
    local_db = await Store(settings.data_dir / "local.db").open()
    ledger = Ledger(local_db, settings)
    service_db = await Store(settings.data_dir / "service.db").open()
    n = 0
    try:
        while not stop.is_set():
            n += 1
            await ledger.grant(OWNERS[n % len(OWNERS)], 1 + n % 7, f"grant:{n}")
            await service_db.execute(
                "INSERT OR REPLACE INTO prefs(owner, language) VALUES (?, ?)", (f"u{n}", "en")
            )
            if n == 20:
                busy.set()
            await asyncio.sleep(0)
    finally:
        await local_db.close()
        await service_db.close()
    return n


def ledger_balanced(db_path: Path) -> None:
    """Every owner's balance is the sum of its ledger: no grant half in the copy."""
    with sqlite3.connect(db_path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = db.execute("SELECT owner, available, frozen FROM balances").fetchall()
        assert rows, "no balances in the copy"
        for owner, available, frozen in rows:
            (total,) = db.execute(
                "SELECT COALESCE(SUM(amount), 0) FROM ledger WHERE owner=?", (owner,)
            ).fetchone()
            assert (available, frozen) == (total, 0), owner


async def test_backup_while_credits_are_written_is_consistent_and_restores(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.data_dir.mkdir(parents=True)
    files = seed_media(settings.data_dir)
    busy, stop = asyncio.Event(), asyncio.Event()
    writer = asyncio.create_task(grant_while(settings, busy, stop))
    await busy.wait()  # grants are being written, and go on during the backup
    dest = tmp_path / "backups" / "b1"
    made = await asyncio.to_thread(
        voiceover, "backup", str(dest), cwd=tmp_path, data_dir=settings.data_dir
    )
    stop.set()
    grants = await writer
    assert made.returncode == 0, made.stderr
    assert grants > 10 and "3 databases" not in made.stdout and "2 databases" in made.stdout
    ledger_balanced(dest / "databases" / "local.db")
    with sqlite3.connect(settings.data_dir / "local.db") as live:
        (live_rows,) = live.execute("SELECT count(*) FROM ledger").fetchone()
    with sqlite3.connect(dest / "databases" / "local.db") as copy:
        (copied_rows,) = copy.execute("SELECT count(*) FROM ledger").fetchone()
    assert 0 < copied_rows < live_rows  # a moment in the middle of the writes

    target = tmp_path / "restored"
    back = await asyncio.to_thread(voiceover, "restore", str(dest), cwd=tmp_path, data_dir=target)
    assert back.returncode == 0, back.stderr
    assert "2 databases, 4 files" in back.stdout
    for rel, body in files.items():
        assert (target / rel).read_bytes() == body, rel
    ledger_balanced(target / "local.db")
    restored = await Store(target / "local.db").open()  # usable as it is, schema and all
    try:
        credits = await Ledger(restored, settings).balance(OWNERS[1])
        assert credits.available > settings.starting_credits
    finally:
        await restored.close()


def test_a_backup_killed_half_way_leaves_nothing_at_its_destination(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    seed_media(data_dir)
    seed_database(data_dir)
    dest, mark = tmp_path / "b", tmp_path / "mark"
    env = cli_env(data_dir, **{PAUSE_AT: "backup_copying", PAUSE_MARK: str(mark)})
    proc = subprocess.Popen(cli_command("backup", str(dest)), env=env, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 60
        while not mark.exists():
            assert proc.poll() is None and time.monotonic() < deadline, "never reached the point"
            time.sleep(0.02)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert not dest.exists()
    partials = list(tmp_path.glob(".b.*.partial"))
    assert len(partials) == 1 and (partials[0] / "databases" / "service.db").exists()
    assert not (partials[0] / MANIFEST).exists()

    status, _, err = run_here("backup", dest, data_dir, capsys)
    assert status == 0, err
    assert (dest / MANIFEST).is_file() and not list(tmp_path.glob(".b.*.partial"))


def test_restore_refuses_a_data_dir_that_is_not_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    seed_media(data_dir)
    seed_database(data_dir)
    assert run_here("backup", tmp_path / "b", data_dir, capsys)[0] == 0
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "service.db").write_bytes(b"someone's state")
    refused = voiceover("restore", str(tmp_path / "b"), cwd=tmp_path, data_dir=busy)
    assert refused.returncode == 2
    assert "is not empty (1 entries: service.db)" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert (busy / "service.db").read_bytes() == b"someone's state"
    assert sorted(p.name for p in busy.iterdir()) == ["service.db"]


def test_restore_refuses_a_damaged_backup_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    seed_media(data_dir)
    seed_database(data_dir)
    assert run_here("backup", tmp_path / "b", data_dir, capsys)[0] == 0
    damaged = tmp_path / "b" / "media" / "results" / "job1.mp4"
    body = bytearray(damaged.read_bytes())
    body[1000] ^= 0xFF
    damaged.write_bytes(bytes(body))
    target = tmp_path / "empty"
    status, _, err = run_here("restore", tmp_path / "b", target, capsys)
    assert status == 2 and "job1.mp4 does not match the manifest" in err
    assert not target.exists() or not any(target.iterdir())
    status, _, err = run_here("restore", tmp_path / "nothing", target, capsys)
    assert status == 2 and "is not a finished backup" in err


async def test_with_a_bucket_the_keys_are_listed_and_checked_at_restore(
    settings: Settings, seaweed: SeaweedS3, bucket: str, s3_prefix: str, tmp_path: Path
) -> None:
    s3 = s3_settings(settings, seaweed, bucket, s3_prefix)
    store = S3MediaStore.from_settings(s3)
    for key, body in (("uploads/ab/one.mp4", b"1" * 1000), ("results/job2.mp4", b"2" * 2000)):
        source = tmp_path / "put.bin"
        await asyncio.to_thread(source.write_bytes, body)
        await store.put_file(key, source)
    s3.data_dir.mkdir(parents=True)
    seed_database(s3.data_dir)
    manifest = await asyncio.to_thread(backup, s3, tmp_path / "b")
    listed = {item["key"]: item["size"] for item in manifest["s3_keys"]}
    assert listed == {"uploads/ab/one.mp4": 1000, "results/job2.mp4": 2000}
    assert [f["path"] for f in manifest["files"]] == []  # the bucket is not copied
    await store.delete("results/job2.mp4")
    target = s3.model_copy(update={"data_dir": tmp_path / "restored"})
    done = await asyncio.to_thread(restore, target, tmp_path / "b")
    assert done.databases == 1 and done.missing_keys == ["results/job2.mp4"]


def test_a_backup_onto_a_full_disk_says_so_and_leaves_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    seed_media(data_dir)
    seed_database(data_dir)
    with small_tmpfs(tmp_path / "small-backups", 1) as folder:
        fill(folder, 100_000)  # room for the databases, not for the media
        status, _, err = run_here("backup", folder / "b", data_dir, capsys)
        left = sorted(p.name for p in folder.iterdir())
    assert status == 2 and "No space left on device" in err
    assert left == ["filler.bin"]
