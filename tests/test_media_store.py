"""The media store on local disk: keys of ours only, files moved in, read, aged out."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.errors import ErrorCode, VoiceoverError
from core.media.local import LocalMediaStore
from core.media.store import check_key, new_key


async def test_a_file_moves_in_and_is_read_by_key(tmp_path: Path) -> None:
    store = LocalMediaStore(tmp_path / "data")
    source = store.staging() / "incoming.mp4"
    source.write_bytes(b"x" * 1234)
    key = new_key("uploads/abc", "My Clip.MP4")
    assert key.startswith("uploads/abc/") and key.endswith(".mp4")
    assert await store.put_file(key, source) == 1234
    assert not source.exists()  # moved, not copied
    async with store.local_path(key) as path:
        assert path.read_bytes() == b"x" * 1234
    assert not store.fetches_to_read and path.is_relative_to(tmp_path / "data")  # in place
    assert path.exists()  # the stored file itself, not a copy removed after use
    assert await store.size(key) == 1234
    await store.delete(key)
    assert await store.size(key) is None
    with pytest.raises(FileNotFoundError):
        async with store.local_path(key):
            pass


@pytest.mark.parametrize(
    "key", ["../etc/passwd", "/abs/x.mp4", "results/../../x", "results/.hidden", "results", ""]
)
def test_only_our_keys_are_accepted(key: str) -> None:
    with pytest.raises(ValueError):
        check_key(key)


async def test_old_results_age_out_and_staging_is_cleared(tmp_path: Path) -> None:
    store = LocalMediaStore(tmp_path)
    for name in ("old", "new"):
        staged = store.staging() / name
        staged.write_bytes(b"1")
        await store.put_file(f"results/{name}.mp4", staged)
    os.utime(store.path("results/old.mp4"), (1000, 1000))
    assert await store.delete_older("results", 3600) == 1
    assert await store.size("results/new.mp4") == 1 and await store.size("results/old.mp4") is None
    (store.staging() / "left-by-a-killed-process").write_bytes(b"")
    assert await store.clear_staging() == 1 and list(store.staging().iterdir()) == []


async def test_a_copy_outlives_its_source_and_prefixes_list_and_go(tmp_path: Path) -> None:
    store = LocalMediaStore(tmp_path)
    staged = store.staging() / "v"
    staged.write_bytes(b"video")
    await store.put_file("uploads/u/a.mp4", staged)
    await store.copy("uploads/u/a.mp4", "pins/p1/media.mp4")
    await store.delete("uploads/u/a.mp4")  # the user replaced it: the pinned copy lives on
    async with store.local_path("pins/p1/media.mp4") as path:
        assert path.read_bytes() == b"video"
    assert await store.children("pins") == ["p1"]
    await store.delete_prefix("pins/p1")
    assert await store.children("pins") == []
    with pytest.raises(ValueError):
        await store.delete_prefix("../outside")


async def test_a_stream_is_stored_in_pieces_and_capped(tmp_path: Path) -> None:
    store = LocalMediaStore(tmp_path)

    async def chunks(count: int) -> AsyncIterator[bytes]:
        for _ in range(count):
            yield b"x" * 1000

    assert await store.put_stream("uploads/u/s.mp4", chunks(5), max_bytes=5000) == 5000
    with pytest.raises(VoiceoverError) as refused:
        await store.put_stream("uploads/u/big.mp4", chunks(6), max_bytes=5000)
    assert refused.value.code is ErrorCode.FILE_TOO_LARGE
    assert await store.size("uploads/u/big.mp4") is None
    assert list(store.staging().iterdir()) == []  # nothing kept on its way in
