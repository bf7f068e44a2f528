"""POST /api/v1/transcriptions: what a media file says, answered in the response (free, like the
chats' "transcribe"; no job and no credits, nothing kept): JSON segments and words with times,
or SRT, WebVTT or plain text, chosen by the `format` field, else by Accept.

It answers at once rather than as a job: the default model transcribes a 2-minute clip in
seconds, and a transcript is not a render the queue should wait behind. One transcription
runs at a time per process (the recogniser is shared); the others wait their turn."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from core.config import Settings
from core.engine.leftovers import work_dir
from core.engine.transcribe import transcribe_file
from core.engine.transcript_formats import transcript_json
from core.errors import ErrorCode, VoiceoverError
from core.media.store import MediaStore
from core.web.api.guard import LANGUAGE, PREFIX
from core.web.api.intake import declared_too_large, expect_continue, read_form
from core.web.api.models import (
    TRANSCRIPTION_FILES,
    TranscriptFormat,
    TranscriptionFields,
    TranscriptionOut,
)
from core.web.api.problems import problem

PATH = f"{PREFIX}/transcriptions"
CONTENT_TYPES: dict[str, str] = {  # each format's media type, as the OpenAPI document says
    "json": "application/json",
    "srt": "application/x-subrip",
    "vtt": "text/vtt",
    "txt": "text/plain",
}
ACCEPTED: dict[str, TranscriptFormat] = {
    "application/x-subrip": "srt",
    "text/srt": "srt",
    "text/vtt": "vtt",
    "text/plain": "txt",
    "application/json": "json",
}


def format_for(accept: str) -> TranscriptFormat:
    """The format an Accept header asks for first (json when it names none of ours)."""
    for item in accept.split(","):
        kind = item.split(";", 1)[0].strip().lower()
        if kind in ACCEPTED:
            return ACCEPTED[kind]
    return "json"


def _transcribed(path: Path, settings: Settings, kind: str, language: str | None) -> str:
    """The file's transcript as the body of the answer."""
    with work_dir() as tmp:
        out = Path(tmp) / f"transcript.{kind}"
        transcript = transcribe_file(path, settings, out if kind != "json" else None, language)
        if kind == "json":
            return TranscriptionOut.model_validate(transcript_json(transcript)).model_dump_json()
        return out.read_text(encoding="utf-8")


@dataclass
class Transcriptions:
    """The handler, with the settings and the media store's staging folder."""

    settings: Settings
    media: MediaStore
    _turn: asyncio.Lock = field(default_factory=asyncio.Lock)

    def routes(self) -> list[web.RouteDef]:
        """POST /api/v1/transcriptions."""
        return [web.post(PATH, self.create, expect_handler=self.expect)]

    async def expect(self, request: web.Request) -> web.StreamResponse | None:
        """'Expect: 100-continue': refuse an oversized body before it is sent."""
        err = await expect_continue(request, self.settings.max_upload_bytes)
        return problem(err, "en") if err is not None else None

    async def create(self, request: web.Request) -> web.StreamResponse:
        """POST /transcriptions: a media file (multipart `media`) → its transcript (200)."""
        language = request[LANGUAGE]
        limit = self.settings.max_upload_bytes
        too_big = declared_too_large(request, limit)
        if too_big is not None:
            return problem(too_big, language)
        names = (TranscriptionFields.model_fields, TRANSCRIPTION_FILES)
        texts, files = await read_form(request, self.media.staging(), limit, names)
        try:
            fields = TranscriptionFields.model_validate(texts)
            if "media" not in files:
                reason = "send media: the audio or video file to transcribe"
                raise VoiceoverError(ErrorCode.REQUEST_INVALID, reason=reason)
            kind = fields.format or format_for(request.headers.get("Accept", ""))
            async with self._turn:
                body = await asyncio.to_thread(
                    _transcribed, files["media"].path, self.settings, kind, fields.language
                )
        finally:
            for staged in files.values():
                staged.path.unlink(missing_ok=True)
        return web.Response(text=body, content_type=CONTENT_TYPES[kind], charset="utf-8")


def transcription_paths(form: dict[str, object], errors: dict[str, object]) -> dict[str, object]:
    """The operation in the OpenAPI document: its form, its four answers, its errors."""
    string = {"schema": {"type": "string"}}
    return {
        PATH: {
            "post": {
                "operationId": "createTranscription",
                "summary": "What a media file says: segments and words with times, or SRT, "
                "WebVTT or text (format field, else Accept). Free; answered at once.",
                "requestBody": {
                    "required": True,
                    "content": {"multipart/form-data": {"schema": form}},
                },
                "responses": {
                    "200": {
                        "description": "The transcript",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/TranscriptionOut"}
                            },
                            **{CONTENT_TYPES[k]: string for k in ("srt", "vtt", "txt")},
                        },
                    },
                    **errors,
                },
            }
        }
    }
