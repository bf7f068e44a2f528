"""The configured media store: local disk under DATA_DIR, or an S3 bucket (STORAGE_URL)."""

from __future__ import annotations

from core.config import Settings
from core.media.local import LocalMediaStore
from core.media.s3 import S3MediaStore
from core.media.store import MediaStore


def make_media_store(settings: Settings) -> MediaStore:
    """S3 when STORAGE_URL is set, else the folder DATA_DIR."""
    if settings.storage_url:
        return S3MediaStore.from_settings(settings)
    return LocalMediaStore(settings.data_dir)
