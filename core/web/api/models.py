"""The API's data (pydantic): the form fields a job takes, and every answer. The same models
validate requests and make the OpenAPI document (core/web/api/openapi.py)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from core.engine.model import Aspect, Captions, Fit, MixMode

CURSOR = r"^[0-9]{1,12}(\.[0-9]{1,9})?_[0-9a-f]{32}$"  # the last job shown: created_id
State = Literal["queued", "running", "done", "failed", "cancelled"]
FILE_FIELDS: dict[str, str] = {  # multipart file parts → the role the chat's intake gives them
    "media": "video",
    "script": "script",
    "music": "music",
}


class JobFields(BaseModel):
    """The text fields of POST /api/v1/jobs (files: media, script, music)."""

    model_config = ConfigDict(extra="forbid", use_enum_values=True)

    media_url: str | None = Field(
        None, max_length=2048, pattern=r"^https?://\S+$", description="A public http(s) link"
    )
    text: str | None = Field(None, max_length=200_000, description="The script as text")
    voice: str | None = Field(None, pattern=r"^[A-Za-z0-9_-]{1,80}$")
    language: str | None = Field(None, pattern=r"^[A-Za-z][A-Za-z_-]{1,30}$")
    gender: Literal["male", "female"] | None = None
    speed: float | None = Field(None, ge=0.5, le=2.0)
    captions: Captions | None = None
    aspect: Aspect | None = None
    fit: Fit | None = None
    mix: MixMode | None = None
    music_volume: float | None = Field(None, ge=0.0, le=1.0)
    sync: Literal["auto", "shots", "none"] | None = Field(
        None, description="Lay the paragraphs on the video's shots (auto: when they match)"
    )
    hold: Literal["freeze", "slow"] | None = Field(
        None, description="How a shot waits for a paragraph longer than it"
    )
    overrun: Literal["extend", "speedup"] | None = Field(
        None, description="Narration longer than the video: extend the video or speed up"
    )
    callback_url: str | None = Field(
        None,
        max_length=2048,
        pattern=r"^https?://\S+$",
        description="Gets one signed POST with the job's JSON when the job ends",
    )


class JobResult(BaseModel):
    """A done job's video."""

    url: str = Field(description="A signed link to the MP4 (it expires)")
    duration_s: float
    width: int
    height: int
    size_bytes: int
    voices: list[str]


class JobError(BaseModel):
    """Why a job failed."""

    code: int
    message: str


class JobOut(BaseModel):
    """One job."""

    id: str = Field(pattern=r"^[0-9a-f]{32}$")
    state: State
    progress: float = Field(ge=0.0, le=1.0)
    position: int | None = Field(None, description="1 + the jobs ahead, while queued")
    created: float = Field(description="Unix seconds")
    result: JobResult | None = None
    error: JobError | None = None


class JobList(BaseModel):
    """A page of the key owner's jobs (made in the chats too), newest first."""

    jobs: list[JobOut]
    next_cursor: str | None = None


class JobQuery(BaseModel):
    """The query of GET /api/v1/jobs."""

    model_config = ConfigDict(extra="ignore")

    state: State | None = None
    limit: int = Field(20, ge=1, le=100)
    cursor: str | None = Field(
        None, pattern=CURSOR, description="next_cursor of the page before (an opaque mark)"
    )


class CreditsOut(BaseModel):
    """The key owner's credits (shared with their chats)."""

    unlimited: bool
    available: int
    frozen: int
    total: int


class VoiceOut(BaseModel):
    """One installed voice."""

    id: str
    language: str
    name: str
    quality: str
    gender: str | None = None


class VoiceList(BaseModel):
    """The installed voices."""

    voices: list[VoiceOut]


class Problem(BaseModel):
    """An error (RFC 9457 application/problem+json) in the language of the account."""

    type: str
    title: str
    status: int = Field(ge=400, le=599)
    detail: str
    code: int = Field(description="Our error code (the same table as the chats')")
