"""A service whose start fails part-way stops what did start (the store, the link server, its
tasks) before the error goes up, as `async with` users expect."""

from __future__ import annotations

import socket

import pytest

from core.config import Settings
from core.service import Service
from tests.loopback import port_free


async def test_a_taken_port_fails_the_start_and_the_store_is_closed_again(
    settings: Settings,
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        service = Service(settings.model_copy(update={"http_port": port}))
        with pytest.raises(OSError):
            async with service:
                pytest.fail("the service should not have started")
    assert service.store._db is None  # opened before the link server, closed again
    assert not service._tasks


async def test_a_part_failing_after_the_link_server_started_frees_its_port(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    service = Service(settings.model_copy(update={"http_port": port}))

    async def broken() -> None:
        assert not port_free(port)  # the link server is listening by now
        raise RuntimeError("the queue is gone")

    monkeypatch.setattr(service.jobs, "resume_interrupted", broken)
    with pytest.raises(RuntimeError, match="the queue is gone"):
        await service.start()
    assert port_free(port)
    assert service.store._db is None
    assert not service._tasks
