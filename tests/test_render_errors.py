"""Bad render requests are refused with their code, leave no output and no temporary files."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.config import Settings
from core.engine.model import RenderOptions, RenderRequest, Script, ScriptCue
from core.engine.render import render
from core.errors import ErrorCode, VoiceoverError
from tests.media import make_audio, make_video

SCRIPT = Script((ScriptCue("Hello there."),))


@pytest.fixture
def private_tmp(tmp_path: Path) -> Iterator[Path]:
    """Point tempfile at an empty folder for the test, to see what is left behind."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    saved = tempfile.tempdir
    tempfile.tempdir = str(folder)
    try:
        yield folder
    finally:
        tempfile.tempdir = saved


def _refused(settings: Settings, request: RenderRequest) -> ErrorCode:
    with pytest.raises(VoiceoverError) as caught:
        render(request, settings)
    assert not request.out.exists()
    assert "Traceback" not in caught.value.message()
    return caught.value.code


def test_nothing_to_render(settings: Settings, clip: Path, tmp_path: Path) -> None:
    request = RenderRequest(out=tmp_path / "o.mp4", media=clip)
    assert _refused(settings, request) is ErrorCode.NOTHING_TO_RENDER


def test_empty_script(settings: Settings, clip: Path, tmp_path: Path) -> None:
    request = RenderRequest(out=tmp_path / "o.mp4", media=clip, script=Script((ScriptCue("  "),)))
    assert _refused(settings, request) is ErrorCode.EMPTY_SCRIPT


def test_emoji_only_script_is_empty(settings: Settings, tmp_path: Path) -> None:
    request = RenderRequest(out=tmp_path / "o.mp4", script=Script((ScriptCue("🎉🎉 ✨"),)))
    assert _refused(settings, request) is ErrorCode.EMPTY_SCRIPT


def test_script_over_the_word_limit(clip: Path, tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path, max_script_words=5)
    script = Script((ScriptCue("one two three four five six"),))
    request = RenderRequest(out=tmp_path / "o.mp4", media=clip, script=script)
    assert _refused(settings, request) is ErrorCode.SCRIPT_TOO_LONG


@pytest.mark.parametrize(
    ("field", "value"), [("speed", 3.0), ("speed", 0.1), ("music_volume", 1.5)]
)
def test_options_out_of_range(
    settings: Settings, clip: Path, tmp_path: Path, field: str, value: float
) -> None:
    options = RenderOptions(**{field: value})  # type: ignore[arg-type]
    request = RenderRequest(out=tmp_path / "o.mp4", media=clip, script=SCRIPT, options=options)
    with pytest.raises(VoiceoverError) as caught:
        render(request, settings)
    assert caught.value.code is ErrorCode.BAD_OPTION
    assert "between" in caught.value.message()


def test_audio_file_as_the_picture(settings: Settings, tmp_path: Path) -> None:
    song = make_audio(tmp_path / "song.mp3", seconds=1)
    request = RenderRequest(out=tmp_path / "o.mp4", media=song, script=SCRIPT)
    assert _refused(settings, request) is ErrorCode.NO_VIDEO_STREAM


def test_music_without_sound(settings: Settings, clip: Path, tmp_path: Path) -> None:
    mute = make_video(tmp_path / "mute.mp4", seconds=1, audio=False)
    request = RenderRequest(out=tmp_path / "o.mp4", media=clip, script=SCRIPT, music=mute)
    assert _refused(settings, request) is ErrorCode.NO_AUDIO_STREAM


def test_corrupt_media(settings: Settings, tmp_path: Path) -> None:
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"this is not a video at all\n" * 100)
    request = RenderRequest(out=tmp_path / "o.mp4", media=bad, script=SCRIPT)
    assert _refused(settings, request) is ErrorCode.CORRUPT_MEDIA


def test_unknown_voice_and_language(settings: Settings, clip: Path, tmp_path: Path) -> None:
    for options, code in (
        (RenderOptions(voice="nobody-voice"), ErrorCode.UNKNOWN_VOICE),
        (RenderOptions(language="klingon"), ErrorCode.NO_VOICE_FOR_LANGUAGE),
    ):
        request = RenderRequest(out=tmp_path / "o.mp4", media=clip, script=SCRIPT, options=options)
        assert _refused(settings, request) is code


def test_no_temporary_files_left(
    settings: Settings, clip: Path, tmp_path: Path, private_tmp: Path
) -> None:
    outdir = tmp_path / "out"
    outdir.mkdir()
    render(RenderRequest(out=outdir / "ok.mp4", media=clip, script=SCRIPT), settings)
    bad = RenderRequest(out=outdir / "bad.mp4", script=Script((ScriptCue(""),)))
    with pytest.raises(VoiceoverError):
        render(bad, settings)
    assert sorted(p.name for p in outdir.iterdir()) == ["ok.mp4"]
    assert list(private_tmp.iterdir()) == []
