"""The NemoVideo backend against the loopback fake: token, sessions, state, credits, the error
table and its recoveries (uploads: test_nemo_upload.py; exports: test_nemo_export.py)."""

from __future__ import annotations

import json
import logging
import stat
from pathlib import Path

import pytest
from pydantic import SecretStr

from core.backends.nemo.backend import NemoBackend
from core.backends.nemo.client import detect_platform
from core.config import Settings
from core.errors import ErrorCode, VoiceoverError
from tests.fake_nemo import FakeNemo
from tests.nemo_events import full_draft
from tests.nemo_helpers import FAST, collect, texts

pytest_plugins = ["tests.nemo_fixtures"]  # fixtures: nemo_fake, nemo_settings, nemo_backend


async def test_anonymous_token_client_id_persisted_and_headers_on_every_request(
    nemo_backend: NemoBackend, nemo_fake: FakeNemo, nemo_settings: Settings
) -> None:
    sid = await nemo_backend.open_session("telegram:1", "en")
    await nemo_backend.state(sid)
    await nemo_backend.credits("telegram:1")
    saved = nemo_settings.data_dir / "nemo_client.json"
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    client_id = json.loads(saved.read_text())["client_id"]
    token_calls = nemo_fake.calls("/api/auth/anonymous-token")
    assert [c.headers["X-Client-Id"] for c in token_calls] == [client_id]
    assert len(nemo_fake.requests) == 4
    for request in nemo_fake.requests:
        assert request.headers["X-Skill-Source"] == "ai-voiceover"
        assert request.headers["X-Skill-Version"] == nemo_settings.nemo_skill_version
        assert request.headers["X-Skill-Platform"] == "unknown"
    for request in nemo_fake.requests[1:]:
        token = request.headers["Authorization"].removeprefix("Bearer ")
        assert token in nemo_fake.valid_tokens and token not in request.url
    again = NemoBackend(nemo_settings, timings=FAST)  # a restart: same client id and token
    await again.credits("x")
    await again.aclose()
    assert len(nemo_fake.calls("/api/auth/anonymous-token")) == 1


async def test_configured_token_is_used_and_never_replaced(
    nemo_settings: Settings, nemo_fake: FakeNemo
) -> None:
    nemo_fake.valid_tokens["nmv_configured_secret"] = "operator"
    settings = nemo_settings.model_copy(update={"nemo_token": SecretStr("nmv_configured_secret")})
    nemo = NemoBackend(settings, timings=FAST)
    assert (await nemo.credits("a")).available == 100
    nemo_fake.expire_tokens()
    with pytest.raises(VoiceoverError) as caught:
        await nemo.credits("a")
    await nemo.aclose()
    assert caught.value.code == ErrorCode.TOKEN_INVALID
    assert nemo_fake.calls("/api/auth/anonymous-token") == []
    assert all(
        r.headers["Authorization"] == "Bearer nmv_configured_secret" for r in nemo_fake.requests
    )


async def test_token_expiring_mid_session_is_renewed_for_the_same_client_once(
    nemo_backend: NemoBackend, nemo_fake: FakeNemo
) -> None:
    sid = await nemo_backend.open_session("u", "en")
    nemo_fake.expire_tokens()
    events = await collect(nemo_backend.send(sid, "add a title"))
    assert "I added the title 'Paradise Found'." in texts(events)
    token_calls = nemo_fake.calls("/api/auth/anonymous-token")
    assert len(token_calls) == 2
    assert token_calls[0].headers["X-Client-Id"] == token_calls[1].headers["X-Client-Id"]
    assert nemo_fake.messages_sent == ["add a title"]
    nemo_fake.expire_tokens()  # and again, on a plain API call
    assert (await nemo_backend.credits("u")).available == 100
    assert len(nemo_fake.calls("/api/auth/anonymous-token")) == 3
    assert len(nemo_fake.calls("/api/credits")) == 2


async def test_missing_client_id_answer_makes_a_new_client_id(
    nemo_backend: NemoBackend, nemo_fake: FakeNemo
) -> None:
    nemo_fake.fail("token", 400, 400)
    await nemo_backend.open_session("u", "en")
    first, second = nemo_fake.calls("/api/auth/anonymous-token")
    assert first.headers["X-Client-Id"] != second.headers["X-Client-Id"]


async def test_sessions_are_per_owner_with_a_project_link(
    nemo_backend: NemoBackend, nemo_fake: FakeNemo
) -> None:
    a = await nemo_backend.open_session("telegram:1", "en")
    first = await nemo_backend.open_session("telegram:1", "en")  # "new project": a new one
    assert first != a and nemo_backend.book.for_owner("telegram:1").session_id == first  # type: ignore[union-attr]
    b = await nemo_backend.open_session("discord:9", "zh")
    assert a != b and set(nemo_fake.sessions) == {a, first, b}
    assert nemo_fake.calls("/api/tasks")[2].json == {"task_name": "project", "language": "zh"}
    link = await nemo_backend.project_link(a)
    assert link is not None and link.startswith("https://web.test/workspace/claim?ct=clm_")
    assert nemo_fake.calls("/api/auth/claim-token")[0].json == {
        "task_id": nemo_fake.sessions[a].task_id,
        "session_id": a,
    }


