"""A short sample of a voice, in its own language, as Ogg/Opus (rendered once, then cached)."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
from pathlib import Path

import numpy as np

from core.config import Settings
from core.engine.ffmpeg import run_ffmpeg
from core.engine.model import VoiceInfo
from core.engine.narration import write_wav
from core.engine.textnorm import normalize_for_speech
from core.engine.tts import get_synthesizer

SAMPLE_TEXTS: dict[str, str] = {
    "en": "Hello! This is how I sound reading your script. I hope you like my voice.",
    "zh": "你好！这是我朗读你的脚本时的声音，希望你喜欢。",
    "de": "Hallo! So klinge ich, wenn ich dein Skript vorlese.",
    "fr": "Bonjour ! Voici ma voix quand je lis votre texte.",
    "es": "¡Hola! Así sueno cuando leo tu guion.",
    "it": "Ciao! Ecco come suono quando leggo il tuo testo.",
    "pt": "Olá! É assim que eu soo ao ler o seu roteiro.",
    "ru": "Привет! Так звучит мой голос, когда я читаю ваш сценарий.",
    "nl": "Hallo! Zo klink ik als ik je tekst voorlees.",
    "pl": "Cześć! Tak brzmię, gdy czytam twój scenariusz.",
    "uk": "Привіт! Так звучить мій голос, коли я читаю ваш сценарій.",
}
SAMPLE_TIMEOUT_S = 120.0
OPUS_RATE = 48_000  # Ogg/Opus granule positions count 48 kHz samples
OGG_TAIL_BYTES = 64 * 1024  # the last Ogg page lies within this many bytes of the end
_RENDERING = threading.Lock()  # one render at a time: two asks for one voice render it once


def sample_text(language: str) -> str:
    """The sample sentence for a language ("zh_CN" → Chinese), English when we have none."""
    return SAMPLE_TEXTS.get(language.split("_")[0].lower(), SAMPLE_TEXTS["en"])


def sample_cache_path(settings: Settings, voice: VoiceInfo) -> Path:
    """Where a voice's sample is cached: DATA_DIR/samples/<id>-<hash of model and text>.ogg."""
    text = sample_text(voice.language)
    stamp = f"{voice.model_path.stat().st_size}:{voice.speaker_id}:{text}"
    digest = hashlib.sha256(stamp.encode("utf-8")).hexdigest()[:12]
    safe_id = voice.id.replace(":", "_").replace("/", "_")
    return settings.data_dir / "samples" / f"{safe_id}-{digest}.ogg"


def render_sample(settings: Settings, voice: VoiceInfo, out: Path | None = None) -> Path:
    """The voice's sample as Ogg/Opus (cached per voice); copied to `out` when given."""
    cached = sample_cache_path(settings, voice)
    with _RENDERING:
        if not cached.is_file():
            cached.parent.mkdir(parents=True, exist_ok=True)
            _render_to(settings, voice, cached)
    if out is None:
        return cached
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cached, out)
    return out


def _render_to(settings: Settings, voice: VoiceInfo, dest: Path) -> None:
    """Speak the sample text and encode it to dest atomically."""
    text = normalize_for_speech(sample_text(voice.language), voice.language)
    clips = get_synthesizer(settings.tts_threads).synthesize(voice, [text])
    samples = np.concatenate(clips) if clips else np.zeros(0, dtype=np.float32)
    with tempfile.TemporaryDirectory(prefix="voiceover-sample-") as tmp:
        wav = Path(tmp) / "sample.wav"
        write_wav(wav, samples, voice.sample_rate)
        partial = dest.with_name(f".{dest.name}.{os.getpid()}.partial.ogg")
        try:
            args = ["-i", str(wav), "-vn", "-c:a", "libopus", "-b:a", "48k", str(partial)]
            run_ffmpeg(args, timeout_s=SAMPLE_TIMEOUT_S)
            os.replace(partial, dest)
        finally:
            partial.unlink(missing_ok=True)


def voice_sample(settings: Settings, voice: VoiceInfo) -> tuple[Path, float]:
    """The voice's cached sample and its length in seconds (rendered on first use)."""
    path = render_sample(settings, voice)
    return path, ogg_opus_duration(path)


def ogg_opus_duration(path: Path) -> float:
    """The length of an Ogg/Opus file from its last page's granule position, less pre-skip."""
    with path.open("rb") as handle:
        head = handle.read(512)
        handle.seek(max(0, path.stat().st_size - OGG_TAIL_BYTES))
        tail = handle.read()
    at, last = head.find(b"OpusHead"), tail.rfind(b"OggS")
    if at < 0 or last < 0 or len(tail) < last + 14:
        return 0.0
    pre_skip = int.from_bytes(head[at + 10 : at + 12], "little")
    granule = int.from_bytes(tail[last + 6 : last + 14], "little")
    return max(0.0, (granule - pre_skip) / OPUS_RATE)
