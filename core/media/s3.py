"""The media store in an S3-compatible bucket (STORAGE_URL=s3://bucket[/prefix]).

Every transfer streams between a local file and the bucket (boto3's managed, multipart
transfers, in a thread): a 500 MB upload is never held in memory. Files on their way in are
staged, and `local_path` downloads, into this process's own temporary folders
(`voiceover-<pid>-…`, see core/engine/leftovers.py): removed when the context ends, and those
of a killed process at the next start. Result links can be presigned URLs (short expiry), so
big downloads go straight from the bucket to the user.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from collections.abc import AsyncIterable, AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from core.config import Settings
from core.engine.leftovers import remove_stale_work, work_dir_prefix
from core.media.store import check_key, check_prefix, write_capped

MISSING = ("404", "NoSuchKey", "NotFound")


@dataclass(frozen=True)
class S3Location:
    """A bucket and the prefix every key is stored under."""

    bucket: str
    prefix: str = ""

    @classmethod
    def parse(cls, url: str) -> S3Location:
        """s3://bucket[/prefix] (checked by the settings)."""
        bucket, _, prefix = url.removeprefix("s3://").strip("/").partition("/")
        return cls(bucket, prefix.strip("/"))

    def name(self, key: str) -> str:
        """The object name of a key."""
        return f"{self.prefix}/{key}" if self.prefix else key