async def test_lost_session_is_replaced_once_and_followed(
    nemo_backend: NemoBackend, nemo_fake: FakeNemo, nemo_settings: Settings
) -> None:
    old = await nemo_backend.open_session("u", "en")
    nemo_fake.lose_session(old)
    assert await nemo_backend.state(old) == {}
    new = nemo_backend.book.resolve(old)
    assert new != old and new in nemo_fake.sessions
    assert nemo_backend.book.for_owner("u").session_id == new  # type: ignore[union-attr]
    restarted = NemoBackend(nemo_settings, timings=FAST)
    assert restarted.book.resolve(old) == new  # the replacement is kept on disk
    await restarted.aclose()
    nemo_fake.sessions[new].draft = full_draft()
    assert (await nemo_backend.state(old))["d"] == 10000  # the old id now reads the new session
    nemo_fake.lose_session(new)
    nemo_fake.fail("session", 1002)
    with pytest.raises(VoiceoverError) as caught:
        await nemo_backend.state(old)
    assert caught.value.code == ErrorCode.SESSION_NOT_FOUND
    assert stat.S_IMODE((nemo_settings.data_dir / "nemo_sessions.json").stat().st_mode) == 0o600


async def test_state_and_credits(nemo_backend: NemoBackend, nemo_fake: FakeNemo) -> None:
    sid = await nemo_backend.open_session("u", "en")
    nemo_fake.sessions[sid].draft = full_draft()
    assert await nemo_backend.state(sid) == full_draft()
    nemo_fake.credits = {"available": 40, "frozen": 60, "total": 100}
    balance = await nemo_backend.credits("u")
    assert (balance.available, balance.frozen, balance.total) == (40, 60, 100)


async def test_rate_limit_waits_and_retries_once(
    nemo_backend: NemoBackend, nemo_fake: FakeNemo
) -> None:
    nemo_fake.valid_tokens.clear()
    await nemo_backend.open_session("u", "en")
    nemo_fake.fail("credits", 429, 429)
    assert (await nemo_backend.credits("u")).available == 100
    nemo_fake.fail("credits", 429, 429, times=2)
    with pytest.raises(VoiceoverError) as caught:
        await nemo_backend.credits("u")
    assert caught.value.code == ErrorCode.RATE_LIMITED
    assert len(nemo_fake.calls("/api/credits")) == 4


async def test_out_of_credits_shows_the_bind_link_to_anonymous_users(
    nemo_backend: NemoBackend, nemo_fake: FakeNemo
) -> None:
    sid = await nemo_backend.open_session("u", "en")
    nemo_fake.credits = {"available": 3, "frozen": 0, "total": 3}
    nemo_fake.fail("sse", 2001)
    with pytest.raises(VoiceoverError) as caught:
        await collect(nemo_backend.send(sid, "generate a video"))
    message = caught.value.message()
    assert caught.value.code == ErrorCode.NO_CREDITS
    assert "3 left" in message and "https://web.test?bind=anon_42" in message
    assert nemo_fake.messages_sent == []


async def test_out_of_credits_tells_registered_users_to_top_up(
    nemo_settings: Settings, nemo_fake: FakeNemo
) -> None:
    nemo_fake.valid_tokens["nmv_reg"] = "registered"
    nemo = NemoBackend(
        nemo_settings.model_copy(update={"nemo_token": SecretStr("nmv_reg")}), timings=FAST
    )
    sid = await nemo.open_session("u", "en")
    nemo_fake.fail("sse", 2001)
    with pytest.raises(VoiceoverError) as caught:
        await collect(nemo.send(sid, "generate"))
    await nemo.aclose()
    assert "Top up credits in your account." in caught.value.message()
    assert "bind=" not in caught.value.message()


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (400, ErrorCode.BAD_REQUEST),
        (402, ErrorCode.PLAN_BLOCKED),
        (4001, ErrorCode.UNSUPPORTED_FILE),
        (9999, ErrorCode.BACKEND_UNAVAILABLE),
    ],
)
async def test_error_table(
    nemo_backend: NemoBackend, nemo_fake: FakeNemo, code: int, expected: ErrorCode
) -> None:
    await nemo_backend.open_session("u", "en")
    nemo_fake.fail("credits", code)
    with pytest.raises(VoiceoverError) as caught:
        await nemo_backend.credits("u")
    assert caught.value.code == expected


async def test_unreachable_service(nemo_settings: Settings) -> None:
    nemo = NemoBackend(nemo_settings.model_copy(update={"nemo_api_url": "http://127.0.0.1:9"}))
    with pytest.raises(VoiceoverError) as caught:
        await nemo.open_session("u", "en")
    await nemo.aclose()
    assert caught.value.code == ErrorCode.BACKEND_UNAVAILABLE


async def test_the_token_never_appears_in_logs_urls_or_errors(
    nemo_backend: NemoBackend, nemo_fake: FakeNemo, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    sid = await nemo_backend.open_session("u", "en")
    nemo_fake.expire_tokens()
    await collect(nemo_backend.send(sid, "add a title"))
    nemo_fake.fail("credits", 2001)
    with pytest.raises(VoiceoverError) as caught:
        await nemo_backend.credits("u")
    auth = [r.headers.get("Authorization", "") for r in nemo_fake.requests]
    tokens = [a.removeprefix("Bearer ") for a in auth if a]
    assert len(set(tokens)) == 2
    for token in tokens:
        assert token not in caplog.text
        assert token not in str(caught.value) and token not in caught.value.message()
        assert all(token not in r.url for r in nemo_fake.requests)
    assert "NemoVideo" in caplog.text  # the logs do describe the calls


@pytest.mark.parametrize(
    ("path", "platform"),
    [
        ("/home/a/.clawhub/skills/voiceover/core/backends/nemo_client.py", "clawhub"),
        ("/home/a/.cursor/skills/voiceover/core/backends/nemo_client.py", "cursor"),
        ("/srv/voiceover/core/backends/nemo_client.py", "unknown"),
    ],
)
def test_platform_header_comes_from_the_install_path(path: str, platform: str) -> None:
    assert detect_platform(Path(path)) == platform
