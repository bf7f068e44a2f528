"""Pause markup: exact silence in every script format, never read, never captioned."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.config import Settings
from core.engine.model import Captions, Limits, RenderOptions, RenderRequest
from core.engine.pauses import split_pauses, strip_pauses
from core.engine.render import render
from core.engine.scripts import parse_script_text
from core.errors import ErrorCode, VoiceoverError
from tests import analysis


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("[pause]", 1.0),
        ("[pause 1.5s]", 1.5),
        ("[Pause 800ms]", 0.8),
        ("[停顿 2秒]", 2.0),
        ('<break time="1s"/>', 1.0),
        ("<break time='250ms' />", 0.25),
        ("[pause 2 seconds]", 2.0),
    ],
)
def test_every_form_is_that_much_silence(text: str, seconds: float) -> None:
    assert split_pauses(f"One. {text} Two.") == ["One. ", seconds, " Two."]
    assert strip_pauses(f"One. {text} Two.") == "One. Two."


def test_a_pause_longer_than_ten_seconds_is_refused_with_a_reason() -> None:
    with pytest.raises(VoiceoverError) as caught:
        parse_script_text("Hello. [pause 11s] Bye.", Limits())
    assert caught.value.code is ErrorCode.BAD_OPTION and "10" in str(caught.value)


def test_pauses_count_in_the_duration_gate() -> None:
    text = " ".join(["Hi. [pause 10s]"] * 7)
    parse_script_text(text, Limits(max_duration_s=80))
    with pytest.raises(VoiceoverError) as caught:
        parse_script_text(text, Limits(max_duration_s=60))
    assert caught.value.code is ErrorCode.SPEECH_TOO_LONG


def test_srt_keeps_its_breaks_and_a_bracketed_pause_is_no_speaker() -> None:
    srt = '1\n00:00:01,000 --> 00:00:04,000\nHello <break time="2s"/> there.\n'
    script = parse_script_text(srt, Limits())
    assert split_pauses(script.cues[0].text) == ["Hello ", 2.0, " there."]
    labelled = parse_script_text("[pause] One.\n[pause] Two.\n[pause] Three.", Limits())
    assert all(c.speaker is None for c in labelled.cues)


def _silences(samples: np.ndarray, step: float = 0.01) -> list[float]:
    """Lengths of the quiet runs between sounds."""
    n = int(len(samples) / analysis.RATE / step)
    loud = [analysis.rms(samples, i * step, (i + 1) * step) > 0.003 for i in range(n)]
    first, last = loud.index(True), len(loud) - 1 - loud[::-1].index(True)
    runs, quiet = [], 0
    for flag in loud[first : last + 1]:
        if flag and quiet:
            runs.append(quiet * step)
        quiet = 0 if flag else quiet + 1
    return runs


def test_pause_2s_is_a_2s_silence_in_no_caption(settings: Settings, tmp_path: Path) -> None:
    script = parse_script_text("Hello there. [pause 2s] Goodbye now.", Limits())
    out = tmp_path / "p.mp4"
    options = RenderOptions(captions=Captions.SOFT)
    result = render(RenderRequest(out=out, script=script, options=options), settings)
    first, second = result.segments
    assert (first.text, second.text) == ("Hello there.", "Goodbye now.")
    assert second.start_s - first.end_s == pytest.approx(2.0, abs=0.002)
    longest = max(_silences(analysis.audio_samples(out)))
    assert 2.0 <= longest <= 2.4  # the pause, plus the voice's own quiet ends
    assert result.subtitles is not None
    captions = result.subtitles.read_text("utf-8")
    assert "pause" not in captions and "Hello there." in captions
