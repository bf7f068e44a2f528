"""Asking about automating in a chat (an API, Zapier, n8n, 我想用API) is answered with what the
HTTP API does and how to get a key; no key is made, no script taken; 'my api key' makes one."""

from __future__ import annotations

import pytest

from core.chat.routing import route_keywords
from core.service import Service
from tests.api_helpers import KEY, terminal


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("an api for my website", "🔌 Yes: there is an HTTP API"),
        ("connect it to zapier", "🔌 Yes: there is an HTTP API"),
        ("how do I automate this", "🔌 Yes: there is an HTTP API"),
        ("我想用API", "🔌 有的：可以通过 HTTP API"),
        ("/apikey help", "🔌 Yes: there is an HTTP API"),
    ],
)
async def test_asking_about_automating_shows_the_apis_help(
    service: Service, text: str, start: str
) -> None:
    printed = await terminal(service, "you", text)
    assert start in printed and "/apikey" in printed and "/api/v1/docs" in printed, printed
    assert not KEY.search(printed)
    assert await service.store.fetchall("SELECT * FROM api_keys") == []
    assert await service.flows.deps.sessions.current("console:you") is None  # no project made


async def test_a_product_line_naming_zapier_is_still_a_script() -> None:
    assert route_keywords("Meet Aurora, the lamp that connects to Zapier.") is None
    assert route_keywords("connect it to zapier") == "api_help"
    assert route_keywords("my api key") == "apikey"


async def test_my_api_key_still_makes_a_key(service: Service) -> None:
    printed = await terminal(service, "you", "my api key")
    assert KEY.search(printed), printed
