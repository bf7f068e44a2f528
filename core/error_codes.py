"""The error codes: the NemoVideo API's plus our own engine and chat codes (their texts are in
core/words/errors.py)."""

from __future__ import annotations

from enum import IntEnum


class ErrorCode(IntEnum):
    """Codes: the NemoVideo API's plus our own engine and chat codes."""

    OK = 0
    TOKEN_INVALID = 1001
    SESSION_NOT_FOUND = 1002
    NO_CREDITS = 2001
    UNSUPPORTED_FILE = 4001
    FILE_TOO_LARGE = 4002
    BAD_REQUEST = 400
    PLAN_BLOCKED = 402
    RATE_LIMITED = 429
    # Our own: scripts and options.
    EMPTY_SCRIPT = 4101
    SCRIPT_TOO_LONG = 4102
    BAD_SCRIPT = 4103
    NO_VOICE_FOR_LANGUAGE = 4104
    UNKNOWN_VOICE = 4105
    BAD_OPTION = 4106
    NOTHING_TO_RENDER = 4107
    WORD_TOO_LONG = 4108
    CUE_TOO_LATE = 4109
    SPEECH_TOO_LONG = 4110
    VOICE_NOT_IN_CATALOG = 4111
    VOICE_INSTALL_FAILED = 4112
    VOICE_NOT_INSTALLED = 4113
    SPEAKER_VOICE = 4114
    BAD_LEXICON = 4120
    LEXICON_FULL = 4121
    # Our own: media.
    CORRUPT_MEDIA = 4201
    NO_VIDEO_STREAM = 4202
    MEDIA_TOO_LONG = 4203
    TOO_MANY_PIXELS = 4204
    FPS_TOO_HIGH = 4205
    TOO_MANY_STREAMS = 4206
    UNSUPPORTED_CODEC = 4207
    NO_AUDIO_STREAM = 4208
    DOWNLOAD_FAILED = 4209
    URL_NOT_ALLOWED = 4210
    # Our own: chat and service.
    JOB_RUNNING = 4301
    NO_PROJECT = 4302
    NOTHING_TO_CANCEL = 4303
    LINK_INVALID = 4304
    LINK_EXPIRED = 4305
    NOT_ALLOWED = 4306
    SLOW_DOWN = 4307
    TOO_MANY_QUEUED = 4308
    # Our own: the HTTP API (core/web/api/).
    API_KEY_INVALID = 4401
    JOB_NOT_FOUND = 4402
    REQUEST_INVALID = 4403
    REQUEST_IN_PROGRESS = 4404
    TOO_MANY_REQUESTS = 4405
    CALLBACK_NOT_ALLOWED = 4406
    # Failures on our side or the backend's.
    TIMEOUT = 5001
    RENDER_FAILED = 5002
    BACKEND_UNAVAILABLE = 5003
    STREAM_LOST = 5004
    GAVE_UP = 5005
    DISK_FULL = 5006
    INTAKE_INTERRUPTED = 5007
    INTERNAL = 5000
