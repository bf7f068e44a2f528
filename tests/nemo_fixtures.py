"""Fixtures for the NemoVideo tests (load with pytest_plugins = ["tests.nemo_fixtures"])."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from core.backends.nemo.backend import NemoBackend
from core.config import Settings
from tests.fake_nemo import FakeNemo
from tests.nemo_clock import NemoTime
from tests.nemo_helpers import FAST


@pytest.fixture
async def nemo_fake() -> AsyncIterator[FakeNemo]:
    """The fake NemoVideo API on 127.0.0.1, its scripts on a fake time (nemo_fake.time)."""
    server = FakeNemo(NemoTime())
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def nemo_settings(settings: Settings, nemo_fake: FakeNemo) -> Settings:
    """Settings for BACKEND=nemo pointed at the fake."""
    return settings.model_copy(
        update={
            "backend": "nemo",
            "nemo_api_url": nemo_fake.url,
            "nemo_web_url": "https://web.test",
        }
    )


@pytest.fixture
async def nemo_backend(nemo_settings: Settings, nemo_fake: FakeNemo) -> AsyncIterator[NemoBackend]:
    """A NemoBackend with fast timings, on the fake's time."""
    nemo = NemoBackend(nemo_settings, timings=FAST, clock=nemo_fake.time)
    yield nemo
    await nemo.aclose()
