"""download_url against a real aiohttp server on 127.0.0.1, and its refusals."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.typedefs import Handler

from core.backends.local import fetch
from core.backends.local.fetch import download_url, safe_name
from core.errors import ErrorCode, VoiceoverError
from tests.loopback import serve_loopback

BODY = bytes(range(256)) * 1000  # 256 KB
CHUNK = 16_384


def files_in(directory: Path) -> list[str]:
    """The names in `directory`, sorted (leftover temporary files show up here)."""
    return sorted(p.name for p in directory.iterdir())


@dataclass
class Server:
    """The loopback server's address and what it saw."""

    base: str
    port: int
    hits: list[str] = field(default_factory=list)
    hosts: list[str] = field(default_factory=list)


async def _chunked(
    request: web.Request, total: int, headers: dict[str, str]
) -> web.StreamResponse:
    response = web.StreamResponse(headers=headers)
    response.enable_chunked_encoding()
    await response.prepare(request)
    data = (BODY * (total // len(BODY) + 1))[:total]
    for start in range(0, total, CHUNK):
        await response.write(data[start : start + CHUNK])
    await response.write_eof()
    return response


def _routes(server: Server) -> web.Application:
    async def plain(request: web.Request) -> web.StreamResponse:
        return await _chunked(request, len(BODY), {})

    async def named(request: web.Request) -> web.StreamResponse:
        disposition = request.query["cd"]
        return web.Response(body=b"abc", headers={"Content-Disposition": disposition})

    async def endless(request: web.Request) -> web.StreamResponse:
        return await _chunked(request, 50 * len(BODY), {})

    async def declared(request: web.Request) -> web.StreamResponse:
        return web.Response(body=BODY)

    async def hop(request: web.Request) -> web.StreamResponse:
        left = int(request.match_info["left"])
        raise web.HTTPFound(f"/hop/{left - 1}" if left else "/clip.mp4")

    async def to_local(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(f"http://127.0.0.1:{server.port}/secret")

    async def slow(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        await response.prepare(request)
        await asyncio.sleep(30)
        return response

    @web.middleware
    async def record(request: web.Request, handler: Handler) -> web.StreamResponse:
        server.hits.append(request.path)
        server.hosts.append(request.headers.get("Host", ""))
        return await handler(request)

    app = web.Application(middlewares=[record])
    app.router.add_get("/clip.mp4", plain)
    app.router.add_get("/files/named", named)
    app.router.add_get("/endless.mp4", endless)
    app.router.add_get("/declared.mp4", declared)
    app.router.add_get("/hop/{left}", hop)
    app.router.add_get("/to-local", to_local)
    app.router.add_get("/secret", plain)
    app.router.add_get("/slow.mp4", slow)
    return app


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    """A real aiohttp server on 127.0.0.1 (random port)."""
    found = Server(base="", port=0)
    runner = web.AppRunner(_routes(found), shutdown_timeout=0.1)
    found.port = await serve_loopback(runner)
    found.base = f"http://127.0.0.1:{found.port}"
    yield found
    await runner.cleanup()


async def test_streams_a_chunked_body_to_dest(server: Server, tmp_path: Path) -> None:
    dest = tmp_path / "in.bin"
    name = await download_url(f"{server.base}/clip.mp4", dest, max_bytes=10**6, allow_private=True)
    assert name == "clip.mp4"
    assert dest.read_bytes() == BODY
    assert files_in(tmp_path) == ["in.bin"]


async def test_connects_to_the_checked_address_with_the_original_host(
    server: Server, tmp_path: Path
) -> None:
    url = f"http://localhost:{server.port}/clip.mp4"
    await download_url(url, tmp_path / "a", max_bytes=10**6, allow_private=True)
    assert server.hosts == [f"localhost:{server.port}"]


@pytest.mark.parametrize(
    ("disposition", "expected"),
    [
        ('attachment; filename="../../etc/evil name.mp4"', "evil name.mp4"),
        ("attachment; filename=\"x.mp4\"; filename*=UTF-8''%E4%BD%A0%E5%A5%BD.mp4", "你好.mp4"),
        ('attachment; filename="-i.mp4"', "i.mp4"),
        ('attachment; filename="..\\\\..\\\\win.mov"', "win.mov"),
    ],
)
async def test_name_from_content_disposition_is_sanitised(
    server: Server, tmp_path: Path, disposition: str, expected: str
) -> None:
    url = httpx_url(f"{server.base}/files/named", cd=disposition)
    name = await download_url(url, tmp_path / "a", max_bytes=100, allow_private=True)
    assert name == expected


def httpx_url(base: str, **query: str) -> str:
    """`base` with a properly encoded query string."""
    import httpx

    return str(httpx.URL(base, params=query))


def test_safe_name_strips_paths_controls_and_length() -> None:
    assert safe_name("/a/b/../\x00\x1bclip\u202e.mp4") == "clip.mp4"
    assert safe_name("...") == "download"
    assert safe_name("--help.mov") == "help.mov"
    assert safe_name("x;rm -rf $HOME|.mp4") == "x_rm -rf _HOME_.mp4"
    long = safe_name("a" * 300 + ".mp4")
    assert len(long) == 100 and long.endswith(".mp4")


async def test_bytes_are_capped_while_streaming(server: Server, tmp_path: Path) -> None:
    dest = tmp_path / "in.bin"
    started = time.monotonic()
    with pytest.raises(VoiceoverError) as caught:
        await download_url(
            f"{server.base}/endless.mp4", dest, max_bytes=100_000, allow_private=True
        )
    assert caught.value.code is ErrorCode.FILE_TOO_LARGE
    assert caught.value.fields["limit"] == "100 KB"
    assert time.monotonic() - started < 5
    assert files_in(tmp_path) == []


async def test_declared_length_over_the_cap_is_refused(server: Server, tmp_path: Path) -> None:
    with pytest.raises(VoiceoverError) as caught:
        await download_url(
            f"{server.base}/declared.mp4", tmp_path / "a", max_bytes=1000, allow_private=True
        )
    assert caught.value.code is ErrorCode.FILE_TOO_LARGE
    assert caught.value.fields["size"] == "256 KB"
    assert files_in(tmp_path) == []


async def test_redirects_are_followed_up_to_five(server: Server, tmp_path: Path) -> None:
    dest = tmp_path / "a"
    name = await download_url(f"{server.base}/hop/4", dest, max_bytes=10**6, allow_private=True)
    assert (name, dest.read_bytes()) == ("clip.mp4", BODY)
    with pytest.raises(VoiceoverError) as caught:
        await download_url(f"{server.base}/hop/5", dest, max_bytes=10**6, allow_private=True)
    assert caught.value.code is ErrorCode.DOWNLOAD_FAILED
    assert "redirects" in caught.value.message()


REFUSED = [
    "http://127.0.0.1:{port}/clip.mp4",
    "http://localhost:{port}/clip.mp4",
    "http://[::1]:{port}/clip.mp4",
    "http://[::ffff:127.0.0.1]:{port}/clip.mp4",
    "http://0.0.0.0:{port}/clip.mp4",
    "http://10.0.0.1/clip.mp4",
    "http://192.168.1.1/clip.mp4",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/clip.mp4",
    "http://224.0.0.1/clip.mp4",
    "http://240.0.0.1/clip.mp4",
    "file:///etc/passwd",
    "ftp://example.com/clip.mp4",
    "gopher://127.0.0.1:{port}/",
    "javascript:alert(1)",
    "http:///clip.mp4",
]


@pytest.mark.parametrize("template", REFUSED)
async def test_private_and_odd_urls_are_refused(
    server: Server, tmp_path: Path, template: str
) -> None:
    with pytest.raises(VoiceoverError) as caught:
        await download_url(template.format(port=server.port), tmp_path / "a", max_bytes=10**6)
    assert caught.value.code is ErrorCode.URL_NOT_ALLOWED
    assert server.hits == [] and files_in(tmp_path) == []


async def test_a_redirect_to_a_local_address_is_refused(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only the first hop's check is relaxed (so a loopback server can play the public site);
    # the redirect's check is the real one.
    real_check = fetch.is_public_address
    checks: list[str] = []

    def first_hop_public(ip: fetch.IPAddress) -> bool:
        checks.append(str(ip))
        return len(checks) == 1 or real_check(ip)

    monkeypatch.setattr(fetch, "is_public_address", first_hop_public)
    with pytest.raises(VoiceoverError) as caught:
        await download_url(f"{server.base}/to-local", tmp_path / "a", max_bytes=10**6)
    assert caught.value.code is ErrorCode.URL_NOT_ALLOWED
    assert server.hits == ["/to-local"]
    assert checks == ["127.0.0.1", "127.0.0.1"]


async def test_a_stalled_download_times_out(server: Server, tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(VoiceoverError) as caught:
        await download_url(
            f"{server.base}/slow.mp4",
            tmp_path / "a",
            max_bytes=10**6,
            timeout_s=0.5,
            allow_private=True,
        )
    assert caught.value.code is ErrorCode.DOWNLOAD_FAILED
    assert caught.value.fields == {"name": "slow.mp4", "reason": "the download timed out"}
    assert time.monotonic() - started < 5
    assert files_in(tmp_path) == []


async def test_http_errors_never_show_the_url(server: Server, tmp_path: Path) -> None:
    url = f"{server.base}/missing/clip.mp4?token=SECRET-123"
    with pytest.raises(VoiceoverError) as caught:
        await download_url(url, tmp_path / "a", max_bytes=10**6, allow_private=True)
    error = caught.value
    assert (error.code, error.fields["reason"]) == (
        ErrorCode.DOWNLOAD_FAILED,
        "the server answered 404",
    )
    assert "SECRET" not in str(error) and "127.0.0.1" not in str(error)


async def test_unreachable_server_is_a_download_failure(server: Server, tmp_path: Path) -> None:
    await server_gone(server)
    with pytest.raises(VoiceoverError) as caught:
        await download_url(
            f"{server.base}/clip.mp4", tmp_path / "a", max_bytes=10**6, allow_private=True
        )
    assert caught.value.code is ErrorCode.DOWNLOAD_FAILED


async def server_gone(server: Server) -> None:
    """Point `server.base` at a port nobody listens on."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        server.base = f"http://127.0.0.1:{probe.getsockname()[1]}"
