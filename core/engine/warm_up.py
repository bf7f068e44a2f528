"""What a render loads before its speech, started early: in a fresh process the language model
loads in a thread while the probe waits on its own process, and the voices of the script's plan
while the shot detection starts."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from core.config import Settings
from core.engine.aligned_voice import aligned_folder
from core.engine.language_id import load_model
from core.engine.model import RenderRequest
from core.engine.revoice import wants_words
from core.engine.tts import get_synthesizer
from core.engine.voice_plan import plan_voices
from core.engine.voices import installed_voices

log = logging.getLogger(__name__)


class Warming:
    """The loads of one render in threads: the language model from `__enter__`, the voices
    once the inputs proved good (`voices`). `wait` (and leaving the block, however it is left)
    joins them, so none is cut off mid-load when the process exits (onnxruntime would abort
    it)."""

    def __init__(self, request: RenderRequest, settings: Settings) -> None:
        self.request, self.settings = request, settings
        self._threads: list[threading.Thread] = []

    def _start(self, work: Callable[[], None]) -> None:
        if self.request.script is not None:
            self._threads.append(threading.Thread(target=_quietly, args=(work,), daemon=True))
            self._threads[-1].start()

    def __enter__(self) -> Warming:
        self._start(load_model)
        return self

    def voices(self) -> None:
        """Start loading the voices the script will be read by (the model is loaded by then,
        or soon: ~20 ms prepared)."""
        self._start(lambda: preload_planned_voices(self.request, self.settings))

    def wait(self) -> None:
        """Until every load is done (a failed one fails again where it is used, and is told)."""
        for thread in self._threads:
            thread.join()

    def __exit__(self, *_: object) -> None:
        self.wait()


def preload_planned_voices(request: RenderRequest, settings: Settings) -> None:
    """Load the voices the request's script will be read by (a plan that fails loads none:
    the render is refused the same way where it plans)."""
    assert request.script is not None
    voices = installed_voices(settings.voices_dir)
    plan = plan_voices(request.script, voices, request.options, settings.default_voice)
    synth, aligned = get_synthesizer(settings.tts_threads), aligned_folder(settings.data_dir)
    for voice in plan.voices:
        synth.preload(voice, aligned, wants_words(request))


def _quietly(work: Callable[[], None]) -> None:
    try:
        work()
    except Exception:  # the first real use fails the same way, where it is reported
        log.debug("warm-up failed", exc_info=True)
