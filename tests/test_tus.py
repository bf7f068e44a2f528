"""The tus 1.0 server at the signed upload link, spoken to by a real tus client (tuspy) and by
httpx over loopback: chunks, HEAD offset, resume, termination, 413/403/410/404, expiry."""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path

import httpx
from tusclient.client import TusClient

from core.web.tus import parse_metadata
from tests.tus_helpers import MAX_BYTES, TTL_S, TUS, Served, _data, served

__all__ = ["served"]  # the fixture


async def test_tuspy_uploads_in_chunks_and_resumes_from_the_head_offset(
    served: Served, tmp_path: Path
) -> None:
    _, url = await served.link()
    source = tmp_path / "clip.mp4"
    source.write_bytes(_data(1_000_000))
    client = TusClient(url)
    first = client.uploader(str(source), chunk_size=128 * 1024, metadata={"filename": "clip.mp4"})
    await asyncio.to_thread(first.upload, 400_000)  # then the "connection drops"
    assert first.url is not None and first.offset >= 400_000
    assert not served.done

    again = await asyncio.to_thread(  # it asks the server for the offset (HEAD) at once
        client.uploader, str(source), url=first.url, chunk_size=256 * 1024
    )
    assert again.offset == first.offset  # resumed from the server's HEAD, not from zero
    await asyncio.to_thread(again.upload)

    assert len(served.done) == 1
    _, upload, data = served.done[0]
    assert data == source.read_bytes()
    assert upload.name == "clip.mp4" and upload.length == 1_000_000


async def test_head_reports_offset_length_and_expiry(served: Served) -> None:
    _, url = await served.link()
    async with httpx.AsyncClient() as http:
        created = await http.post(url, headers={**TUS, "Upload-Length": "10"})
        assert created.status_code == 201 and "upload-expires" in created.headers
        where = created.headers["location"]
        patched = await http.patch(
            where,
            content=b"12345",
            headers={
                **TUS,
                "Upload-Offset": "0",
                "Content-Type": "application/offset+octet-stream",
            },
        )
        assert patched.status_code == 204 and patched.headers["upload-offset"] == "5"
        head = await http.head(where, headers=TUS)
    assert head.status_code == 200
    assert head.headers["upload-offset"] == "5" and head.headers["upload-length"] == "10"
    assert head.headers["cache-control"] == "no-store"


async def test_protocol_refusals(served: Served) -> None:
    _, url = await served.link()
    async with httpx.AsyncClient() as http:
        options = await http.options(url)
        assert options.status_code == 204
        assert options.headers["tus-version"] == "1.0.0"
        assert options.headers["tus-extension"] == "creation,termination,expiration"
        assert options.headers["tus-max-size"] == str(MAX_BYTES)
        no_version = await http.post(url, headers={"Upload-Length": "10"})
        assert no_version.status_code == 412
        deferred = await http.post(url, headers={**TUS, "Upload-Defer-Length": "1"})
        assert deferred.status_code == 400
        where = (await http.post(url, headers={**TUS, "Upload-Length": "10"})).headers["location"]
        wrong_offset = await http.patch(
            where,
            content=b"abc",
            headers={
                **TUS,
                "Upload-Offset": "3",
                "Content-Type": "application/offset+octet-stream",
            },
        )
        assert wrong_offset.status_code == 409
        wrong_type = await http.patch(where, content=b"abc", headers={**TUS, "Upload-Offset": "0"})
        assert wrong_type.status_code == 415
        too_long = await http.patch(
            where,
            content=b"x" * 11,
            headers={
                **TUS,
                "Upload-Offset": "0",
                "Content-Type": "application/offset+octet-stream",
            },
        )
        assert too_long.status_code == 400
    assert not served.done


async def test_over_the_limit_is_413_before_a_byte_is_stored(served: Served) -> None:
    _, url = await served.link()
    async with httpx.AsyncClient() as http:
        response = await http.post(url, headers={**TUS, "Upload-Length": str(MAX_BYTES + 1)})
        exact = await http.post(url, headers={**TUS, "Upload-Length": str(MAX_BYTES)})
    assert response.status_code == 413
    assert exact.status_code == 201
    assert len(served.files()) == 2  # the one at the limit: its record and empty data file


