"""Settings from the environment: lists, secrets that never print, clear refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from core.config import Settings


def test_admin_users_from_a_comma_separated_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_USERS", "telegram:1, discord:2,")
    assert Settings(_env_file=None).admin_users == ["telegram:1", "discord:2"]
    monkeypatch.setenv("ADMIN_USERS", "nobody")
    assert Settings(_env_file=None).admin_users == ["nobody"]


def test_tokens_never_print(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:SECRET-TOKEN")
    settings = Settings(_env_file=None)
    assert "SECRET-TOKEN" not in repr(settings) and "SECRET-TOKEN" not in str(settings)
    assert settings.telegram_bot_token is not None
    assert settings.telegram_bot_token.get_secret_value() == "123456:SECRET-TOKEN"


def test_bad_values_are_refused_with_the_setting_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACKEND", "cloud9")
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None)
    assert caught.value.errors()[0]["loc"] == ("backend",)


def test_dotenv_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = tmp_path / ".env"
    env.write_text("STARTING_CREDITS=7\nUNLIMITED_CREDITS=true\n", encoding="utf-8")
    settings = Settings(_env_file=env)
    assert settings.starting_credits == 7 and settings.unlimited_credits


def test_links_point_where_the_server_listens_unless_told(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    assert Settings(http_port=18333).public_base_url == "http://127.0.0.1:18333"
    assert Settings(http_host="0.0.0.0").public_base_url == "http://127.0.0.1:8088"
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://bot.example.com")
    assert Settings(http_port=18333).public_base_url == "https://bot.example.com"