def s3_client(settings: Settings) -> Any:
    """A boto3 S3 client for the configured endpoint and credentials (None: boto3's own chain)."""
    key_id, secret = settings.aws_access_key_id, settings.aws_secret_access_key
    return boto3.client(
        "s3",
        endpoint_url=settings.s3_endpoint_url,
        region_name=settings.aws_region,
        aws_access_key_id=key_id.get_secret_value() if key_id else None,
        aws_secret_access_key=secret.get_secret_value() if secret else None,
        config=Config(
            signature_version="s3v4",
            s3={"addressing_style": "path"},
            retries={"max_attempts": 4, "mode": "standard"},
            connect_timeout=5,
            read_timeout=60,
            # Plain signed bodies: S3-compatible servers don't all read aws-chunked trailers.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        ),
    )


class S3MediaStore:
    """MediaStore over a bucket: keys are object names under the location's prefix."""

    fetches_to_read = True  # local_path downloads a copy beside staging()

    def __init__(
        self,
        client: Any,
        location: S3Location,
        temp_root: Path | None = None,
        link_ttl_s: int = 3600,
    ) -> None:
        self.client = client
        self.where = location
        self.temp_root = temp_root or Path(tempfile.gettempdir())
        self.link_ttl_s = link_ttl_s

    @classmethod
    def from_settings(cls, settings: Settings) -> S3MediaStore:
        """The store STORAGE_URL names."""
        assert settings.storage_url is not None
        where = S3Location.parse(settings.storage_url)
        return cls(s3_client(settings), where, link_ttl_s=settings.s3_link_ttl_s)

    async def check(self) -> None:
        """Raise when the bucket can't be reached (wrong endpoint, credentials or bucket)."""
        await asyncio.to_thread(self.client.head_bucket, Bucket=self.where.bucket)

    def staging(self) -> Path:
        """A local folder of this process for files on their way in."""
        folder = self.temp_root / f"{work_dir_prefix()}staging"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    async def clear_staging(self) -> int:
        """Remove the temporary folders of our processes that are gone (at start)."""
        return await asyncio.to_thread(remove_stale_work, self.temp_root)

    async def put_file(self, key: str, source: Path) -> int:
        """Upload a local file (streamed, multipart when big), then remove it; its size."""
        name = self.where.name(check_key(key))
        size = (await asyncio.to_thread(source.stat)).st_size
        await asyncio.to_thread(self.client.upload_file, str(source), self.where.bucket, name)
        await asyncio.to_thread(source.unlink, True)
        return size

    async def put_stream(self, key: str, chunks: AsyncIterable[bytes], max_bytes: int) -> int:
        """Stage the chunks in a local file (capped, off the loop), then upload it."""
        staged = self.staging() / f"{time.monotonic_ns()}.part"
        try:
            await write_capped(staged, chunks, max_bytes, key)
            return await self.put_file(key, staged)
        finally:
            await asyncio.to_thread(staged.unlink, True)

    @asynccontextmanager
    async def local_path(self, key: str) -> AsyncIterator[Path]:
        """The object downloaded to a temporary file of this process, removed afterwards."""
        name = self.where.name(check_key(key))
        folder = Path(
            await asyncio.to_thread(tempfile.mkdtemp, "", work_dir_prefix(), self.temp_root)
        )
        try:
            path = folder / PurePosixPath(key).name
            try:
                await asyncio.to_thread(
                    self.client.download_file, self.where.bucket, name, str(path)
                )
            except ClientError as exc:
                if _missing(exc):
                    raise FileNotFoundError(key) from None
                raise
            yield path
        finally:
            await asyncio.to_thread(shutil.rmtree, folder, True)

    async def copy(self, source: str, target: str) -> None:
        """A server-side copy (no bytes through this process)."""
        copied = {"Bucket": self.where.bucket, "Key": self.where.name(check_key(source))}
        name = self.where.name(check_key(target))
        await asyncio.to_thread(self.client.copy, copied, self.where.bucket, name)

    def inventory(self) -> list[dict[str, Any]]:
        """Every key under the prefix with its size and ETag (a backup's manifest); blocking."""
        prefix = f"{self.where.prefix}/" if self.where.prefix else ""
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.where.bucket, Prefix=prefix
        )
        found = []
        for page in pages:
            for item in page.get("Contents", []):
                key, size = str(item["Key"])[len(prefix) :], int(item["Size"])
                found.append(
                    {"key": key, "size": size, "etag": str(item.get("ETag", "")).strip('"')}
                )
        return found

    async def size(self, key: str) -> int | None:
        """The object's size, or None."""
        name = self.where.name(check_key(key))
        try:
            head = await asyncio.to_thread(
                self.client.head_object, Bucket=self.where.bucket, Key=name
            )
        except ClientError as exc:
            if _missing(exc):
                return None
            raise
        return int(head["ContentLength"])

    async def delete(self, key: str) -> None:
        """Remove the object."""
        name = self.where.name(check_key(key))
        await asyncio.to_thread(self.client.delete_object, Bucket=self.where.bucket, Key=name)

    async def _list(self, prefix: str) -> list[dict[str, Any]]:
        """Every listing page of the objects under `prefix/`."""
        args = {"Bucket": self.where.bucket, "Prefix": self.where.name(check_prefix(prefix)) + "/"}
        pages = self.client.get_paginator("list_objects_v2").paginate(**args)
        return await asyncio.to_thread(list, pages)

    async def delete_prefix(self, prefix: str) -> None:
        """Remove every object under `prefix/` (1,000 a request)."""
        names = [o["Key"] for page in await self._list(prefix) for o in page.get("Contents", [])]
        await self._delete_names(names)

    async def _delete_names(self, names: list[str]) -> None:
        for start in range(0, len(names), 1000):
            batch = [{"Key": name} for name in names[start : start + 1000]]
            await asyncio.to_thread(
                self.client.delete_objects,
                Bucket=self.where.bucket,
                Delete={"Objects": batch, "Quiet": True},
            )

    async def children(self, prefix: str) -> list[str]:
        """The names directly under `prefix/` that hold objects (listed without a delimiter:
        some S3-compatible servers keep emptied "folders" as common prefixes)."""
        base = self.where.name(prefix) + "/"
        pages = await self._list(prefix)
        names = {
            o["Key"][len(base) :].split("/", 1)[0] for p in pages for o in p.get("Contents", [])
        }
        return sorted(names)

    async def delete_older(self, prefix: str, age_s: float) -> int:
        """Remove the objects under `prefix/` last modified more than `age_s` ago."""
        cutoff = time.time() - age_s
        names = [
            o["Key"]
            for page in await self._list(prefix)
            for o in page.get("Contents", [])
            if o["LastModified"].timestamp() < cutoff
        ]
        await self._delete_names(names)
        return len(names)

    def presigned_url(self, key: str, filename: str) -> str | None:
        """A short-lived URL that downloads the object directly from the bucket."""
        return str(
            self.client.generate_presigned_url(
                "get_object",
                Params={
                    "Bucket": self.where.bucket,
                    "Key": self.where.name(check_key(key)),
                    "ResponseContentDisposition": f'attachment; filename="{filename}"',
                },
                ExpiresIn=self.link_ttl_s,
            )
        )


def _missing(exc: ClientError) -> bool:
    return str(exc.response.get("Error", {}).get("Code", "")) in MISSING
