"""What a render loads before its speech, started early: in a fresh process the language model
loads in a thread while the probe waits on its own process, and the script's voices are planned
and loaded while the shot detection starts."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TypeVar

from core.config import Settings
from core.engine.language_id import load_model
from core.engine.model import RenderRequest
from core.engine.voice_load import ReadyVoices, ready_voices

T = TypeVar("T")


class Warming:
    """The loads of one render in threads: the language model from `__enter__`, the voices
    once the inputs proved good (`voices`). `wait` (and leaving the block, however it is left)
    joins them, so none is cut off mid-load when the process exits (onnxruntime would abort
    it)."""

    def __init__(self, request: RenderRequest, settings: Settings) -> None:
        self.request, self.settings = request, settings
        self._threads: list[threading.Thread] = []

    def _start(self, work: Callable[[], T]) -> Future[T]:
        future: Future[T] = Future()
        self._threads.append(threading.Thread(target=_run, args=(work, future), daemon=True))
        self._threads[-1].start()
        return future

    def __enter__(self) -> Warming:
        if self.request.script is not None:
            self._start(load_model)  # a failure fails again at the first detection, told there
        return self

    def voices(self) -> Future[ReadyVoices] | None:
        """The script's voices planned and loaded in a thread (its result: what the render
        reads with, or its refusal); None when the script comes from the video's speech or a
        recording narrates."""
        request = self.request
        if request.script is None or request.narration is not None or request.hears_speech:
            return None
        return self._start(lambda: ready_voices(self.request, self.settings))

    def wait(self) -> None:
        """Until every load is done."""
        for thread in self._threads:
            thread.join()

    def __exit__(self, *_: object) -> None:
        self.wait()


def _run(work: Callable[[], T], future: Future[T]) -> None:
    try:
        future.set_result(work())
    except BaseException as exc:  # handed to whoever asks for the result
        future.set_exception(exc)
