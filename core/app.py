"""Process entry points: `voiceover serve` (bots, or the console chat) and `voiceover chat`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from core.config import Settings
from core.engine.lexicon import operator_lexicon
from core.errors import VoiceoverError
from core.jobs import health
from core.service import Service

log = logging.getLogger(__name__)
EXIT_CONFIG = 2
BotRun = Callable[[Settings, Service, asyncio.Event], Awaitable[None]]


class ConfigurationError(Exception):
    """A setting that keeps the service from starting (printed without a traceback)."""


def check_settings(settings: Settings) -> list[str]:
    """Problems in the settings that pydantic's field checks can't see."""
    problems = []
    for admin in settings.admin_users:
        if ":" not in admin:
            problems.append(f"ADMIN_USERS: '{admin}' should look like telegram:12345")
    if not settings.public_base_url.startswith(("http://", "https://")):
        problems.append("PUBLIC_BASE_URL must start with http:// or https://")
    secret = settings.link_secret.get_secret_value() if settings.link_secret else None
    if secret is not None and len(secret) < 16:
        problems.append("LINK_SECRET must be at least 16 characters (or unset it)")
    try:
        operator_lexicon(settings)
    except VoiceoverError as err:
        problems.append(f"LEXICON_FILE: {err.message('en')}")
    if (settings.aws_access_key_id is None) != (settings.aws_secret_access_key is None):
        problems.append("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY go together (set both)")
    if settings.queue_url and not settings.storage_url:
        problems.append("QUEUE_URL needs STORAGE_URL (s3://bucket): workers read the media there")
    return problems


async def start_service(settings: Settings) -> Service:
    """A started Service, or ConfigurationError with a clear reason."""
    problems = check_settings(settings)
    if problems:
        raise ConfigurationError("; ".join(problems))
    service = Service(settings)
    unreachable = await service.problems()
    if unreachable:
        await _quietly(service.stop())
        raise ConfigurationError("; ".join(unreachable))
    try:
        await service.start()  # stops what did start when a part fails
    except OSError as exc:
        where = f"{settings.http_host}:{settings.http_port} or {settings.data_dir}"
        raise ConfigurationError(f"can't start ({exc.strerror or exc}); check {where}") from exc
    return service


async def _quietly(work: Awaitable[None]) -> None:
    with contextlib.suppress(Exception):
        await work


def _bots(settings: Settings) -> list[BotRun]:
    bots: list[BotRun] = []
    if settings.telegram_bot_token is not None:
        from bots.telegram.bot import run as run_telegram

        bots.append(run_telegram)
    if settings.discord_bot_token is not None:
        from bots.discord.bot import run as run_discord

        bots.append(run_discord)
    return bots


async def _serve(settings: Settings, bots: list[BotRun]) -> None:
    service = await start_service(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await asyncio.gather(*(bot(settings, service, stop) for bot in bots))
    finally:
        await service.stop()


async def _chat(settings: Settings) -> None:
    from bots.console import run_console, stdin_lines

    service = await start_service(settings)
    try:
        interactive = sys.stdin.isatty()
        if interactive:
            print("Voiceover chat. Send a video path with your script, or /help. Ctrl-D quits.")
        await run_console(service, stdin_lines(prompt=interactive))
    finally:
        await service.stop()


def _run(main: Coroutine[Any, Any, None]) -> int:
    try:
        asyncio.run(main)
    except ConfigurationError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 130
    return 0


def serve_main(settings: Settings) -> int:
    """Start the service and every bot whose token is set; with no token, the console chat."""
    bots = _bots(settings)
    if not bots:
        return chat_main(settings)
    return _run(_serve(settings, bots))


async def _work(settings: Settings) -> None:
    if settings.queue_url is None:
        raise ConfigurationError(
            "voiceover worker needs QUEUE_URL (e.g. redis://127.0.0.1:6379/0)"
        )
    problems = check_settings(settings)
    if problems:
        raise ConfigurationError("; ".join(problems))
    from core.worker import RenderWorker

    try:
        worker = RenderWorker(settings)
    except Exception as exc:  # the reason, never a URL or a credential
        raise ConfigurationError(f"can't start the worker ({type(exc).__name__})") from None
    unreachable = await health.problems(worker.jobs, worker.media)
    if unreachable:
        await worker.jobs.close()
        raise ConfigurationError("; ".join(unreachable))
    await worker.run()


def worker_main(settings: Settings) -> int:
    """Render jobs from the Redis queue until SIGTERM (no chat, no bot tokens)."""
    return _run(_work(settings))


def chat_main(settings: Settings) -> int:
    """The console chat."""
    return _run(_chat(settings))
