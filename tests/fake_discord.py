"""A loopback fake of Discord: the REST API, the gateway websocket and attachment URLs (aiohttp).

The real discord.py client talks to it when `Route.BASE` and the gateway point here. It records
every REST call, refuses an interaction callback that arrives more than 3 s after the interaction
was dispatched (as Discord does, with 10062 "Unknown interaction"), and serves attachment bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, WSMsgType, web

from tests.loopback import serve_loopback

APP_ID = 900_000_000_000_000_001
BOT_ID = 900_000_000_000_000_002
GUILD_ID = 900_000_000_000_000_003
CHANNEL_ID = 900_000_000_000_000_004
USER_ID = 900_000_000_000_000_005
CALLBACK_DEADLINE_S = 3.0
TIMESTAMP = "2026-01-01T00:00:00+00:00"

BOT_USER = {
    "id": str(BOT_ID),
    "username": "voiceover",
    "discriminator": "0",
    "avatar": None,
    "global_name": None,
    "bot": True,
}
HUMAN = {
    "id": str(USER_ID),
    "username": "alice",
    "discriminator": "0",
    "avatar": None,
    "global_name": "Alice",
}
MEMBER = {
    "user": HUMAN,
    "roles": [],
    "joined_at": TIMESTAMP,
    "deaf": False,
    "mute": False,
    "permissions": "2248473465835073",
    "flags": 0,
}
CHANNEL = {
    "id": str(CHANNEL_ID),
    "type": 0,
    "guild_id": str(GUILD_ID),
    "name": "general",
    "position": 0,
    "permission_overwrites": [],
    "nsfw": False,
    "parent_id": None,
}
DM_CHANNEL_ID = 900000000000000077
DM_CHANNEL = {"id": str(DM_CHANNEL_ID), "type": 1, "recipients": [HUMAN], "last_message_id": None}
APPLICATION = {
    "id": str(APP_ID),
    "name": "Voiceover",
    "icon": None,
    "description": "",
    "bot_public": True,
    "bot_require_code_grant": False,
    "owner": HUMAN,
    "verify_key": "0" * 64,
    "flags": 0,
    "team": None,
}

OPTION_TYPES = {str: 3, int: 4, bool: 5, float: 10}
ATTACHMENT_OPTION = 11
MESSAGE_CONTENT = 1 << 15  # the privileged intent bit


@dataclass(frozen=True)
class Call:
    """One REST request as the fake received it."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    files: dict[str, tuple[str, bytes]]
    at: float


@dataclass
class FakeAttachment:
    """A file a fake user attaches to a command."""

    filename: str
    data: bytes
    content_type: str = "application/octet-stream"
    id: int = 0


