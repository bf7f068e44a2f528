"""`voiceover voices …`: installed voices, the catalog, install, remove and samples."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # each command imports its parts when it runs (a fast `voiceover voices`)
    from core.config import Settings
    from core.engine.catalog import CatalogVoice

EXIT_OK = 0


def add_voices_parser(sub: Any) -> None:
    """The `voices` command and its sub-commands (none: list the installed voices)."""
    voices = sub.add_parser("voices", help="list, browse, install, remove and sample voices")
    voices.add_argument("--json", action="store_true")
    commands = voices.add_subparsers(dest="voices_command", metavar="COMMAND")
    available = commands.add_parser("available", help="voices in the catalog (VOICES_BASE_URL)")
    available.add_argument("--language", help="e.g. zh, en_GB, Chinese")
    available.add_argument("--gender", choices=["male", "female"])
    available.add_argument("--json", action="store_true")
    install = commands.add_parser("install", help="download voices into VOICES_DIR")
    install.add_argument("keys", nargs="+", metavar="KEY")
    remove = commands.add_parser("remove", help="delete installed voices")
    remove.add_argument("keys", nargs="+", metavar="KEY")
    sample = commands.add_parser("sample", help="a short sample of a voice as Ogg/Opus")
    sample.add_argument("key", metavar="KEY")
    sample.add_argument("--out", type=Path, required=True)


def run_voices(args: argparse.Namespace, settings: Settings) -> int:
    """Run `voiceover voices [COMMAND]`."""
    command = getattr(args, "voices_command", None)
    if command == "available":
        return _available(args, settings)
    if command == "install":
        return _install(args.keys, settings)
    if command == "remove":
        return _remove(args.keys, settings)
    if command == "sample":
        return _sample(args.key, args.out, settings)
    return _installed(args, settings)


def _installed(args: argparse.Namespace, settings: Settings) -> int:
    from core.engine.voices import installed_voices

    voices = installed_voices(settings.voices_dir)
    if args.json:
        rows = [
            {**asdict(v), "model_path": str(v.model_path), "config_path": str(v.config_path)}
            for v in voices
        ]
        print(json.dumps(rows))
    else:
        for v in voices:
            print(f"{v.id:32} {v.language:6} {v.gender or '?':7} {v.quality}")
    return EXIT_OK


def _available(args: argparse.Namespace, settings: Settings) -> int:
    from core.engine.catalog import fetch_catalog, filter_catalog

    voices = filter_catalog(
        fetch_catalog(settings.voices_base_url), language=args.language, gender=args.gender
    )
    if args.json:
        print(json.dumps([v.as_json() for v in voices], ensure_ascii=False))
        return EXIT_OK
    for v in voices:
        print(_catalog_line(v))
    if not voices:
        print("No voice in the catalog matches.", file=sys.stderr)
    return EXIT_OK


def _catalog_line(v: CatalogVoice) -> str:
    """One catalog voice as a line: key, language, gender, quality, size, notes."""
    size = f"{v.size_bytes / 1e6:5.1f} MB"
    star = "★" if v.recommended else " "
    notes = f"  ({v.licence})" if v.licence else ""
    return f"{star} {v.key:40} {v.language:6} {v.gender or '?':7} {v.quality:7} {size}{notes}"


def _install(keys: list[str], settings: Settings) -> int:
    from core.engine.catalog import fetch_catalog, find_voice
    from core.engine.voice_install import install_listed
    from core.progressbar import ProgressBar

    catalog = fetch_catalog(settings.voices_base_url)
    wanted = [find_voice(catalog, key) for key in keys]  # every key checked before any download
    for voice in wanted:
        with ProgressBar(enabled=sys.stderr.isatty()) as bar:
            path = install_listed(
                voice,
                settings,
                progress=lambda done, total: bar.update("download", 100 * done / max(total, 1)),
            )
        if path is None:
            print(f"{voice.key} is already installed.")
            continue
        gender = f", {voice.gender}" if voice.gender else ""
        print(f"✅ Installed {voice.key} ({voice.language}{gender}) in {path}")
        if voice.licence:
            print(f"   Licence: {voice.licence}")
    return EXIT_OK


def _remove(keys: list[str], settings: Settings) -> int:
    from core.engine.voice_install import remove_voice
    from core.engine.voices import installed_voices

    for key in keys:
        remove_voice(settings.voices_path, key)
        installed_voices.cache_clear()
        print(f"Removed {key}.")
    return EXIT_OK


def _sample(key: str, out: Path, settings: Settings) -> int:
    from core.engine.sample import render_sample
    from core.engine.voices import choose_voice, installed_voices

    voice, _ = choose_voice(installed_voices(settings.voices_dir), voice_id=key)
    path = render_sample(settings, voice, out.resolve())
    print(f"✅ {path}")
    return EXIT_OK
