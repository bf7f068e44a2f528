"""A disk short of space: uploads and renders refused with one clear message (and a metric), an
ENOSPC in the middle of a render told the same way with its credits released and nothing left,
/readyz saying so, the next job working once space is back; previews checked too; /new and the
retention time freeing abandoned uploads (test_disk_intake.py: links, tus, SQLite).

Low space is pretended through the disk check's own hook (VOICEOVER_DISK_FREE caps what is
free); the ENOSPC is real, on a small tmpfs."""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from core.config import Settings
from core.disk import FREE_OVERRIDE
from core.errors import ErrorCode, message_for
from core.housekeeping import expire_once
from core.service import Service
from tests.chat_helpers import SCRIPT, incoming
from tests.fakes import RecordingChat, tree_files
from tests.held_render import RenderGate
from tests.small_disk import fill, small_tmpfs

RESERVE = 1_000_000
FULL_EN = message_for(ErrorCode.DISK_FULL, "en")
FULL_ZH = message_for(ErrorCode.DISK_FULL, "zh")


@pytest.fixture
def service_settings(settings: Settings) -> Settings:
    """The service keeps 1 MB free on its disks."""
    return settings.model_copy(update={"http_port": 0, "disk_reserve_bytes": RESERVE})


def base(service: Service) -> str:
    assert service.link_server is not None
    return f"http://127.0.0.1:{service.link_server.port}"


async def disk_short_count(service: Service, where: str) -> float:
    """voiceover_disk_short_total{where} as /metrics shows it."""
    async with httpx.AsyncClient() as client:
        text = (await client.get(f"{base(service)}/metrics")).text
    line = f'voiceover_disk_short_total{{where="{where}"}} '
    return float(next(row for row in text.splitlines() if row.startswith(line)).split()[-1])


def refusals(chat: RecordingChat) -> list[str]:
    return [c.text for c in chat.calls if c.kind == "refuse"]


