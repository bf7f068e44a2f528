"""The tus server's limits: unfinished uploads per link, dropped connections, file names."""

from __future__ import annotations

import asyncio
import base64

import httpx
import pytest

from tests.tus_helpers import OCTETS, TUS, Served, _data, served

__all__ = ["served"]  # the fixture


async def test_one_link_holds_at_most_three_unfinished_uploads(served: Served) -> None:
    _, url = await served.link()
    async with httpx.AsyncClient() as http:
        made = [await http.post(url, headers={**TUS, "Upload-Length": "10"}) for _ in range(4)]
        assert [r.status_code for r in made] == [201, 201, 201, 429]
        await http.delete(made[0].headers["location"], headers=TUS)
        again = await http.post(url, headers={**TUS, "Upload-Length": "10"})
    assert again.status_code == 201


async def test_a_dropped_connection_keeps_what_arrived_and_the_upload_resumes(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    _, url = await served.link()
    data = _data(1000)
    async with httpx.AsyncClient() as http:
        where = (await http.post(url, headers={**TUS, "Upload-Length": "1000"})).headers[
            "location"
        ]
    target = httpx.URL(where)
    reader, writer = await asyncio.open_connection(target.host, target.port)
    head = (
        f"PATCH {target.raw_path.decode()} HTTP/1.1\r\nHost: {target.host}\r\n"
        "Tus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\n"
        "Content-Type: application/offset+octet-stream\r\nContent-Length: 1000\r\n\r\n"
    )
    writer.write(head.encode() + data[:400])
    await writer.drain()
    writer.close()  # gone half way
    await writer.wait_closed()
    offsets = set()
    async with httpx.AsyncClient() as http, asyncio.timeout(30):
        while True:  # as a tus client does: 423 while the server still writes, then resume
            offset = int((await http.head(where, headers=TUS)).headers["upload-offset"])
            offsets.add(offset)
            rest = await http.patch(
                where,
                content=data[offset:],
                headers={**TUS, "Upload-Offset": str(offset), "Content-Type": OCTETS},
            )
            if rest.status_code not in (409, 423):
                break
    assert offsets <= {0, 400}  # what arrived before the drop stays (or none had been read)
    assert rest.status_code == 204 and served.done[0][2] == data
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


async def test_the_uploaded_name_is_made_safe(served: Served) -> None:
    _, url = await served.link()
    raw = base64.b64encode("../../etc/\x00évil name.mp4".encode()).decode()
    async with httpx.AsyncClient() as http:
        created = await http.post(
            url, headers={**TUS, "Upload-Length": "3", "Upload-Metadata": f"filename {raw}"}
        )
    upload_id = created.headers["location"].split("?")[0].rsplit("/", 1)[1]
    upload = await served.store.get(upload_id)
    assert upload is not None and upload.name == "évil name.mp4"
