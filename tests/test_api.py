"""The HTTP API through the real server on loopback: a key from the terminal chat, jobs made by
the chats' flows and rendered for real, signed webhooks, results downloaded; keys, idempotency,
limits and problems."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from aiohttp import web

from core.chat.api_keys import key_hash
from core.config import Settings
from core.service import Service
from tests.api_helpers import (
    KEY,
    SECRET,
    base_url,
    key_from_terminal,
    receiver,
    terminal,
    verify,
    wait_ended,
)
from tests.chat_helpers import SCRIPT
from tests.fake_discord import FakeDiscord
from tests.fake_telegram import FakeTelegram, message_update
from tests.loopback import serve_loopback
from tests.telegram_helpers import bot_running
from tests.test_discord import EPHEMERAL, running_bot


@pytest.fixture
def service_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "http_port": 0,
            "max_concurrent_jobs": 2,
            "allow_private_callbacks": True,
            "allow_private_urls": True,
        }
    )


@pytest.fixture
def tiny_bytes(tiny: Path) -> bytes:
    return tiny.read_bytes()


@pytest.fixture
async def client(service: Service) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=base_url(service), timeout=60) as http:
        yield http


async def test_full_cycle_key_from_the_terminal_file_webhook_result(
    service: Service, client: httpx.AsyncClient, tiny: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    account = await key_from_terminal(service)
    async with receiver() as hooks:
        with tiny.open("rb") as media:
            answer = await client.post(
                "/api/v1/jobs",
                headers=account.auth,
                files={"media": ("demo.mp4", media, "video/mp4")},
                data={
                    "text": SCRIPT,
                    "speed": "1.1",
                    "captions": "soft",
                    "callback_url": hooks.url,
                },
            )
        assert answer.status_code == 202, answer.text
        job = answer.json()
        assert answer.headers["Location"] == f"/api/v1/jobs/{job['id']}"
        assert job["state"] in ("queued", "running") and 0 <= job["progress"] <= 1
        ended = await wait_ended(client, job["id"], account.auth)
        assert ended["state"] == "done", ended
        result = ended["result"]
        assert result["width"] == 160 and result["height"] == 120 and result["size_bytes"] > 1000
        assert result["voices"] and result["duration_s"] > 3
        await hooks.wait(1)
        body, signature = hooks.accepted[0]
        assert verify(account.secret, signature, body)
        assert not verify("whsec_" + "x" * 43, signature, body)
        assert json.loads(body)["id"] == job["id"] and json.loads(body)["state"] == "done"
    download = await client.get(f"/api/v1/jobs/{job['id']}/result", headers=account.auth)
    assert download.status_code == 302
    video = await client.get(download.headers["Location"])
    assert video.status_code == 200 and video.content[4:8] == b"ftyp"
    assert len(video.content) == result["size_bytes"]
    credits = await client.get("/api/v1/credits", headers=account.auth)
    assert credits.json()["available"] < 100 and credits.json()["frozen"] == 0
    voices = await client.get("/api/v1/voices", headers=account.auth)
    assert any(v["id"] == "en_US-joe-medium" for v in voices.json()["voices"])
    listed = await client.get("/api/v1/jobs?state=done&limit=5", headers=account.auth)
    assert [j["id"] for j in listed.json()["jobs"]] == [job["id"]]
    assert caplog.records
    assert account.key not in caplog.text
    assert account.secret not in caplog.text


async def test_media_url_with_a_script_file(
    service: Service, client: httpx.AsyncClient, tiny: Path, tmp_path: Path
) -> None:
    account = await key_from_terminal(service)

    async def clip(_request: web.Request) -> web.FileResponse:
        return web.FileResponse(tiny)

    app = web.Application()
    app.router.add_get("/clip.mp4", clip)
    runner = web.AppRunner(app)
    port = await serve_loopback(runner)
    try:
        answer = await client.post(
            "/api/v1/jobs",
            headers=account.auth,
            data={"media_url": f"http://127.0.0.1:{port}/clip.mp4"},
            files={"script": ("script.txt", SCRIPT.encode(), "text/plain")},
        )
        assert answer.status_code == 202, answer.text
        ended = await wait_ended(client, answer.json()["id"], account.auth)
    finally:
        await runner.cleanup()
    assert ended["state"] == "done" and ended["result"]["width"] == 160


async def test_keys_missing_revoked_and_another_owners_job(
    service: Service, client: httpx.AsyncClient, tiny_bytes: bytes
) -> None:
    missing = await client.get("/api/v1/credits")
    assert missing.status_code == 401
    assert missing.headers["Content-Type"].startswith("application/problem+json")
    problem = missing.json()
    assert problem["status"] == 401 and problem["code"] == 4401 and problem["title"]
    assert "/apikey" in problem["detail"]
    alice = await key_from_terminal(service, "alice")
    bob = await key_from_terminal(service, "bob")
    stored = await service.store.fetchall("SELECT * FROM api_keys")
    assert {row["key_hash"] for row in stored} == {key_hash(alice.key), key_hash(bob.key)}
    assert all(alice.key not in str(row) and bob.key not in str(row) for row in stored)
    assert {row["owner"] for row in stored} == {"console:alice", "console:bob"}
    answer = await client.post(
        "/api/v1/jobs",
        headers=alice.auth,
        files={"media": ("demo.mp4", tiny_bytes, "video/mp4")},
        data={"text": SCRIPT},
    )
    assert answer.status_code == 202, answer.text
    job_id = answer.json()["id"]
    for path in (f"/api/v1/jobs/{job_id}", f"/api/v1/jobs/{job_id}/result"):
        foreign = await client.get(path, headers=bob.auth)
        assert foreign.status_code == 404 and foreign.json()["code"] == 4402
    assert (await client.delete(f"/api/v1/jobs/{job_id}", headers=bob.auth)).status_code == 404
    assert (await client.get("/api/v1/jobs", headers=bob.auth)).json()["jobs"] == []
    cancelled = await client.delete(f"/api/v1/jobs/{job_id}", headers=alice.auth)
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    again = await client.delete(f"/api/v1/jobs/{job_id}", headers=alice.auth)
    assert again.status_code == 409
    await key_from_terminal(service, "alice", "/apikey revoke")
    revoked = await client.get("/api/v1/credits", headers=alice.auth)
    assert revoked.status_code == 401
    renewed = await key_from_terminal(service, "alice")
    assert (await client.get("/api/v1/credits", headers=renewed.auth)).status_code == 200
    assert renewed.secret == alice.secret  # the signing secret stays with the account
    credits = (await client.get("/api/v1/credits", headers=renewed.auth)).json()
    assert credits["available"] == 100 and credits["frozen"] == 0  # the cancel released them


@pytest.mark.parametrize("line", ["give me an API key", "给我一个API密钥"])
async def test_asking_for_a_key_in_words_makes_one(service: Service, line: str) -> None:
    account = await key_from_terminal(service, "words", line)
    assert account.key.startswith("vo_") and account.secret.startswith("whsec_")


async def test_an_idempotency_key_retry_gives_the_first_job(
    service: Service, client: httpx.AsyncClient, tiny_bytes: bytes
) -> None:
    account = await key_from_terminal(service)
    headers = {**account.auth, "Idempotency-Key": "clip-1"}
    ids = []
    for _ in range(2):
        answer = await client.post(
            "/api/v1/jobs",
            headers=headers,
            files={"media": ("demo.mp4", tiny_bytes, "video/mp4")},
            data={"text": SCRIPT},
        )
        assert answer.status_code == 202, answer.text
        ids.append(answer.json()["id"])
    assert ids[0] == ids[1]
    listed = (await client.get("/api/v1/jobs", headers=account.auth)).json()["jobs"]
    assert [j["id"] for j in listed] == ids[:1]


async def test_bad_input_is_a_problem_in_the_accounts_language(
    service: Service, client: httpx.AsyncClient, tiny_bytes: bytes
) -> None:
    account = await key_from_terminal(service)
    no_script = await client.post(
        "/api/v1/jobs", headers=account.auth, files={"media": ("demo.mp4", tiny_bytes)}
    )
    assert no_script.status_code == 422 and "script" in no_script.json()["detail"]
    fast = await client.post(
        "/api/v1/jobs",
        headers=account.auth,
        files={"media": ("demo.mp4", tiny_bytes)},
        data={"text": SCRIPT, "speed": "9"},
    )
    assert fast.status_code == 422 and "speed" in fast.json()["detail"]
    before = (await client.get("/api/v1/credits", headers=account.auth)).json()
    async with receiver() as hooks:  # the probe runs after the 202: its refusal ends the job
        not_media = await client.post(
            "/api/v1/jobs",
            headers=account.auth,
            files={"media": ("clip.mp4", b"not a video at all" * 10)},
            data={"text": SCRIPT, "callback_url": hooks.url},
        )
        assert not_media.status_code == 202, not_media.text
        ended = await wait_ended(client, not_media.json()["id"], account.auth)
        assert ended["state"] == "failed" and ended["error"]["code"] == 4201, ended
        assert "clip.mp4" in ended["error"]["message"]
        await hooks.wait(1)
        [(body, signature)] = hooks.accepted
        assert verify(account.secret, signature, body) and json.loads(body) == ended
    assert (await client.get("/api/v1/credits", headers=account.auth)).json() == before
    await terminal(service, "you", "/language chinese")
    chinese = await client.post("/api/v1/jobs", headers=account.auth, data={"text": SCRIPT})
    assert chinese.status_code == 422 and chinese.json()["title"] == "无法处理的内容"
    assert "请求无效" in chinese.json()["detail"]


async def test_a_key_from_telegram_works_on_the_api(
    fake: FakeTelegram, tg_settings: Settings
) -> None:
    settings = tg_settings.model_copy(update={"http_port": 0})
    update = message_update(text="/apikey")
    async with bot_running(settings, fake) as service:
        fake.push(update)
        await fake.wait_for("sendMessage", within_s=60)
        [sent] = [c for c in fake.called("sendMessage") if KEY.search(str(c.params["text"]))]
        text = str(sent.params["text"])
        key = KEY.search(text)
        assert key and SECRET.search(text) and "reply_markup" in sent.params  # the docs button
        async with httpx.AsyncClient(base_url=base_url(service)) as client:
            auth = {"Authorization": f"Bearer {key.group(1)}"}
            credits = await client.get("/api/v1/credits", headers=auth)
    assert credits.status_code == 200 and credits.json()["available"] == 100


async def test_no_key_is_shown_in_a_telegram_group(
    fake: FakeTelegram, tg_settings: Settings
) -> None:
    settings = tg_settings.model_copy(update={"http_port": 0})
    update = message_update(text="/apikey", chat_id=-1001, user_id=42)
    async with bot_running(settings, fake) as service:
        fake.push(update)
        await fake.wait_for("sendMessage", within_s=60)
        await service.wait_idle()
        keys = await service.store.fetchall("SELECT * FROM api_keys")
    texts = [str(c.params["text"]) for c in fake.called("sendMessage")]
    assert any("private chat" in t for t in texts) and not any(KEY.search(t) for t in texts)
    assert keys == []


async def test_a_key_from_discord_is_private_and_revoked_with_its_option(
    tmp_path: Path, discord_fake: FakeDiscord
) -> None:
    async with running_bot(tmp_path, discord_fake) as bot:
        asked = await discord_fake.slash("apikey")
        await discord_fake.wait_for(lambda: any(KEY.search(t) for t in bot.texts(asked["token"])))
        shown = next(
            c.json
            for c in discord_fake.calls
            if asked["token"] in c.path and KEY.search(str((c.json or {}).get("content")))
        )
        assert shown["flags"] == EPHEMERAL  # only the user sees the key
        key = KEY.search(str(shown["content"]))
        assert key is not None and SECRET.search(str(shown["content"]))
        auth = {"Authorization": f"Bearer {key.group(1)}"}
        async with httpx.AsyncClient(base_url=base_url(bot.service)) as client:
            assert (await client.get("/api/v1/credits", headers=auth)).status_code == 200
            revoke = await discord_fake.slash("apikey", action="revoke")
            await discord_fake.wait_for(
                lambda: any("revoked" in t for t in bot.texts(revoke["token"]))
            )
            assert (await client.get("/api/v1/credits", headers=auth)).status_code == 401


async def test_jobs_are_listed_newest_first_in_pages(
    service: Service, client: httpx.AsyncClient, tiny_bytes: bytes
) -> None:
    account = await key_from_terminal(service)
    made = []
    for _ in range(3):
        answer = await client.post(
            "/api/v1/jobs",
            headers=account.auth,
            files={"media": ("demo.mp4", tiny_bytes)},
            data={"text": SCRIPT},
        )
        made.append(answer.json()["id"])
    for job_id in made:
        await client.delete(f"/api/v1/jobs/{job_id}", headers=account.auth)
    first = (await client.get("/api/v1/jobs?limit=2", headers=account.auth)).json()
    assert [j["id"] for j in first["jobs"]] == made[::-1][:2] and first["next_cursor"]
    cursor = first["next_cursor"]
    second = await client.get(f"/api/v1/jobs?limit=2&cursor={cursor}", headers=account.auth)
    assert [j["id"] for j in second.json()["jobs"]] == made[:1]
    assert second.json()["next_cursor"] is None
    bad = await client.get("/api/v1/jobs?limit=500", headers=account.auth)
    assert bad.status_code == 422 and "limit" in bad.json()["detail"]
