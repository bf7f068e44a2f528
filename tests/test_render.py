"""The engine end to end: real ffmpeg, real Piper, small generated media."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.config import Settings
from core.engine.model import (
    Aspect,
    Captions,
    Fit,
    Limits,
    MixMode,
    Overrun,
    RenderOptions,
    RenderRequest,
    RenderResult,
    Script,
    ScriptCue,
)
from core.engine.probe import probe_media
from core.engine.render import render
from tests import analysis
from tests.media import ffmpeg, make_audio, make_image, make_video

SHORT = Script((ScriptCue("Meet Aurora."),))
TWO_PARAGRAPHS = Script((ScriptCue("Meet Aurora. It glows."), ScriptCue("Try it today.")))


def run(
    settings: Settings, out: Path, media: Path | None, script: Script | None = SHORT, **kw: object
) -> RenderResult:
    """Render with options given as keywords (music/narration paths go to the request)."""
    music = kw.pop("music", None)
    narration = kw.pop("narration", None)
    request = RenderRequest(
        out=out,
        media=media,
        script=script,
        music=music,  # type: ignore[arg-type]
        narration=narration,  # type: ignore[arg-type]
        options=RenderOptions(**kw),  # type: ignore[arg-type]
    )
    return render(request, settings)


def test_fast_path_copies_the_video_stream(settings: Settings, clip: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.mp4"
    result = run(settings, out, clip)
    assert result.video_copied
    assert analysis.video_packet_digest(out) == analysis.video_packet_digest(clip)
    assert analysis.streams(out) == {"video": ["h264"], "audio": ["aac"]}
    assert (result.width, result.height) == (320, 240)
    assert result.voice == "en_US-joe-medium"
    assert 2.9 <= result.duration_s <= 3.1
    assert set(result.timings_s) >= {"probe", "speech", "mix", "encode", "total"}


@pytest.mark.parametrize(
    ("suffix", "vcodec", "copied"),
    [
        (".mov", "libx264", True),
        (".mkv", "libx264", True),
        (".avi", "mpeg4", False),
        (".webm", "libvpx-vp9", False),
    ],
)
def test_every_container(
    settings: Settings, tmp_path: Path, suffix: str, vcodec: str, copied: bool
) -> None:
    src = make_video(tmp_path / f"in{suffix}", seconds=2, vcodec=vcodec)
    out = tmp_path / "out.mp4"
    result = run(settings, out, src)
    assert result.video_copied is copied
    assert analysis.streams(out) == {"video": ["h264"], "audio": ["aac"]}


def test_portrait_phone_clip_stays_portrait(settings: Settings, tmp_path: Path) -> None:
    landscape = make_video(tmp_path / "raw.mp4", seconds=2)
    phone = tmp_path / "phone.mp4"
    ffmpeg("-display_rotation", "90", "-i", str(landscape), "-c", "copy", str(phone))
    for aspect, copied in ((Aspect.ORIGINAL, True), (Aspect.TALL, False)):
        out = tmp_path / f"out-{copied}.mp4"
        result = run(settings, out, phone, aspect=aspect)
        assert result.video_copied is copied
        info = probe_media(out, Limits())
        assert info.height > info.width, aspect
        assert (result.width < result.height) and (info.width, info.height) == (
            result.width,
            result.height,
        )


def test_odd_dimensions_become_even(settings: Settings, tmp_path: Path) -> None:
    src = make_video(tmp_path / "odd.webm", seconds=2, size="321x241", vcodec="libvpx-vp9")
    result = run(settings, tmp_path / "out.mp4", src)
    assert result.width % 2 == 0 and result.height % 2 == 0
    assert abs(result.width - 321) <= 1 and abs(result.height - 241) <= 1


def test_video_without_audio(settings: Settings, tmp_path: Path) -> None:
    src = make_video(tmp_path / "silent.mp4", seconds=2, audio=False)
    out = tmp_path / "out.mp4"
    result = run(settings, out, src)
    assert result.video_copied
    assert analysis.rms(analysis.audio_samples(out), 0.5, 1.2) > 0.01


def test_image_becomes_a_still_video(settings: Settings, tmp_path: Path) -> None:
    img = make_image(tmp_path / "still.png", size="640x360")
    out = tmp_path / "out.mp4"
    result = run(settings, out, img, script=TWO_PARAGRAPHS)
    info = probe_media(out, Limits())
    assert (info.width, info.height, info.vcodec) == (640, 360, "h264")
    assert abs(info.duration_s - result.duration_s) < 0.25
    assert result.duration_s > result.segments[-1].end_s


def test_script_alone_gets_a_generated_1080p_background(
    settings: Settings, tmp_path: Path
) -> None:
    out = tmp_path / "out.mp4"
    run(settings, out, None, captions=Captions.BURN)
    info = probe_media(out, Limits())
    assert (info.width, info.height) == (1920, 1080)
    assert info.pix_fmt == "yuv420p" and info.has_audio


def test_untimed_script_has_lead_in_and_pauses(settings: Settings, clip: Path) -> None:
    segs = run(settings, clip.parent / "untimed.mp4", None, script=TWO_PARAGRAPHS).segments
    assert [s.text for s in segs] == ["Meet Aurora.", "It glows.", "Try it today."]
    assert 0.3 <= segs[0].start_s <= 0.7
    sentence_gap = segs[1].start_s - segs[0].end_s
    paragraph_gap = segs[2].start_s - segs[1].end_s
    assert 0.2 < sentence_gap < paragraph_gap


def test_timed_cues_start_on_time(settings: Settings, tmp_path: Path) -> None:
    src = make_video(tmp_path / "long.mp4", seconds=8, audio=False)
    cues = (ScriptCue("Meet Aurora.", 0.5), ScriptCue("It glows.", 3.0), ScriptCue("Bye.", 6.0))
    out = tmp_path / "out.mp4"
    result = run(settings, out, src, script=Script(cues), mix=MixMode.REPLACE)
    starts = [s.start_s for s in result.segments]
    assert starts == pytest.approx([0.5, 3.0, 6.0], abs=0.05)
    assert result.drift_s is not None and max(abs(d) for d in result.drift_s) <= 0.05
    heard = analysis.onsets(analysis.audio_samples(out))
    assert len(heard) == 3
    assert heard == pytest.approx([0.5, 3.0, 6.0], abs=0.12)


def test_crowded_cues_speed_up_then_shift_never_overlap(
    settings: Settings, tmp_path: Path
) -> None:
    long_line = "This sentence is far too long to fit in the half second before the next cue."
    cues = (ScriptCue(long_line, 0.0), ScriptCue("Next.", 0.5), ScriptCue("Last one.", 9.0))
    result = run(settings, tmp_path / "out.mp4", None, script=Script(cues))
    first, second, third = result.segments
    assert first.speedup == pytest.approx(settings.max_segment_speedup)
    assert second.start_s >= first.end_s and second.drift_s > 0
    assert third.start_s == pytest.approx(9.0, abs=0.05) and third.speedup == 1.0
    assert [s.text for s in result.segments] == [c.text for c in cues]


def test_soft_captions_keep_the_fast_path(settings: Settings, clip: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.mp4"
    result = run(settings, out, clip, captions=Captions.SOFT)
    assert result.video_copied
    assert analysis.streams(out)["subtitle"] == ["mov_text"]
    assert result.subtitles == out.with_suffix(".srt")
    assert "Meet Aurora." in result.subtitles.read_text(encoding="utf-8")


def test_burned_captions_are_drawn_in_the_safe_area(settings: Settings, tmp_path: Path) -> None:
    black = tmp_path / "black.mp4"
    ffmpeg(
        *("-f", "lavfi", "-i", "color=c=black:s=640x360:r=25:d=2", "-c:v", "libx264"),
        *("-pix_fmt", "yuv420p"),
        str(black),
    )
    text = Script((ScriptCue("Caption {\\b1} movie=x textfile=/etc/passwd ' : ; % \\ done"),))
    out = tmp_path / "out.mp4"
    result = run(settings, out, black, script=text, captions=Captions.BURN)
    assert not result.video_copied
    frame = analysis.frame_at(out, (result.segments[0].start_s + result.segments[0].end_s) / 2)
    height = frame.shape[0]
    bottom, top = frame[int(height * 0.6) : int(height * 0.95)], frame[: int(height * 0.4)]
    assert bottom.max() > 200 and top.max() < 40
    assert frame[int(height * 0.95) :].max() < 40


@pytest.mark.parametrize(
    ("aspect", "size"),
    [
        (Aspect.WIDE, (1920, 1080)),
        (Aspect.TALL, (1080, 1920)),
        (Aspect.SQUARE, (1080, 1080)),
        (Aspect.PORTRAIT, (1080, 1350)),
    ],
)
def test_aspect_presets(
    settings: Settings, clip: Path, tmp_path: Path, aspect: Aspect, size: tuple[int, int]
) -> None:
    out = tmp_path / "out.mp4"
    result = run(
        settings, out, clip, aspect=aspect, fit=Fit.CROP if aspect is Aspect.SQUARE else Fit.PAD
    )
    info = probe_media(out, Limits())
    assert (info.width, info.height) == size == (result.width, result.height)
    assert not result.video_copied


@pytest.fixture(scope="module")
def mixes(tmp_path_factory: pytest.TempPathFactory) -> dict[MixMode, Path]:
    """The same 4 s toned clip rendered with each mix mode."""
    base = tmp_path_factory.mktemp("mix")
    settings = Settings(_env_file=None, data_dir=base / "data")
    src = make_video(base / "tone.mp4", seconds=4)
    script = Script((ScriptCue("Meet Aurora, the lamp that follows the sun."),))
    outs = {}
    for mode in MixMode:
        outs[mode] = base / f"{mode.value}.mp4"
        run(settings, outs[mode], src, script=script, mix=mode)
    return outs


def test_mix_modes_duck_replace_keep(mixes: dict[MixMode, Path]) -> None:
    during, after = {}, {}  # the clip's 440 Hz tone while the voice speaks, and after it
    for mode, path in mixes.items():
        samples = analysis.audio_samples(path)
        during[mode] = analysis.tone_level(samples, 0.8, 1.8, 440)
        after[mode] = analysis.tone_level(samples, 3.0, 4.0, 440)
    assert after[MixMode.REPLACE] < 0.005 < after[MixMode.KEEP]
    assert during[MixMode.KEEP] / after[MixMode.KEEP] > 0.8
    assert during[MixMode.DUCK] / after[MixMode.DUCK] < 0.5  # at least 6 dB under the voice
    assert after[MixMode.DUCK] > 0.05


def test_loudness_is_normalised(mixes: dict[MixMode, Path]) -> None:
    for path in mixes.values():
        integrated, peak = analysis.loudness(path)
        assert integrated == pytest.approx(-16.0, abs=1.0), path.name
        assert peak <= -1.5, path.name  # true peak, dBTP


def test_music_bed_loops_ducks_and_fades(settings: Settings, tmp_path: Path) -> None:
    src = make_video(tmp_path / "silent.mp4", seconds=6, audio=False)
    music = make_audio(tmp_path / "bed.mp3", seconds=1.5, freq=220)
    out = tmp_path / "out.mp4"
    run(settings, out, src, music=music, music_volume=0.35)
    samples = analysis.audio_samples(out)
    assert analysis.tone_level(samples, 4.0, 4.6, 220) > 0.005  # looped past its 1.5 s
    assert analysis.tone_level(samples, 5.7, 6.0, 220) < analysis.tone_level(
        samples, 4.0, 4.6, 220
    )


def test_long_narration_holds_the_last_frame(settings: Settings, tmp_path: Path) -> None:
    src = make_video(tmp_path / "short.mp4", seconds=1)
    result = run(settings, tmp_path / "out.mp4", src, script=TWO_PARAGRAPHS)
    assert result.duration_s > 2.0 and not result.video_copied
    info = probe_media(result.output, Limits())
    assert info.duration_s == pytest.approx(result.duration_s, abs=0.25)


def test_long_narration_can_speed_up_instead(settings: Settings, tmp_path: Path) -> None:
    src = make_video(tmp_path / "short.mp4", seconds=3)
    script = Script((ScriptCue("Meet Aurora, the desk lamp that follows the sun all day."),))
    normal = run(settings, tmp_path / "a.mp4", src, script=script)
    faster = run(settings, tmp_path / "b.mp4", src, script=script, overrun=Overrun.SPEEDUP)
    assert faster.duration_s < normal.duration_s
    assert faster.segments[0].end_s - faster.segments[0].start_s < (
        normal.segments[0].end_s - normal.segments[0].start_s
    )


def test_users_own_recording_replaces_tts(settings: Settings, clip: Path, tmp_path: Path) -> None:
    voice = make_audio(tmp_path / "me.m4a", seconds=2, freq=660)
    out = tmp_path / "out.mp4"
    result = run(settings, out, clip, script=None, narration=voice, mix=MixMode.REPLACE)
    assert result.voice is None and result.video_copied
    assert analysis.tone_level(analysis.audio_samples(out), 0.5, 1.5, 660) > 0.01
