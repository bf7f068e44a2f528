"""The `voiceover` command: render, voices, demo, chat, serve."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Only what the parser needs is imported here; each command imports its own parts when it runs,
# so `voiceover --help` and `voiceover voices` start in a fraction of a second
# (tests/test_cli_imports.py keeps it so).
from core.backups.cli import add_backup_parsers
from core.engine.model import Aspect, Captions, Fit, Hold, MixMode, Overrun, Sync
from core.errors import VoiceoverError
from core.voices_cli import add_voices_parser

if TYPE_CHECKING:
    from core.config import Settings
    from core.engine.model import Limits, RenderResult, Script

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT = 0, 1, 2
SAMPLE_SCRIPT = (
    "Meet Aurora, the desk lamp that follows the sun. At sunrise it glows a soft amber, and by "
    "noon it matches the daylight outside.\n\nIt costs $129.99, ships in 3 days, and saves up "
    "to 40% on energy. Visit aurora.example.com to learn more."
)


# The render options chosen from an enum: flag, enum, default, help.
_CHOICES: tuple[tuple[str, type[Enum], str, str | None], ...] = (
    ("--captions", Captions, "none", None),
    ("--aspect", Aspect, "original", None),
    ("--fit", Fit, "pad", None),
    ("--mix", MixMode, "duck", None),
    ("--overrun", Overrun, "extend", None),
    (
        "--sync",
        Sync,
        "auto",
        "lay the paragraphs on the video's shots (auto: when their numbers match)",
    ),
    (
        "--hold",
        Hold,
        "freeze",
        "how a shot waits for a long paragraph: freeze its last frame or slow it",
    ),
)


def _add_render_parser(sub: Any) -> None:
    render = sub.add_parser("render", help="render a voiced-over MP4")
    render.add_argument("media", nargs="?", type=Path, help="video or image (optional)")
    source = render.add_mutually_exclusive_group()
    source.add_argument("--script", type=Path, help="TXT, DOCX, SRT or VTT file")
    source.add_argument("--text", help="the script as text")
    render.add_argument("--out", type=Path, required=True)
    render.add_argument("--voice")
    render.add_argument("--language")
    render.add_argument("--gender", choices=["male", "female"])
    render.add_argument(
        "--speaker",
        type=_speaker,
        action="append",
        default=[],
        metavar="LABEL=VOICE",
        help="a voice for a speaker label: A=male, Anna=female, B=zh, C=en_US-amy-medium",
    )
    render.add_argument("--speed", type=float, default=1.0)
    render.add_argument("--music", type=Path)
    render.add_argument("--music-volume", type=_volume, default=0.2)
    for flag, enum, default, help_text in _CHOICES:
        render.add_argument(flag, choices=[c.value for c in enum], default=default, help=help_text)
    render.add_argument("--narration", type=Path, help="your own recording instead of TTS")
    render.add_argument(
        "--lexicon",
        type=Path,
        help="pronunciation fixes: `word = respelling` or `word = [[phonemes]]` per line",
    )
    render.add_argument("--json", action="store_true", help="print one JSON object")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="voiceover", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    _add_render_parser(sub)
    add_voices_parser(sub)
    demo = sub.add_parser("demo", help="render a generated clip with a sample script")
    demo.add_argument("--out", type=Path, default=Path("data/demo.mp4"))
    sub.add_parser("chat", help="the terminal chat")
    sub.add_parser("serve", help="start the configured bots (or the terminal chat)")
    sub.add_parser("worker", help="render jobs from the Redis queue (QUEUE_URL)")
    add_backup_parsers(sub)
    return parser


def _volume(text: str) -> float:
    """'0.35' or '35%' → 0.35."""
    text = text.strip()
    return float(text[:-1]) / 100 if text.endswith("%") else float(text)


def _speaker(text: str) -> tuple[str, str]:
    """'A=male' → ("A", "male")."""
    label, _, want = text.partition("=")
    if not label.strip() or not want.strip():
        raise argparse.ArgumentTypeError(f"{text!r}: use LABEL=VOICE, e.g. A=male")
    return label.strip(), want.strip()


def _script(args: argparse.Namespace, limits: Limits) -> Script | None:
    from core.engine.scripts import parse_script_text, read_script_file

    if args.script is not None:
        return read_script_file(args.script, limits)
    if args.text is not None:
        return parse_script_text(args.text, limits)
    return None


def _render(args: argparse.Namespace, settings: Settings) -> int:
    import tempfile

    from core.engine.leftovers import remove_stale_work
    from core.engine.lexicon import Lexicon, read_lexicon_file
    from core.engine.model import Limits, RenderOptions, RenderRequest
    from core.engine.render import render
    from core.progressbar import ProgressBar

    options = RenderOptions(
        voice=args.voice,
        language=args.language,
        gender=args.gender,
        speed=args.speed,
        captions=Captions(args.captions),
        aspect=Aspect(args.aspect),
        fit=Fit(args.fit),
        music_volume=args.music_volume,
        mix=MixMode(args.mix),
        overrun=Overrun(args.overrun),
        sync=Sync(args.sync),
        hold=Hold(args.hold),
        speakers=tuple(sorted(dict(args.speaker).items())),
    )
    request = RenderRequest(
        out=args.out.resolve(),
        media=args.media,
        script=_script(args, Limits.from_settings(settings)),
        narration=args.narration,
        music=args.music,
        options=options,
        lexicon=read_lexicon_file(args.lexicon) if args.lexicon else Lexicon(),
    )
    request.out.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_work(Path(tempfile.gettempdir()), request.out.parent)  # killed runs' leftovers
    with ProgressBar(enabled=not args.json and sys.stderr.isatty()) as bar:
        result = render(request, settings, bar.update)
    print(json.dumps(result_json(result)) if args.json else _summary(result))
    return EXIT_OK


def result_json(result: RenderResult) -> dict[str, Any]:
    """The JSON object `voiceover render --json` prints."""
    return {
        "output": str(result.output),
        "duration_s": result.duration_s,
        "width": result.width,
        "height": result.height,
        "size_bytes": result.size_bytes,
        "video_copied": result.video_copied,
        "voice": result.voice,
        "voice_note": result.voice_note,
        "subtitles": str(result.subtitles) if result.subtitles else None,
        "segments": [
            {
                "start_s": s.start_s,
                "end_s": s.end_s,
                "text": s.text,
                "speedup": round(s.speedup, 3),
                "voice": s.voice,
                "shot": s.shot,
                "held_s": s.held_s,
            }
            for s in result.segments
        ],
        "sync": result.sync,
        "shots": [{"start_s": a, "end_s": b} for a, b in result.shots or []],
        "drift_s": result.drift_s,
        "timings_s": result.timings_s,
    }


def _summary(result: RenderResult) -> str:
    mode = "video copied" if result.video_copied else "video encoded"
    lines = [
        f"✅ {result.output}",
        f"   {result.width}×{result.height}, {result.duration_s:.1f} s, {mode}, "
        f"voice {result.voice or 'your recording'}, {result.timings_s.get('total', 0):.1f} s",
    ]
    if result.voice_note:
        lines.append(f"   {result.voice_note}")
    if result.sync == "shots" and result.shots:
        from core.words.sync import holds_of, sync_summary

        summary = sync_summary(result.paragraphs, len(result.shots), holds_of(result.segments))
        lines.append(f"   {summary}")
    return "\n".join(lines)


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from core.engine.demo import make_demo_clip

    clip = make_demo_clip(settings.data_dir / "demo-input.mp4")
    ns = _parser().parse_args(
        ["render", str(clip), "--text", SAMPLE_SCRIPT, "--out", str(args.out)]
    )
    return _render(ns, settings)


def _voices(args: argparse.Namespace, settings: Settings) -> int:
    from core.voices_cli import run_voices

    return run_voices(args, settings)


def _worker(args: argparse.Namespace, settings: Settings) -> int:
    from core.app import worker_main

    return worker_main(settings)


def _chat(args: argparse.Namespace, settings: Settings) -> int:
    from core.app import chat_main

    return chat_main(settings)


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from core.app import serve_main

    return serve_main(settings)


def _backup(args: argparse.Namespace, settings: Settings) -> int:
    from core.backups.cli import run_backup

    return run_backup(args, settings)


COMMANDS = {
    "render": _render,
    "voices": _voices,
    "demo": _demo,
    "worker": _worker,
    "chat": _chat,
    "serve": _serve,
    "backup": _backup,
    "restore": _backup,
}


def main(argv: list[str] | None = None) -> int:
    """Entry point: exit 0 on success, 2 on bad input (one line on stderr), 1 on internal error."""
    args = _parser().parse_args(argv)
    from pydantic import ValidationError

    try:
        from core.config import Settings
        from core.logs import configure_logging

        settings = Settings()
        configure_logging(settings.log_level)
        return COMMANDS[args.command](args, settings)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]).upper()
        print(f"error: setting {where}: {first['msg']}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except VoiceoverError as exc:
        print(f"error {int(exc.code)}: {exc.message()}", file=sys.stderr)
        return EXIT_INTERNAL if int(exc.code) >= 5000 else EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except Exception:
        logging.getLogger("voiceover").exception("internal error")
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
