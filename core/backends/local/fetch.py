"""Download a file from a URL a user sent, without letting the URL reach our own network.

Only http(s); every hop (redirects are followed here, at most five) is resolved and refused when
any address is loopback, private, link-local, multicast, reserved or unspecified (also when an
IPv6 address carries such an IPv4 one: mapped, NAT64, 6to4, Teredo), and the connection then
goes to the address we checked (no second lookup to rebind). Bytes are capped while streaming,
whatever Content-Length says. The URL never appears in errors or logs.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import re
import socket
from pathlib import Path
from urllib.parse import unquote

import httpx

from core.disk import disk_full_of, upload_check
from core.errors import ErrorCode, VoiceoverError, too_large
from core.files import safe_name

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

MAX_REDIRECTS = 5
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
FLUSH_BYTES = 1 << 20
DEFAULT_NAME = "download"
USER_AGENT = "voiceover-bot/0.1"
DISPOSITION_NAME = re.compile(r"filename\*?\s*=\s*(?:([\w-]+)''|\")?([^\";]+)", re.I)


# IPv6 forms that carry an IPv4 address. Translated ones (IPv4-mapped, NAT64's well-known
# prefix) lead to that IPv4 host, so it alone decides; tunnels (6to4, Teredo) are refused when
# the IPv4 address they carry is not public.
NAT64_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052: the last 32 bits are IPv4
NOT_PUBLIC_V6 = (
    ipaddress.IPv6Network("64:ff9b:1::/48"),  # RFC 8215 local-use NAT64: a private network
    ipaddress.IPv6Network("::/96"),  # IPv4-compatible (deprecated), :: and ::1
)


def _is_plain_public(ip: IPAddress) -> bool:
    """True for an address that is global and in none of the special ranges."""
    special = (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )
    return ip.is_global and not special


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses a 6to4, Teredo (server and client), mapped or NAT64 address carries."""
    found: list[ipaddress.IPv4Address] = []
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found += ip.teredo
    if ip in NAT64_PREFIX or any(ip in net for net in NOT_PUBLIC_V6):
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def is_public_address(ip: IPAddress) -> bool:
    """True for an address on the public internet (not ours, not special), looking through
    IPv6 forms that embed an IPv4 address (mapped, NAT64, 6to4, Teredo, IPv4-compatible)."""
    if isinstance(ip, ipaddress.IPv4Address):
        return _is_plain_public(ip)
    if any(ip in net for net in NOT_PUBLIC_V6):
        return False
    inner = embedded_ipv4(ip)
    if not all(_is_plain_public(v4) for v4 in inner):
        return False
    if ip.ipv4_mapped is not None or ip in NAT64_PREFIX:
        return True  # a translation: the IPv4 host is where the connection goes
    return _is_plain_public(ip)


def name_from_response(response: httpx.Response, url: httpx.URL) -> str:
    """The file name from Content-Disposition (filename* first), else from the URL's path."""
    disposition = response.headers.get("content-disposition", "")
    matches = DISPOSITION_NAME.findall(disposition)
    encoded = [value for charset, value in matches if charset]
    plain = [value for charset, value in matches if not charset]
    if encoded:
        return safe_name(unquote(encoded[0].strip()), DEFAULT_NAME)
    if plain:
        return safe_name(plain[0].strip(), DEFAULT_NAME)
    return safe_name(unquote(url.path), DEFAULT_NAME)


def _refuse(reason: str) -> VoiceoverError:
    return VoiceoverError(ErrorCode.URL_NOT_ALLOWED, reason=reason)


async def resolve_checked(url: httpx.URL, allow_private: bool) -> str:
    """The address to connect to for `url`, after checking the scheme and every address."""
    if url.scheme not in ("http", "https"):
        raise _refuse("only http and https links can be fetched")
    if not url.host:
        raise _refuse("the link has no host")
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            url.host, port, type=socket.SOCK_STREAM
        )
    except (OSError, UnicodeError) as exc:
        raise _refuse("the host name does not resolve") from exc
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if not addresses:
        raise _refuse("the host name does not resolve")
    if not allow_private and not all(is_public_address(ip) for ip in addresses):
        raise _refuse("it points at a private or local network address")
    return str(addresses[0])


