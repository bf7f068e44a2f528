"""Which addresses count as public: IPv6 forms that embed an IPv4 address are seen through."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from core.backends.local.fetch import download_url, is_public_address
from core.errors import ErrorCode, VoiceoverError

# IPv6 addresses that carry an IPv4 one are judged by it (and tunnels by both).
EMBEDDED_NOT_PUBLIC = [
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    "2002:a00:1::",  # 6to4 of 10.0.0.1
    "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
    "2002:c0a8:101:1::5",  # 6to4 of 192.168.1.1
    "2002::1",  # 6to4 of 0.0.0.0
    "::ffff:127.0.0.1",  # IPv4-mapped
    "::ffff:10.1.2.3",
    "::ffff:169.254.169.254",
    "::ffff:100.64.0.1",  # IPv4-mapped shared (CGNAT) space
    "::127.0.0.1",  # IPv4-compatible (deprecated)
    "::8.8.8.8",
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "64:ff9b:1::808:808",  # local-use NAT64 prefix
    "2001:0:4136:e378:8000:63bf:f5ff:fffe",  # Teredo, client 10.0.0.1 (bits inverted)
    "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, client 127.0.0.1
    "2001:0:a00:1:8000:63bf:f7f7:f7f7",  # Teredo, server 10.0.0.1
]
EMBEDDED_PUBLIC = [
    "2002:808:808::1",  # 6to4 of 8.8.8.8
    "::ffff:8.8.8.8",  # IPv4-mapped public
    "64:ff9b::808:808",  # NAT64 of 8.8.8.8 (what DNS64 hands out on IPv6-only networks)
    "2606:4700:4700::1111",  # plain public IPv6
]


@pytest.mark.parametrize("address", EMBEDDED_NOT_PUBLIC)
def test_ipv6_forms_embedding_a_private_ipv4_are_not_public(address: str) -> None:
    assert not is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", EMBEDDED_PUBLIC)
def test_ipv6_forms_embedding_a_public_ipv4_stay_public(address: str) -> None:
    assert is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["2002:7f00:1::1", "64:ff9b::7f00:1"])
async def test_urls_on_tunnelled_local_addresses_are_refused(tmp_path: Path, address: str) -> None:
    with pytest.raises(VoiceoverError) as caught:
        await download_url(f"http://[{address}]/clip.mp4", tmp_path / "a", max_bytes=10**6)
    assert caught.value.code is ErrorCode.URL_NOT_ALLOWED
    assert not (tmp_path / "a").exists() and not (tmp_path / "a.part").exists()