@dataclass
class FakeDiscord:
    """The fake server: start() on 127.0.0.1, then dispatch interactions and inspect calls."""

    attachment_size_limit: int = 10 * 1024 * 1024
    callback_deadline_s: float = CALLBACK_DEADLINE_S
    message_content_enabled: bool = True  # False: IDENTIFY asking for it is closed with 4014
    identifies: list[dict[str, Any]] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    identify: dict[str, Any] | None = None
    heartbeats: int = 0
    files: dict[str, bytes] = field(default_factory=dict)
    _dispatched_at: dict[str, float] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(10_000))
    _ws: web.WebSocketResponse | None = None
    _seq: int = 0
    _runner: web.AppRunner | None = None
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    port: int = 0

    @property
    def base(self) -> str:
        """The http base of this fake."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        """The value for discord.py's Route.BASE (DISCORD_API_BASE_URL)."""
        return f"{self.base}/api/v10"

    @property
    def gateway_url(self) -> str:
        """The value for DISCORD_GATEWAY_URL."""
        return f"ws://127.0.0.1:{self.port}/gateway"

    async def start(self) -> None:
        """Listen on 127.0.0.1: on `port` when set, else on a free port."""
        app = web.Application(client_max_size=1024**3)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/attachments/{key}/{name}", self._attachment)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app)
        self.port = await serve_loopback(self._runner, self.port)

    async def stop(self) -> None:
        """Close the gateway and the server."""
        if self._ws is not None:
            await self._ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # -- the gateway --------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._ws = ws
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None})
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            payload = json.loads(msg.data)
            if payload["op"] == 1:
                self.heartbeats += 1
                await ws.send_json({"op": 11, "d": None, "s": None, "t": None})
            elif payload["op"] == 2:
                self.identifies.append(payload["d"])
                if payload["d"]["intents"] & MESSAGE_CONTENT and not self.message_content_enabled:
                    await ws.close(code=4014, message=b"Disallowed intent(s).")
                    break
                self.identify = payload["d"]
                await self._dispatch("READY", self._ready())
        return ws

    def _ready(self) -> dict[str, Any]:
        return {
            "v": 10,
            "user": BOT_USER,
            "guilds": [],
            "session_id": "fake-session",
            "resume_gateway_url": self.gateway_url,
            "shard": [0, 1],
            "application": {"id": str(APP_ID), "flags": 0},
        }

    async def _dispatch(self, event: str, data: dict[str, Any]) -> None:
        assert self._ws is not None, "the bot has not connected to the gateway"
        self._seq += 1
        await self._ws.send_json({"op": 0, "t": event, "s": self._seq, "d": data})

    async def wait_connected(self) -> None:
        """Until the bot has identified and synced its commands."""
        await self.wait_for(
            lambda: self.identify is not None and bool(self.find("PUT", "/commands"))
        )

    # -- interactions -------------------------------------------------------------------------

    def add_file(self, attachment: FakeAttachment) -> dict[str, Any]:
        """Serve an attachment's bytes; return its payload for `resolved`."""
        attachment.id = attachment.id or next(self._ids)
        key = str(attachment.id)
        self.files[key] = attachment.data
        url = f"{self.base}/attachments/{key}/{attachment.filename}"
        return {
            "id": key,
            "filename": attachment.filename,
            "size": len(attachment.data),
            "url": url,
            "proxy_url": url,
            "content_type": attachment.content_type,
        }

    async def slash(self, name: str, **options: Any) -> dict[str, Any]:
        """Dispatch a /command with options (FakeAttachment values become attachments)."""
        listed, resolved = [], {}
        for key, value in options.items():
            if isinstance(value, FakeAttachment):
                payload = self.add_file(value)
                resolved[payload["id"]] = payload
                listed.append({"name": key, "type": ATTACHMENT_OPTION, "value": payload["id"]})
            else:
                listed.append({"name": key, "type": OPTION_TYPES[type(value)], "value": value})
        data = {
            "id": "1",
            "name": name,
            "type": 1,
            "options": listed,
            "resolved": {"attachments": resolved} if resolved else {},
        }
        return await self.interact(2, data)

    async def autocomplete(self, name: str, option: str, typed: str) -> dict[str, Any]:
        """Dispatch an autocomplete request for one option of a command."""
        focused = {"name": option, "type": 3, "value": typed, "focused": True}
        return await self.interact(4, {"id": "1", "name": name, "type": 1, "options": [focused]})

    async def press(self, custom_id: str, content: str = "") -> dict[str, Any]:
        """Dispatch a button press (a component interaction) under a message of the bot's."""
        data = {"custom_id": custom_id, "component_type": 2}
        return await self.interact(3, data, message=self.message(content))

    async def interact(
        self, kind: int, data: dict[str, Any], message: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Dispatch an INTERACTION_CREATE; return its payload (id, token…)."""
        interaction_id = str(next(self._ids))
        payload = {
            "id": interaction_id,
            "application_id": str(APP_ID),
            "type": kind,
            "token": f"itoken-{interaction_id}",
            "version": 1,
            "data": data,
            "guild_id": str(GUILD_ID),
            "channel_id": str(CHANNEL_ID),
            "channel": CHANNEL,
            "member": MEMBER,
            "locale": "en-US",
            "guild_locale": "en-US",
            "app_permissions": "2248473465835073",
            "attachment_size_limit": self.attachment_size_limit,
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(GUILD_ID)},
            "context": 0,
        }
        if message is not None:
            payload["message"] = message
        self._dispatched_at[interaction_id] = time.monotonic()
        await self._dispatch("INTERACTION_CREATE", payload)
        return payload

    async def mention(self, content: str, *, reply: bool = False) -> str:
        """Dispatch a MESSAGE_CREATE that mentions the bot (or replies to it, unpinged)."""
        message = self.message(content, author=HUMAN)
        message["guild_id"] = str(GUILD_ID)
        message["member"] = {k: v for k, v in MEMBER.items() if k != "user"}
        if reply:
            earlier = self.message("✅ Your video is ready")
            message["type"] = 19
            message["message_reference"] = {
                "message_id": earlier["id"],
                "channel_id": str(CHANNEL_ID),
            }
            message["referenced_message"] = earlier
        else:
            message["mentions"] = [BOT_USER]
        await self._dispatch("MESSAGE_CREATE", message)
        return str(message["id"])

    async def chatter(self, content: str) -> None:
        """Dispatch a MESSAGE_CREATE between humans (the bot must ignore it)."""
        await self._dispatch("MESSAGE_CREATE", self.message(content, author=HUMAN))

    # -- REST ---------------------------------------------------------------------------------

    def message(self, content: str, author: dict[str, Any] = BOT_USER) -> dict[str, Any]:
        """A message payload as Discord returns it."""
        return {
            "id": str(next(self._ids)),
            "channel_id": str(CHANNEL_ID),
            "author": author,
            "content": content,
            "timestamp": TIMESTAMP,
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "pinned": False,
            "type": 0,
            "flags": 0,
        }

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        body, files = await _read_body(request)
        call = Call(request.method, path, dict(request.query), body, files, time.monotonic())
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
        return self._answer(call)

    def _answer(self, call: Call) -> web.StreamResponse:
        route = (call.method, _shape(call.path))
        if route == ("POST", "/interactions/{}/{}/callback"):
            return self._callback(call)
        if route[1].startswith("/applications/") and call.method == "PUT":
            commands = [
                dict(c, id=str(next(self._ids)), application_id=str(APP_ID), version="1")
                for c in call.json
            ]
            return _json(commands)
        answers: dict[tuple[str, str], Callable[[], web.StreamResponse]] = {
            ("GET", "/users/@me"): lambda: _json(BOT_USER),
            ("GET", "/oauth2/applications/@me"): lambda: _json(APPLICATION),
            ("POST", "/channels/{}/typing"): lambda: web.Response(status=204),
            ("DELETE", "/webhooks/{}/{}/messages/@original"): lambda: web.Response(status=204),
            ("POST", "/users/@me/channels"): lambda: _json(DM_CHANNEL),
        }
        if route in answers:
            return answers[route]()
        if call.method in ("POST", "PATCH") and route[1].split("/")[1] in ("webhooks", "channels"):
            return _json(self.message(_content(call)))
        return _json({"code": 0, "message": f"fake: no route {route}"}, status=404)

    def _callback(self, call: Call) -> web.StreamResponse:
        interaction_id = call.path.split("/")[2]
        dispatched = self._dispatched_at.get(interaction_id)
        if dispatched is None or call.at - dispatched > self.callback_deadline_s:
            return _json({"code": 10062, "message": "Unknown interaction"}, status=404)
        loading = call.json.get("type") == 5
        return _json(
            {
                "interaction": {
                    "id": interaction_id,
                    "type": 2,
                    "response_message_loading": loading,
                    "response_message_ephemeral": False,
                }
            }
        )

    async def _attachment(self, request: web.Request) -> web.Response:
        data = self.files.get(request.match_info["key"])
        if data is None:
            return web.Response(status=404)
        return web.Response(body=data, content_type="application/octet-stream")

    # -- inspection ---------------------------------------------------------------------------

    def find(self, method: str, path_part: str) -> list[Call]:
        """Calls with this method whose path contains `path_part`."""
        return [c for c in self.calls if c.method == method and path_part in c.path]

    async def wait_for(self, condition: Callable[[], bool], seconds: float = 30.0) -> None:
        """Until condition() holds, re-checked after each REST call (and every 0.2 s)."""
        async with asyncio.timeout(seconds), self._changed:
            while not condition():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), 0.2)


def _shape(path: str) -> str:
    """A path with its ids and tokens replaced by {} (`@original`, `@me` kept)."""
    parts = path.split("/")
    fixed = {
        "interactions",
        "callback",
        "webhooks",
        "messages",
        "channels",
        "typing",
        "users",
        "oauth2",
        "applications",
        "guilds",
        "commands",
    }
    return "/".join(p if (p in fixed or p.startswith("@") or not p) else "{}" for p in parts)


def _content(call: Call) -> str:
    return str((call.json or {}).get("content") or "")


def _json(data: Any, status: int = 200) -> web.Response:
    """JSON with Content-Type exactly application/json (discord.py decodes nothing else)."""
    body = json.dumps(data).encode()
    return web.Response(body=body, status=status, headers={"Content-Type": "application/json"})


async def _read_body(request: web.Request) -> tuple[Any, dict[str, tuple[str, bytes]]]:
    """JSON, or multipart with payload_json and files[n]."""
    if not request.can_read_body:
        return None, {}
    if not request.content_type.startswith("multipart/"):
        return await request.json(), {}
    body: Any = None
    files: dict[str, tuple[str, bytes]] = {}
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            continue
        if part.name == "payload_json":
            body = json.loads(await part.text())
        elif part.name is not None:
            files[part.name] = (part.filename or "", bytes(await part.read()))
    return body, files