async def _write_body(response: httpx.Response, part: Path, max_bytes: int, name: str) -> None:
    """Stream the body to `part`, refusing as soon as it passes `max_bytes`."""
    received = 0
    buffer = bytearray()
    handle = await asyncio.to_thread(part.open, "wb")
    try:
        async for chunk in response.aiter_bytes():
            received += len(chunk)
            if received > max_bytes:
                raise too_large(name, max_bytes, max_bytes, at_least=True)
            buffer += chunk
            if len(buffer) >= FLUSH_BYTES:
                await asyncio.to_thread(handle.write, bytes(buffer))
                buffer.clear()
        await asyncio.to_thread(handle.write, bytes(buffer))
    finally:
        await asyncio.to_thread(handle.close)


def _declared_too_large(
    response: httpx.Response, max_bytes: int, name: str, dest: Path, reserve: int
) -> None:
    """FILE_TOO_LARGE past the cap, DISK_FULL past the free space (by Content-Length)."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_large(name, int(declared), max_bytes)
    upload_check(dest.parent, int(declared) if declared.isdigit() else None, reserve)


def _pinned_request(client: httpx.AsyncClient, url: httpx.URL, address: str) -> httpx.Request:
    """A GET to the checked address, with the original Host header and TLS server name."""
    host_header = url.netloc.decode("ascii").rsplit("@", 1)[-1]
    request = client.build_request(
        "GET",
        url.copy_with(host=address),
        headers={"Host": host_header},
        extensions={"sni_hostname": url.host},
    )
    return request


async def _fetch(
    url: httpx.URL, dest: Path, max_bytes: int, allow_private: bool, reserve: int
) -> str:
    """Follow up to MAX_REDIRECTS redirects, checking each hop; save the body; return its name."""
    timeout = httpx.Timeout(30.0)
    async with httpx.AsyncClient(
        timeout=timeout,
        trust_env=False,
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT},
    ) as client:
        for _ in range(MAX_REDIRECTS + 1):
            address = await resolve_checked(url, allow_private)
            request = _pinned_request(client, url, address)
            response = await client.send(request, stream=True)
            try:
                location = response.headers.get("location")
                if response.status_code in REDIRECT_CODES and location:
                    url = url.join(location)
                    continue
                name = name_from_response(response, url)
                if response.status_code >= 400:
                    reason = f"the server answered {response.status_code}"
                    raise VoiceoverError(ErrorCode.DOWNLOAD_FAILED, name=name, reason=reason)
                _declared_too_large(response, max_bytes, name, dest, reserve)
                part = dest.with_name(dest.name + ".part")
                try:
                    await _write_body(response, part, max_bytes, name)
                    await asyncio.to_thread(part.replace, dest)
                finally:
                    with contextlib.suppress(FileNotFoundError):
                        await asyncio.to_thread(part.unlink)
                return name
            finally:
                await response.aclose()
    reason = "it redirects too many times"
    raise VoiceoverError(
        ErrorCode.DOWNLOAD_FAILED, name=safe_name(unquote(url.path), DEFAULT_NAME), reason=reason
    )


async def download_url(
    url: str,
    dest: Path,
    *,
    max_bytes: int,
    timeout_s: float = 120.0,
    allow_private: bool = False,
    reserve: int = 0,
) -> str:
    """Stream an http(s) URL to dest with httpx; returns a safe file name for messages.
    DISK_FULL when its disk would keep less than `reserve` bytes free (or fills up)."""
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise _refuse("that isn't a valid link") from exc
    fallback_name = safe_name(unquote(parsed.path), DEFAULT_NAME)
    try:
        async with asyncio.timeout(timeout_s):
            return await _fetch(parsed, dest, max_bytes, allow_private, reserve)
    except TimeoutError as exc:
        raise VoiceoverError(
            ErrorCode.DOWNLOAD_FAILED, name=fallback_name, reason="the download timed out"
        ) from exc
    except httpx.HTTPError as exc:
        reason = (
            "the server was too slow"
            if isinstance(exc, httpx.TimeoutException)
            else "the server could not be reached or broke off"
        )
        raise VoiceoverError(ErrorCode.DOWNLOAD_FAILED, name=fallback_name, reason=reason) from exc
    except OSError as exc:
        full = disk_full_of(exc, "upload")
        if full is None:
            raise
        raise full from None
