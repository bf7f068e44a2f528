"""The speech cache is derivable data: a render's disk check counts what it will add to it and
frees old sentences before refusing for want of space, and `voiceover backup` leaves it out."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from core.backups.backup import DERIVED_DIRS
from core.config import Settings
from core.disk import SPEECH_BYTES_PER_S, need_space, render_needs
from core.engine.phoneme_words import Clip
from core.engine.speech_cache import FOLDER, SpeechCache, speech_cache
from core.errors import ErrorCode, VoiceoverError
from tests.small_disk import fill, small_tmpfs
from tests.test_backup import run_here, seed_database, seed_media

MB = 1_000_000


def kept_sentences(cache: SpeechCache, count: int, size: int) -> list[Path]:
    """`count` kept sentences of `size` bytes, oldest first (distinct use times)."""
    paths = []
    for n in range(count):
        cache.store(f"s{n}", Clip(np.zeros(size // 4, dtype=np.float32)))
        path = cache.folder / f"s{n}.f32"
        os.utime(path, ns=(n * 10**9, n * 10**9))
        paths.append(path)
    return paths


def test_a_render_short_of_disk_frees_the_oldest_speech_first(tmp_path: Path) -> None:
    with small_tmpfs(tmp_path / "disk", 12) as disk:
        cache = SpeechCache(disk / "cache" / "speech", 100 * MB)
        sentences = kept_sentences(cache, 5, MB)
        fill(disk, leave=MB)
        needs = render_needs(disk / "results", 0, 10.0, speech_cache=cache.folder)
        assert needs[cache.folder] == 10 * SPEECH_BYTES_PER_S  # what it will speak, counted
        with pytest.raises(VoiceoverError) as refused:  # 3 MB more than is free: no
            need_space({disk: 3 * MB}, 0, "render")
        assert refused.value.code is ErrorCode.DISK_FULL
        need_space({disk: 3 * MB}, 0, "render", reclaim=(cache.folder, cache.free_up))
        gone = [p for p in sentences if not p.exists()]
        assert gone == sentences[: len(gone)] and 2 <= len(gone) < 5  # the oldest, only
        with pytest.raises(VoiceoverError):  # more than the cache holds: still refused
            need_space({disk: 20 * MB}, 0, "render", reclaim=(cache.folder, cache.free_up))


def test_a_backup_leaves_the_speech_cache_out(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.data_dir.mkdir(parents=True)
    seed_database(settings.data_dir)
    files = seed_media(settings.data_dir)
    cache = speech_cache(settings)
    assert cache is not None and FOLDER[0] in DERIVED_DIRS
    kept_sentences(cache, 3, 4000)
    status, out, err = run_here("backup", tmp_path / "b", settings.data_dir, capsys)
    assert status == 0, err
    copied = {p.relative_to(tmp_path / "b").as_posix() for p in (tmp_path / "b").rglob("*.*")}
    assert not [p for p in copied if "cache" in p]
    target = tmp_path / "restored"
    status, out, err = run_here("restore", tmp_path / "b", target, capsys)
    assert status == 0, err
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()) == (
        sorted([*files, "service.db"])
    )
