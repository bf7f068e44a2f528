"""What a re-voice and caption looks add to the local draft (shown by status, part of the
fingerprint, so a change of look renders again)."""

from __future__ import annotations

from typing import Any

from core.engine.model import CaptionPosition, Captions, CaptionStyle, MixMode, RenderOptions


def speech_captions(
    media: dict[str, Any] | None,
    script: object | None,
    narration: dict[str, Any] | None,
    opts: RenderOptions,
) -> bool:
    """Captions made from the video's speech: asked for, a video where speech was heard, no
    words of ours."""
    has_sound = bool(media and media.get("has_audio") and media.get("speech"))
    wanted = opts.captions is not Captions.NONE and not opts.revoice
    return wanted and has_sound and script is None and narration is None


def revoice_meta(voice_label: str) -> dict[str, Any]:
    """The voiceover segment of a re-voice: what the video says, read by our voice."""
    return {
        "name": f"{voice_label}, re-voicing the video's speech",
        "text": "",
        "role": "voiceover",
        "volume": 1.0,
        "revoice": True,
    }


def caption_meta(opts: RenderOptions, from_speech: bool, text: str) -> dict[str, Any]:
    """The caption segment's look, its text shown with the look (and whether its words come
    from the speech)."""
    look = [str(opts.caption_style)]
    if opts.caption_position is not CaptionPosition.BOTTOM:
        look.append(str(opts.caption_position))
    if opts.caption_scale != 1.0:
        look.append(f"size ×{opts.caption_scale:g}")
    if opts.caption_colour:
        look.append("coloured")
    plain = opts.caption_style is CaptionStyle.CLASSIC and len(look) == 1
    meta: dict[str, Any] = {
        "style": str(opts.caption_style),
        "position": str(opts.caption_position),
        "colour": opts.caption_colour,
        "scale": opts.caption_scale,
        "from_speech": from_speech,
    }
    shown = "from the video's speech" if from_speech else text
    meta["text"] = shown if plain else f"({', '.join(look)}) {shown}"
    return meta


def original_meta(opts: RenderOptions, volume: float) -> dict[str, Any]:
    """The original audio's segment: ducked, kept, dropped, or with its speech muted."""
    if opts.revoice and opts.mix is not MixMode.REPLACE:
        return {"name": "original audio, speech muted", "role": "original", "volume": 1.0}
    return {"name": "original audio", "role": "original", "volume": volume, "mix": str(opts.mix)}
