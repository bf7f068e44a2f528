"""The configured media store: local disk under DATA_DIR, or an S3 bucket (STORAGE_URL)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.config import Settings
from core.media.local import LocalMediaStore

if TYPE_CHECKING:  # boto3 is imported only with STORAGE_URL
    from core.media.s3 import S3MediaStore

    AnyMediaStore = LocalMediaStore | S3MediaStore


def make_media_store(settings: Settings) -> AnyMediaStore:
    """S3 when STORAGE_URL is set, else the folder DATA_DIR."""
    if settings.storage_url:
        from core.media.s3 import S3MediaStore

        return S3MediaStore.from_settings(settings)
    return LocalMediaStore(settings.data_dir)