async def test_short_disk_refuses_uploads_in_the_users_language_then_works_again(
    service: Service, tiny: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = service.settings.data_dir
    counted = await disk_short_count(service, "upload")
    monkeypatch.setenv(FREE_OVERRIDE, str(RESERVE // 2))
    en, zh = RecordingChat(), RecordingChat()
    await service.handle(incoming(SCRIPT, files=(tiny,)), en)
    await service.handle(
        incoming("你好，欢迎观看我们产品的演示。", files=(tiny,), user="2", lang="zh"), zh
    )
    await service.wait_idle()
    assert refusals(en) == [FULL_EN] and refusals(zh) == [FULL_ZH]
    assert "short of disk space" in FULL_EN and "磁盘空间不足" in FULL_ZH
    assert tree_files(data / "uploads") == [] and tree_files(data / ".staging") == []
    assert await service.jobs.active_for("telegram:1") == []
    assert (await service.backend.credits("telegram:1")).available == 100
    assert await disk_short_count(service, "upload") == counted + 2
    async with httpx.AsyncClient() as client:
        ready = await client.get(f"{base(service)}/readyz")
        health = await client.get(f"{base(service)}/healthz")
    assert ready.status_code == 503 and "low disk space" in ready.text
    assert health.status_code == 200

    monkeypatch.delenv(FREE_OVERRIDE)  # space is back: the next job works
    async with httpx.AsyncClient() as client:
        assert (await client.get(f"{base(service)}/readyz")).status_code == 200
    await service.handle(incoming(SCRIPT, files=(tiny,)), en)
    await service.wait_idle()
    assert len(en.results) == 1 and refusals(en) == [FULL_EN]


async def test_a_render_without_room_is_refused_before_work_and_releases_its_credits(
    service: Service, tiny: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chat = RecordingChat()
    await service.handle(incoming("", files=(tiny,)), chat)  # taken: no script yet, no render
    counted = await disk_short_count(service, "render")
    monkeypatch.setenv(FREE_OVERRIDE, str(3 * RESERVE))  # room for a file, not for a render
    await service.handle(incoming(SCRIPT), chat)
    await service.wait_idle()
    assert FULL_EN in chat.all_text and not chat.results
    credits = await service.backend.credits("telegram:1")
    assert (credits.available, credits.frozen) == (100, 0)
    assert await disk_short_count(service, "render") == counted + 1
    data = service.settings.data_dir
    assert tree_files(data / "local" / "renders") == [] and tree_files(data / "pins") == []


@pytest.fixture
def small_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """TMPDIR on a real 16 MB tmpfs for the test."""
    with small_tmpfs(tmp_path / "small-tmp", 16) as folder:
        monkeypatch.setattr(tempfile, "tempdir", str(folder))
        monkeypatch.setenv("TMPDIR", str(folder))
        yield folder


async def test_enospc_in_the_middle_of_a_render_is_told_and_leaves_nothing(
    service: Service,
    tiny: Path,
    small_tmp: Path,
    render_gate: RenderGate,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    chat = RecordingChat()
    await service.handle(incoming(SCRIPT, files=(tiny,)), chat)
    await render_gate.reached("speech")
    filler = fill(small_tmp)  # the disk fills up while the render speaks
    render_gate.release_all()
    await service.wait_idle()
    assert FULL_EN in chat.all_text and not chat.results
    assert "went wrong" not in chat.all_text
    told = [r for r in caplog.records if r.getMessage().startswith("disk short of space")]
    assert len(told) == 1 and "No space left on device" in told[0].getMessage()
    assert not [r for r in caplog.records if r.exc_info]  # one line, no traceback
    credits = await service.backend.credits("telegram:1")
    assert (credits.available, credits.frozen) == (100, 0)
    assert tree_files(small_tmp) == [filler]  # no work folder, no partial file
    data = service.settings.data_dir
    assert tree_files(data / "local" / "renders") == [] and tree_files(data / "pins") == []

    filler.unlink()  # space is back: the same request renders
    await service.handle(incoming("export"), chat)
    await service.wait_idle()
    assert len(chat.results) == 1
    assert (await service.backend.credits("telegram:1")).available < 100


async def test_new_frees_the_abandoned_upload(service: Service, tiny: Path) -> None:
    chat = RecordingChat()
    data = service.settings.data_dir
    await service.handle(incoming("", files=(tiny,)), chat)
    assert len(tree_files(data / "uploads")) == 1
    await service.handle(incoming("/new"), chat)
    assert tree_files(data / "uploads") == []
    await service.handle(incoming(SCRIPT, files=(tiny,)), chat)  # the new project works
    await service.wait_idle()
    assert len(chat.results) == 1


async def test_uploads_past_retention_are_freed_and_their_project_says_so(
    service: Service, tiny: Path
) -> None:
    chat = RecordingChat()
    data = service.settings.data_dir
    await service.handle(incoming("", files=(tiny,)), chat)
    (upload,) = tree_files(data / "uploads")
    pinned = data / "pins" / "kept" / "media" / "demo.mp4"  # a queued job's copy
    await service.media.copy(upload.relative_to(data).as_posix(), "pins/kept/media/demo.mp4")
    old = time.time() - service.settings.result_retention_hours * 3600 - 60
    os.utime(upload, (old, old))
    assert await expire_once(service.settings, service.media, ()) == 1
    assert not await asyncio.to_thread(upload.exists)
    kept = await asyncio.to_thread(pinned.read_bytes)
    assert kept == await asyncio.to_thread(tiny.read_bytes)  # the job's pinned copy stays
    await service.handle(incoming(SCRIPT), chat)
    assert refusals(chat) == [message_for(ErrorCode.SESSION_NOT_FOUND, "en")]


async def test_a_preview_without_room_is_refused_before_work(
    service: Service, tiny: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chat = RecordingChat()
    await service.handle(incoming("", files=(tiny,)), chat)
    monkeypatch.setenv(FREE_OVERRIDE, str(3 * RESERVE))  # room for a file, not for a render
    await service.handle(incoming(SCRIPT), chat)  # its render is refused (the test above)
    await service.wait_idle()
    before = len(chat.calls)
    await service.handle(incoming("/preview"), chat)
    after = chat.calls[before:]
    assert [c.text for c in after if c.kind == "refuse"] == [FULL_EN]
    assert not [c for c in after if c.kind in ("video", "image", "link")]
