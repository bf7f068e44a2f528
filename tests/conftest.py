"""Shared fixtures: settings pointed at a temporary data dir, and small media."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.config import Settings
from tests.media import make_video


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings isolated from the developer's .env, with data under tmp_path."""
    return Settings(_env_file=None, data_dir=tmp_path / "data")  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 3-second 320×240 H.264/AAC MP4 with a tone, shared read-only by the session."""
    return make_video(tmp_path_factory.mktemp("media") / "clip.mp4")