async def test_tampered_and_unknown_links_are_403(served: Served) -> None:
    ticket, url = await served.link()
    signature = url.rsplit("s=", 1)[1]
    flipped = "0" if signature[0] != "0" else "1"
    tampered = url.replace(f"s={signature}", f"s={flipped}{signature[1:]}")
    later = url.replace("e=", "e=9")  # a longer life is a different signature
    unknown = url.replace(ticket.id, "f" * 32)
    async with httpx.AsyncClient() as http:
        for bad in (tampered, later, unknown, url.split("?")[0]):
            response = await http.post(bad, headers={**TUS, "Upload-Length": "10"})
            assert response.status_code == 403, bad
            assert (await http.get(bad)).status_code == 403
    assert served.files() == []


async def test_another_users_link_does_nothing_for_you(served: Served) -> None:
    mine, my_url = await served.link("telegram:1")
    theirs, their_url = await served.link("telegram:2")
    async with httpx.AsyncClient() as http:
        created = await http.post(my_url, headers={**TUS, "Upload-Length": "4"})
        my_upload = created.headers["location"].split("?")[0].rsplit("/", 1)[1]
        their_query = their_url.split("?")[1]
        # Their signature on my ticket: refused.
        borrowed = f"{served.signer.base_url}/u/{mine.id}?{their_query}"
        assert (
            await http.post(borrowed, headers={**TUS, "Upload-Length": "4"})
        ).status_code == 403
        # My upload through their (valid) link: not theirs to see or write.
        through_theirs = f"{served.signer.base_url}/u/{theirs.id}/{my_upload}?{their_query}"
        assert (await http.head(through_theirs, headers=TUS)).status_code == 404
        patched = await http.patch(
            through_theirs,
            content=b"abcd",
            headers={
                **TUS,
                "Upload-Offset": "0",
                "Content-Type": "application/offset+octet-stream",
            },
        )
        assert patched.status_code == 404
        assert (await http.delete(through_theirs, headers=TUS)).status_code == 404
        head = await http.head(created.headers["location"], headers=TUS)
    assert head.headers["upload-offset"] == "0" and not served.done


async def test_expired_link_is_410(served: Served) -> None:
    _, url = await served.link()
    await served.clock.advance(TTL_S + 1, step=TTL_S + 1)
    async with httpx.AsyncClient() as http:
        response = await http.post(url, headers={**TUS, "Upload-Length": "10"})
        page = await http.get(url)
    assert response.status_code == 410 and "expired" in response.text
    assert page.status_code == 410 and "expired" in page.text


async def test_termination_deletes_the_bytes(served: Served) -> None:
    _, url = await served.link()
    async with httpx.AsyncClient() as http:
        where = (await http.post(url, headers={**TUS, "Upload-Length": "10"})).headers["location"]
        await http.patch(
            where,
            content=b"12345",
            headers={
                **TUS,
                "Upload-Offset": "0",
                "Content-Type": "application/offset+octet-stream",
            },
        )
        assert len(served.files()) == 2
        assert (await http.delete(where, headers=TUS)).status_code == 204
        assert (await http.head(where, headers=TUS)).status_code == 404
    assert served.files() == []


async def test_incomplete_uploads_expire_and_are_deleted(served: Served) -> None:
    _, url = await served.link()
    async with httpx.AsyncClient() as http:
        started = (await http.post(url, headers={**TUS, "Upload-Length": "10"})).headers[
            "location"
        ]
        await served.clock.advance(TTL_S / 2, step=TTL_S)
        untouched = await http.post(url, headers={**TUS, "Upload-Length": "10"})
        await served.clock.advance(TTL_S / 2 + 1, step=TTL_S)
        assert await served.store.expire() == 1  # the first; the second has half its time left
        assert await served.store.get(started.split("?")[0].rsplit("/", 1)[1]) is None
        assert len(served.files()) == 2  # the untouched one's record and data remain
        await served.clock.advance(TTL_S, step=TTL_S)
        # Its link expired too; an upload past its time answers 410 while its record is there.
        assert (await http.head(untouched.headers["location"], headers=TUS)).status_code == 410
    assert await served.store.expire() == 1  # the second, now past its time too
    assert served.files() == []


def test_metadata_is_decoded() -> None:
    name = base64.b64encode("视频 clip.mp4".encode()).decode()
    parsed = parse_metadata(f"filename {name},filetype dmlkZW8vbXA0,broken !!!,flag")
    assert parsed["filename"] == "视频 clip.mp4" and parsed["filetype"] == "video/mp4"
    assert "broken" not in parsed
