"""Every setting, read from the environment and `.env` (see `.env.example`), checked at start."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from core.logs import LEVELS

MB = 1_000_000
QUEUE_URL = re.compile(r"^rediss?://[^/\s]+(?:/\d{1,2})?/?$")
STORAGE_URL = re.compile(r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](?:/[A-Za-z0-9_-]+)*/?$")


class Settings(BaseSettings):
    """Service configuration. Secrets are SecretStr so they never print."""

    model_config = SettingsConfigDict(
        env_file=".env", extra="ignore", env_file_encoding="utf-8", env_ignore_empty=True
    )

    # Where things live.
    data_dir: Path = Path("data")
    voices_dir: Path | None = None  # None: DATA_DIR/voices (set after validation)
    voices_base_url: str = "https://huggingface.co/rhasspy/piper-voices/resolve/v1.0.0"
    backend: Literal["local", "nemo"] = "local"
    # Speech recognition: a faster-whisper model name (tiny.en is bundled; others are installed
    # with `voiceover models install NAME` into DATA_DIR/models) or a model directory.
    asr_model: str = "tiny.en"
    asr_models_base_url: str = "https://huggingface.co"
    log_level: str = "INFO"

    # Media limits (untrusted input).
    max_upload_bytes: int = Field(500 * MB, gt=0)
    max_duration_s: float = Field(30 * 60, gt=0)
    max_pixels: int = Field(3840 * 2160, gt=0)
    max_fps: float = Field(120, gt=0)
    max_streams: int = Field(8, gt=0)
    max_script_words: int = Field(20_000, gt=0)
    max_script_bytes: int = Field(2 * MB, gt=0)
    ffmpeg_timeout_s: float = Field(1800, gt=0)
    probe_timeout_s: float = Field(30, gt=0)
    disk_reserve_bytes: int = Field(20 * MB, ge=0)  # free space uploads and renders leave

    # Speech and mixing defaults.
    default_voice: str = "en_US-joe-medium"
    lexicon_file: Path | None = None  # an operator-wide pronunciation lexicon (see README)
    max_segment_speedup: float = Field(1.2, ge=1.0, le=2.0)
    loudness_lufs: float = Field(-16.0, ge=-40, le=-5)
    true_peak_db: float = Field(-1.5, ge=-9, le=0)
    tts_workers: int = Field(0, ge=0)  # 0: one per core
    tts_timeout_s: float = Field(900, gt=0)  # wall clock for one render's speech
    speech_cache_mb: int = Field(256, ge=0)  # sentences kept in DATA_DIR/cache/speech; 0: off

    # Chat core.
    max_concurrent_jobs: int = Field(0, ge=0)  # 0: one per core
    starting_credits: int = Field(100, ge=0)
    unlimited_credits: bool = False
    credits_per_minute: int = Field(10, ge=0)
    admin_users: Annotated[list[str], NoDecode] = Field(default_factory=list)
    result_retention_hours: float = Field(72, gt=0)
    heartbeat_interval_s: float = Field(4, gt=0)
    progress_edit_interval_s: float = Field(3, gt=0)
    still_working_after_s: float = Field(120, gt=0)

    # Floods: per-user limits (past one, the message is dropped and the user told once a window).
    flood_rate_per_s: float = Field(1.0, gt=0)  # messages per second a user may keep sending
    flood_burst: int = Field(30, ge=1)  # … and at once
    flood_notice_window_s: float = Field(60, gt=0)  # "slow down" at most once per window
    max_waiting_messages: int = Field(20, ge=1)  # a user's messages waiting or being handled
    max_uploads_in_flight: int = Field(2, ge=1)  # … of them carrying a file
    max_queued_renders: int = Field(3, ge=1)  # a user's renders waiting for a slot
    probe_slots: int = Field(2, ge=1)  # files probed at once, handed round-robin across users

    # Many machines (unset: the embedded SQLite queue and local disk).
    queue_url: str | None = None  # redis://host:port/db: renders run by `voiceover worker`s
    storage_url: str | None = None  # s3://bucket[/prefix]: media in an S3-compatible store
    s3_endpoint_url: str | None = None  # e.g. http://127.0.0.1:8333 (unset: AWS itself)
    aws_access_key_id: SecretStr | None = None
    aws_secret_access_key: SecretStr | None = None
    aws_region: str = "us-east-1"
    job_lease_s: int = Field(60, ge=2, le=3600)  # a silent worker's job runs again after this
    worker_stop_grace_s: float = Field(60, ge=0)  # SIGTERM: finish within this, else hand back
    s3_link_ttl_s: int = Field(3600, ge=60, le=7 * 24 * 3600)  # presigned result links

    # Delivery links.
    public_base_url: str = "http://127.0.0.1:8088"  # unset: http://HTTP_HOST:HTTP_PORT
    http_host: str = "127.0.0.1"
    http_port: int = Field(8088, ge=0, le=65535)
    link_secret: SecretStr | None = None
    link_ttl_hours: float = Field(24, gt=0)

    # The HTTP API (/api/v1 on the link server; README "The HTTP API").
    api_rate_per_minute: int = Field(120, ge=1)  # requests per key (429 with Retry-After past it)
    api_max_queued_jobs: int = Field(100, ge=1)  # an owner's API jobs waiting (own budget)
    api_cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)  # none: off
    allow_private_callbacks: bool = False  # webhooks to loopback/private addresses (tests)
    allow_private_urls: bool = False  # media links on loopback/private addresses (tests)

    # NemoVideo cloud backend.
    nemo_token: SecretStr | None = None
    nemo_api_url: str = "https://mega-api-prod.nemovideo.ai"
    nemo_web_url: str = "https://nemovideo.com"
    nemo_poll_interval_s: float = Field(30, gt=0)
    nemo_skill_version: str = "1.0.0"

    # Telegram.
    telegram_bot_token: SecretStr | None = None
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_base_file_url: str = "https://api.telegram.org/file/bot"
    telegram_local_mode: bool = False
    telegram_download_limit: int = Field(20 * MB, gt=0)
    telegram_upload_limit: int = Field(50 * MB, gt=0)
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    telegram_webhook_listen: str = "0.0.0.0"  # noqa: S104 - a webhook must listen publicly
    telegram_webhook_port: int = Field(8443, ge=1, le=65535)

    # Discord.
    discord_bot_token: SecretStr | None = None
    discord_guild_id: int | None = None
    discord_api_base_url: str = "https://discord.com/api/v10"
    discord_gateway_url: str | None = None

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in LEVELS:
            raise ValueError(f"must be one of {', '.join(LEVELS)} (got {value!r})")
        return level

    @field_validator("queue_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value is not None and not QUEUE_URL.match(value.strip()):
            raise ValueError("must look like redis://host:6379/0 (or rediss://, or unset it)")
        return value.strip() if value else None

    @field_validator("storage_url")
    @classmethod
    def _s3_url(cls, value: str | None) -> str | None:
        if value is not None and not STORAGE_URL.match(value.strip()):
            raise ValueError("must look like s3://bucket or s3://bucket/prefix (or unset it)")
        return value.strip().rstrip("/") if value else None

    @field_validator("s3_endpoint_url")
    @classmethod
    def _endpoint(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("admin_users", "api_cors_origins", mode="before")
    @classmethod
    def _split_admins(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @model_validator(mode="after")
    def _defaults_from_others(self) -> Settings:
        if self.voices_dir is None:
            self.voices_dir = self.data_dir / "voices"
        if "public_base_url" not in self.model_fields_set:  # links point where we listen
            host = "127.0.0.1" if self.http_host in ("", "0.0.0.0", "::") else self.http_host
            host = f"[{host}]" if ":" in host else host
            self.public_base_url = f"http://{host}:{self.http_port}"
        return self

    @property
    def voices_path(self) -> Path:
        """Where installed voices live (VOICES_DIR, by default DATA_DIR/voices)."""
        return self.voices_dir if self.voices_dir is not None else self.data_dir / "voices"

    @property
    def models_path(self) -> Path:
        """Where installed speech recognition models live (DATA_DIR/models)."""
        return self.data_dir / "models"

    @property
    def cores(self) -> int:
        """CPU cores available to this process."""
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 2

    @property
    def job_slots(self) -> int:
        """How many jobs may run at once."""
        return self.max_concurrent_jobs or self.cores

    @property
    def tts_threads(self) -> int:
        """How many sentences are synthesised at once."""
        return self.tts_workers or self.cores
