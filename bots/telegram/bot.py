"""The Telegram bot: a thin adapter from PTB updates to the core Service, and back."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from telegram import BotCommand, Update
from telegram.error import NetworkError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bots.reconnect import keep_trying, until_stopped
from bots.telegram.answers import handle_answer
from bots.telegram.chat import TelegramChat
from bots.telegram.incoming import (
    addressed,
    message_files,
    oversized,
    to_incoming,
    upload_instead,
)
from bots.telegram.journal import forget, hand_in_again, journal_polling, track
from core.chat.commands import telegram_menu
from core.chat.inbox import Inbox
from core.clock import Clock
from core.config import Settings
from core.errors import ErrorCode
from core.logs import quiet_request_logs
from core.ports import Chat, ChatFactory
from core.words.errors import message_for

if TYPE_CHECKING:
    from core.service import Service

log = logging.getLogger(__name__)

PLATFORM = "telegram"
ALLOWED_UPDATES = ["message", "callback_query"]
MEDIA_WRITE_TIMEOUT_S = 600.0
POLL_TIMEOUT_S = 30
RATE_LIMIT_RETRIES = 3
WATCHED_LOGGERS = ("httpx", "httpcore", "telegram", "bots", "core", "")


class TokenRedactor(logging.Filter):
    """Replaces the bot token in log records (PTB puts it in every URL) with a marker."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self._token = token
        self._forms = sorted({token, quote(token, safe="")} - {""}, key=len, reverse=True)

    def _clean(self, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        for form in self._forms:
            value = value.replace(form, "<token>")
        return value

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the message, its arguments and any traceback; never drops a record."""
        if not self._token:
            return True
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = f"{record.msg} {record.args}"
        record.msg, record.args = self._clean(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.exc_text = self._clean(record.exc_text)
        record.stack_info = self._clean(record.stack_info)
        return True


def install_redaction(token: str) -> TokenRedactor:
    """Attach a redactor to every existing logger under our, PTB's and httpx's names."""
    redactor = TokenRedactor(token)
    names = [n for n in logging.root.manager.loggerDict if n.split(".")[0] in WATCHED_LOGGERS]
    loggers = [logging.getLogger(n) for n in (*WATCHED_LOGGERS, *names)]
    for filterer in [*loggers, *logging.root.handlers]:
        if not any(isinstance(f, TokenRedactor) and f._token == token for f in filterer.filters):
            filterer.addFilter(redactor)
    return redactor


def chat_factory(
    application: Application, settings: Settings, ready: asyncio.Event
) -> ChatFactory:
    """Rebuilds a chat from a stored job (after a restart); waits until the bot is up."""

    def factory(chat_id: str, reply_context: Mapping[str, str]) -> Chat:
        return TelegramChat(
            application.bot,
            int(chat_id),
            settings.telegram_upload_limit,
            reply_context,
            ready=ready,
            local_mode=settings.telegram_local_mode,
        )

    return factory


def build_application(settings: Settings, service: Service) -> Application:
    """The PTB Application: base URLs, rate limiter, concurrent updates, handlers."""
    assert settings.telegram_bot_token is not None
    application = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_base_url)
        .base_file_url(settings.telegram_base_file_url)
        .local_mode(settings.telegram_local_mode)
        .rate_limiter(AIORateLimiter(max_retries=RATE_LIMIT_RETRIES))
        .concurrent_updates(True)
        .media_write_timeout(MEDIA_WRITE_TIMEOUT_S)
        .get_updates_read_timeout(POLL_TIMEOUT_S + 10)
        .build()
    )
    ready = asyncio.Event()
    application.bot_data["ready"] = ready
    application.bot_data["inbox"] = inbox = Inbox(service.store)
    application.bot_data["factory"] = chat_factory(application, settings, ready)

    async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        track(application, update, handle_message(update, context, settings, service))

    async def on_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            await handle_answer(update, context, service)
        finally:
            await forget(inbox, update.update_id)

    application.add_handler(MessageHandler(filters.UpdateType.MESSAGE, on_message))
    application.add_handler(CallbackQueryHandler(on_answer))
    application.add_error_handler(on_error)
    return application


def handle_message(
    update: Update, context: ContextTypes.DEFAULT_TYPE, settings: Settings, service: Service
) -> Awaitable[None] | None:
    """One new message: ignore what isn't for the bot (None), refuse files Telegram won't give
    us; returns what ends when the message was handled."""
    message = update.message
    if message is None or message.from_user is None or message.from_user.is_bot:
        return None
    bot = context.bot
    said = addressed(message, bot.id, bot.username)
    if said is None:
        return None
    factory: ChatFactory = context.bot_data["factory"]
    incoming = to_incoming(message, said, bot, settings.telegram_download_limit)
    chat = factory(incoming.chat_id, incoming.reply_context)
    too_big = oversized(message_files(message), settings.telegram_download_limit)
    if too_big is not None:  # Telegram won't give it to us: a personal upload link instead
        incoming = upload_instead(incoming, too_big, settings.telegram_download_limit)
    # Into the user's lane, not awaited here: PTB runs a bounded number of updates at once, and
    # a flooder's messages waiting in their lane must not hold those places while another
    # user's /credits waits behind them (the service's flood limits bound each lane instead).
    return service.accept(incoming, chat)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Last resort: log with the traceback (token redacted), tell the user in one line."""
    log.error("unhandled error in the Telegram bot", exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    sender = update.effective_user
    language = (sender.language_code if sender else None) or "en"
    try:
        await context.bot.send_message(
            update.effective_chat.id, message_for(ErrorCode.INTERNAL, language)
        )
    except Exception:  # noqa: BLE001 - the user can't be told; it is logged above
        log.warning("could not tell the user about the error", exc_info=True)


async def register_commands(application: Application) -> None:
    """The command menu, in English (default) and Chinese."""
    for language in ("en", "zh"):
        menu = telegram_menu(language)
        commands = [BotCommand(name, description) for name, description in menu.items()]
        try:
            await application.bot.set_my_commands(
                commands, language_code=None if language == "en" else language
            )
        except Exception:  # noqa: BLE001 - a missing menu must not stop the bot
            log.warning("set_my_commands(%s) failed", language, exc_info=True)


async def start_updates(application: Application, settings: Settings) -> None:
    """Long polling by default; a webhook (secret-token header checked) when configured."""
    updater = application.updater
    assert updater is not None
    url = settings.telegram_webhook_url
    if not url:
        journal_polling(application, application.bot_data["inbox"])
        await hand_in_again(application, application.bot_data["inbox"])
        await updater.start_polling(
            allowed_updates=ALLOWED_UPDATES,
            timeout=timedelta(seconds=POLL_TIMEOUT_S),
            poll_interval=0.0,
        )
        return
    secret = settings.telegram_webhook_secret
    secret_token = secret.get_secret_value() if secret else secrets.token_urlsafe(32)
    await updater.start_webhook(
        listen=settings.telegram_webhook_listen,
        port=settings.telegram_webhook_port,
        url_path=urlsplit(url).path.lstrip("/"),
        webhook_url=url,
        secret_token=secret_token,
        allowed_updates=ALLOWED_UPDATES,
    )


async def run(
    settings: Settings, service: Service, stop: asyncio.Event, *, clock: Clock | None = None
) -> None:
    """Run the bot until `stop` is set; while the Bot API is unreachable, retry with a backoff
    (waits on `clock`). Results of jobs from before a restart still arrive."""
    assert settings.telegram_bot_token is not None, "TELEGRAM_BOT_TOKEN is not set"
    install_redaction(settings.telegram_bot_token.get_secret_value())
    quiet_request_logs(settings.log_level)  # httpx: a line per poll, with the token's URL
    application = build_application(settings, service)
    service.register_platform(PLATFORM, application.bot_data["factory"])
    try:
        await keep_trying(
            "Telegram",
            lambda: serve_once(application, settings, stop),
            stop,
            retry_on=(NetworkError,),
            clock=clock,
        )
    finally:
        await application.bot.shutdown()  # after failed attempts its HTTP clients are open


async def serve_once(application: Application, settings: Settings, stop: asyncio.Event) -> None:
    """Connect (getMe), then take updates until `stop` is set; NetworkError if unreachable."""
    if not await until_stopped(application.initialize(), stop):
        return
    try:
        application.bot_data["ready"].set()
        await register_commands(application)
        await application.start()
        await start_updates(application, settings)
        log.info("Telegram bot @%s is running", application.bot.username)
        await stop.wait()
    finally:
        if application.updater and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()  # hands the updates already fetched to handle_message
        pending = list(application.bot_data.get("pending", ()))
        await asyncio.gather(*pending, return_exceptions=True)  # … and each is handled
        # From here on, chats of jobs still running wait (instead of failing) until the
        # service stops them; they resume, and deliver, after the next start.
        application.bot_data["ready"].clear()
        await application.shutdown()
