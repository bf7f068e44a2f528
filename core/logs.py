"""Process logging: the level from LOG_LEVEL; per-request HTTP client lines only at DEBUG."""

from __future__ import annotations

import logging

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
FORMAT = "%(levelname)s %(name)s: %(message)s"
REQUEST_LOGGERS = ("httpx", "httpcore")
"""Loggers that write a line per HTTP request (PTB's long polling: one every 30 s)."""


def configure_logging(level: str) -> None:
    """Log to stderr at `level` (one of LEVELS); request lines stay quiet unless DEBUG."""
    logging.basicConfig(format=FORMAT)
    logging.getLogger().setLevel(level.upper())
    quiet_request_logs(level)


def quiet_request_logs(level: str) -> None:
    """Per-request lines of the HTTP clients (they carry bot-token URLs) only at DEBUG."""
    quiet = level.upper() != "DEBUG"
    for name in REQUEST_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING if quiet else logging.NOTSET)
