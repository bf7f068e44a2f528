"""A loopback fake of the Telegram Bot API (aiohttp), enough for the real PTB Application."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web
from pydantic import SecretStr

from core.config import Settings
from tests.loopback import serve_loopback

TOKEN = "123456:TEST-token-that-must-never-be-logged"
BOT_ID = 123456
BOT_USERNAME = "voiceover_test_bot"
MAX_REQUEST_BYTES = 200 * 1024 * 1024
JSON_FIELDS = ("reply_parameters", "commands", "scope", "allowed_updates", "reply_markup")


@dataclass
class Call:
    """One request the bot made: method, decoded parameters, uploaded files' bytes, when."""

    method: str
    params: dict[str, Any]
    files: dict[str, bytes]
    at: float


@dataclass
class FakeFile:
    """A file the fake serves through getFile and /file/bot<token>/<path>."""

    data: bytes
    size: int
    path: str


@dataclass
class FakeTelegram:
    """The fake server's state; start() binds 127.0.0.1 on a free port."""

    updates: list[dict[str, Any]] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    files: dict[str, FakeFile] = field(default_factory=dict)
    downloads: list[str] = field(default_factory=list)
    texts: dict[tuple[int, int], str] = field(default_factory=dict)
    failures: dict[str, list[tuple[int, str, int | None]]] = field(default_factory=dict)
    url: str = ""
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _update_ids: itertools.count = field(default_factory=lambda: itertools.count(1000))
    _new_update: asyncio.Event = field(default_factory=asyncio.Event)
    _activity: asyncio.Event = field(default_factory=asyncio.Event)
    _runner: web.AppRunner | None = None

    async def start(self, port: int = 0) -> str:
        """Serve on 127.0.0.1 (port 0: a free one); returns the base URL (http://127.0.0.1:PORT)."""
        app = web.Application(client_max_size=MAX_REQUEST_BYTES)
        app.router.add_post("/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.*}", self._file)
        self._runner = web.AppRunner(app, access_log=None)
        self.url = f"http://127.0.0.1:{await serve_loopback(self._runner, port)}"
        return self.url

    async def stop(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()

    # Test controls.
    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update (an update_id is assigned unless present); returns it."""
        update.setdefault("update_id", next(self._update_ids))
        self.updates.append(update)
        self._new_update.set()
        return update

    def add_file(
        self,
        data: bytes,
        *,
        size: int | None = None,
        name: str = "f.bin",
        local: Path | None = None,
    ) -> str:
        """Store a file; `size` may claim more than the data (a big file); with `local` (a
        folder), getFile answers an absolute path there, as a local Bot API server does."""
        file_id = f"file{next(self._ids)}"
        path = f"docs/{name}"
        if local is not None:
            (local / name).write_bytes(data)
            path = str(local / name)
        self.files[file_id] = FakeFile(data, len(data) if size is None else size, path)
        return file_id

    def fail_next(
        self, method: str, code: int, description: str, retry_after: int | None = None
    ) -> None:
        """Make the next call of `method` fail with this error (e.g. 429, retry_after)."""
        self.failures.setdefault(method, []).append((code, description, retry_after))

    def called(self, method: str) -> list[Call]:
        """The calls of one method, in order."""
        return [c for c in self.calls if c.method == method]

    async def wait_until(self, predicate: Callable[[], bool], within_s: float = 60.0) -> None:
        """Wait until predicate() holds, re-checking after every request the bot makes."""
        try:
            async with asyncio.timeout(within_s):
                while not predicate():
                    self._activity.clear()
                    await self._activity.wait()
        except TimeoutError:
            seen = [c.method for c in self.calls if c.method != "getUpdates"]
            raise AssertionError(f"not seen within {within_s}s; calls: {seen}") from None

    async def wait_for(self, method: str, count: int = 1, within_s: float = 60.0) -> list[Call]:
        """Wait until `method` was called `count` times; returns those calls."""
        await self.wait_until(lambda: len(self.called(method)) >= count, within_s)
        return self.called(method)

    # The API.
    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != TOKEN:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        params, files = await _read_params(request)
        self.calls.append(Call(method, params, files, time.monotonic()))
        self._activity.set()
        if self.failures.get(method):
            code, description, retry_after = self.failures[method].pop(0)
            return _error(code, description, retry_after)
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return _error(404, "Not Found: method not found")
        result = await handler(params)
        if isinstance(result, web.Response):
            return result
        return web.json_response({"ok": True, "result": result})

    async def _file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != TOKEN:
            return web.Response(status=401)
        path = request.match_info["path"]
        self.downloads.append(path)
        for stored in self.files.values():
            if stored.path == path:
                return web.Response(body=stored.data)
        return web.Response(status=404)

    async def _m_getMe(self, params: dict[str, Any]) -> Any:
        return {"id": BOT_ID, "is_bot": True, "first_name": "Voiceover", "username": BOT_USERNAME}

    async def _m_deleteWebhook(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_setWebhook(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_setMyCommands(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_sendChatAction(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_getUpdates(self, params: dict[str, Any]) -> Any:
        offset = int(params.get("offset") or 0)
        self.updates = [u for u in self.updates if u["update_id"] >= offset]
        if not self.updates:
            self._new_update.clear()
            wait = min(float(params.get("timeout") or 0), 0.5)
            try:
                await asyncio.wait_for(self._new_update.wait(), wait)
            except TimeoutError:
                return []
        return list(self.updates)

    async def _m_getFile(self, params: dict[str, Any]) -> Any:
        stored = self.files.get(str(params.get("file_id")))
        if stored is None:
            return _error(400, "Bad Request: invalid file_id")
        if stored.size > 20 * 1024 * 1024 and not stored.path.startswith("/"):
            return _error(400, "Bad Request: file is too big")
        file_id = str(params["file_id"])
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_size": stored.size,
            "file_path": stored.path,
        }

    async def _m_sendMessage(self, params: dict[str, Any]) -> Any:
        return self._message(params, text=str(params["text"]))

    async def _m_editMessageText(self, params: dict[str, Any]) -> Any:
        key = (int(params["chat_id"]), int(params["message_id"]))
        if self.texts.get(key) == params["text"]:
            return _error(
                400,
                "Bad Request: message is not modified: specified new message "
                "content and reply markup are exactly the same",
            )
        self.texts[key] = str(params["text"])
        return {**self._message(params, text=str(params["text"])), "message_id": key[1]}

    async def _m_answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        key = (int(params["chat_id"]), int(params["message_id"]))
        return {**self._message(params, text=self.texts.get(key, "")), "message_id": key[1]}

    async def _m_sendVideo(self, params: dict[str, Any]) -> Any:
        video = {
            "file_id": f"v{next(self._ids)}",
            "file_unique_id": "uv",
            "width": 1,
            "height": 1,
            "duration": 1,
        }
        return {**self._message(params, text=None), "video": video}

    async def _m_sendVoice(self, params: dict[str, Any]) -> Any:
        voice = {
            "file_id": f"vn{next(self._ids)}",
            "file_unique_id": "uvn",
            "duration": int(params.get("duration") or 0),
            "mime_type": "audio/ogg",
        }
        message = self._message(params, text=None)
        if params.get("caption"):
            message["caption"] = str(params["caption"])
        return {**message, "voice": voice}

    async def _m_sendPhoto(self, params: dict[str, Any]) -> Any:
        size = {"file_id": f"p{next(self._ids)}", "file_unique_id": "up", "width": 1, "height": 1}
        return {**self._message(params, text=None), "photo": [size]}

    async def _m_sendDocument(self, params: dict[str, Any]) -> Any:
        document = {"file_id": f"d{next(self._ids)}", "file_unique_id": "ud"}
        return {**self._message(params, text=None), "document": document}

    def _message(self, params: dict[str, Any], text: str | None) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        message_id = next(self._ids)
        if text is not None:
            self.texts[(chat_id, message_id)] = text
        chat_type = "private" if chat_id > 0 else "supergroup"
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": chat_type},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "V"},
        }
        if text is not None:
            message["text"] = text
        return message


def _error(code: int, description: str, retry_after: int | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return web.json_response(body, status=code)


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Form or multipart parameters; JSON-valued fields decoded; uploads as bytes."""
    form = await request.post()
    params: dict[str, Any] = {}
    files: dict[str, bytes] = {}
    for key, value in form.items():
        if isinstance(value, web.FileField):
            files[key] = value.file.read()
        elif key in JSON_FIELDS:
            params[key] = json.loads(str(value))
        else:
            params[key] = value if isinstance(value, str) else str(value)
    return params, files


# Updates, as Telegram sends them.
_message_ids = itertools.count(1)


def user(user_id: int = 42, language: str = "en") -> dict[str, Any]:
    """A Telegram user object."""
    return {
        "id": user_id,
        "is_bot": False,
        "first_name": f"User{user_id}",
        "language_code": language,
    }


def message_update(
    *,
    chat_id: int = 42,
    user_id: int = 42,
    text: str | None = None,
    caption: str | None = None,
    language: str = "en",
    reply_to_bot: bool = False,
    **media: Any,
) -> dict[str, Any]:
    """A message update; `media` adds e.g. video={...}; commands and mentions get entities."""
    chat_type = "private" if chat_id > 0 else "supergroup"
    message: dict[str, Any] = {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": {"id": chat_id, "type": chat_type},
        "from": user(user_id, language),
        **media,
    }
    for key, body in (("text", text), ("caption", caption)):
        if body is not None:
            message[key] = body
            entities = _entities(body)
            if entities:
                message["entities" if key == "text" else "caption_entities"] = entities
    if reply_to_bot:
        message["reply_to_message"] = {
            "message_id": 1,
            "date": int(time.time()),
            "chat": message["chat"],
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "V"},
        }
    return {"message": message}


