"""The configured backend (the cloud one is imported only when chosen: it is optional)."""

from __future__ import annotations

from core.backends.base import Backend
from core.backends.local.backend import LocalBackend
from core.config import Settings
from core.media.store import MediaStore


def make_backend(settings: Settings, media: MediaStore) -> Backend:
    """The backend BACKEND names: the embedded engine (local) or the NemoVideo API (nemo)."""
    if settings.backend == "nemo":
        from core.backends.nemo.backend import NemoBackend  # optional backend

        return NemoBackend(settings, media=media)
    return LocalBackend(settings, media=media)
