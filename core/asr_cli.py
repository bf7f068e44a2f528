"""`voiceover transcribe MEDIA --out FILE` and `voiceover models install|list`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Only what the parsers need at the top: the work is imported when a command runs (start-up).
from core.engine.asr_models import REPOS
from core.engine.model import CaptionPosition, CaptionStyle
from core.errors import ErrorCode, VoiceoverError

if TYPE_CHECKING:
    from core.config import Settings
    from core.progressbar import ProgressBar

EXIT_OK = 0


def add_asr_parsers(sub: Any) -> None:
    """The `transcribe` and `models` commands, and `render`'s hearing options."""
    add_hearing_options(sub.choices["render"])
    transcribe = sub.add_parser("transcribe", help="what is said in a video, with times")
    transcribe.add_argument("media", type=Path)
    transcribe.add_argument("--out", type=Path, required=True, help=".srt, .vtt, .txt or .json")
    transcribe.add_argument("--language", help="the speech's language (multilingual models)")
    transcribe.add_argument("--json", action="store_true", help="print one JSON summary")
    models = sub.add_parser("models", help="speech recognition models (ASR_MODEL)")
    commands = models.add_subparsers(dest="models_command", metavar="COMMAND")
    install = commands.add_parser("install", help="download models into DATA_DIR/models")
    install.add_argument("names", nargs="+", metavar="NAME", choices=sorted(REPOS))


def add_hearing_options(render: argparse.ArgumentParser) -> None:
    """`render` options of issue 21: --revoice and the caption looks."""
    render.add_argument(
        "--revoice", action="store_true", help="read what the video says in our voice instead"
    )
    styles = [s.value for s in CaptionStyle]
    render.add_argument("--caption-style", choices=styles, default="classic")
    positions = [p.value for p in CaptionPosition]
    render.add_argument("--caption-position", choices=positions, default="bottom")


def hearing_options(args: argparse.Namespace) -> dict[str, Any]:
    """The RenderOptions fields those options set."""
    return {
        "revoice": args.revoice,
        "caption_style": CaptionStyle(args.caption_style),
        "caption_position": CaptionPosition(args.caption_position),
        "word_timings": bool(args.json),
    }


def run_transcribe(args: argparse.Namespace, settings: Settings) -> int:
    """Transcribe MEDIA into --out, in the format its extension names."""
    from core.engine.transcribe import transcribe_file
    from core.engine.transcript_formats import FORMATS, transcript_cues

    kind = args.out.suffix.lower().lstrip(".")
    if kind not in FORMATS:
        reason = f"the output must end in .{', .'.join(FORMATS)}"
        raise VoiceoverError(
            ErrorCode.BAD_OPTION, option="out", value=str(args.out), reason=reason
        )
    out = args.out.resolve()
    transcript = transcribe_file(args.media, settings, out, args.language)
    summary = {
        "output": str(out),
        "language": transcript.language,
        "duration_s": transcript.duration_s,
        "lines": len(transcript_cues(transcript)),
        "words": sum(len(line.words) for line in transcript.lines),
        "model": transcript.model,
    }
    if args.json:
        print(json.dumps(summary))
    else:
        print(
            f"✅ {out}: {summary['lines']} lines, {transcript.duration_s:.1f} s, "
            f"{transcript.language}"
        )
    return EXIT_OK


def run_models(args: argparse.Namespace, settings: Settings) -> int:
    """`models install NAME…`, or (no command) the configured and installed models."""
    from core.engine.asr_install import install_model
    from core.engine.asr_models import MANIFEST, resolve_model
    from core.progressbar import ProgressBar

    if getattr(args, "models_command", None) != "install":
        current = resolve_model(settings) if _installed(settings, settings.asr_model) else None
        where = current.path if current else "not installed"
        print(f"ASR_MODEL={settings.asr_model} ({where})")
        folder = settings.models_path
        for found in sorted(folder.glob(f"*/{MANIFEST}")) if folder.is_dir() else []:
            print(f"  {found.parent.name:12} {found.parent}")
        return EXIT_OK
    for name in args.names:
        with ProgressBar(enabled=sys.stderr.isatty()) as bar:
            path = install_model(name, settings, lambda done, total: _shown(bar, done, total))
        print(
            f"{name} is already installed." if path is None else f"✅ Installed {name} in {path}"
        )
    return EXIT_OK


def _shown(bar: ProgressBar, done: int, total: int) -> None:
    bar.update("download", 100 * done / max(total, 1))


def _installed(settings: Settings, name: str) -> bool:
    from core.engine.asr_models import resolve_model

    try:
        resolve_model(settings)
    except VoiceoverError:
        return False
    return True