def press_update(
    message: dict[str, Any], data: str, *, user_id: int = 42, language: str = "en"
) -> dict[str, Any]:
    """A callback query: the user pressed the inline button carrying `data` under `message`
    (a sendMessage the bot made, as the fake answered it)."""
    return {
        "callback_query": {
            "id": str(next(_message_ids)),
            "from": user(user_id, language),
            "message": message,
            "chat_instance": "1",
            "data": data,
        }
    }


def _entities(body: str) -> list[dict[str, Any]]:
    """bot_command at the start and @mentions (offsets in UTF-16 units; tests use ASCII)."""
    entities = []
    if body.startswith("/"):
        entities.append({"type": "bot_command", "offset": 0, "length": len(body.split()[0])})
    start = body.find("@")
    while start != -1:
        end = start + 1
        while end < len(body) and (body[end].isalnum() or body[end] == "_"):
            end += 1
        if start == 0 or body[start - 1] == " ":
            entities.append({"type": "mention", "offset": start, "length": end - start})
        start = body.find("@", end)
    return entities


def video_media(file_id: str, size: int, *, name: str = "clip.mp4") -> dict[str, Any]:
    """The `video` field of a message."""
    return {
        "file_id": file_id,
        "file_unique_id": f"u{file_id}",
        "width": 320,
        "height": 240,
        "duration": 3,
        "file_size": size,
        "mime_type": "video/mp4",
        "file_name": name,
    }


def pointed_at(settings: Settings, url: str) -> Settings:
    """Settings for a bot whose Bot API is at url (http://127.0.0.1:PORT), quick progress."""
    return settings.model_copy(
        update={
            "telegram_bot_token": SecretStr(TOKEN),
            "telegram_base_url": f"{url}/bot",
            "telegram_base_file_url": f"{url}/file/bot",
            "log_level": "DEBUG",
            "http_port": 0,
            "progress_edit_interval_s": 1.0,
            "max_concurrent_jobs": 1,
        }
    )
