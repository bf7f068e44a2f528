"""Fonts from PyPI for captions and pictures: Roboto for Latin text, Noto Sans SC (SIL OFL, from
justmytype-intl-cjk) for Chinese.

Noto Sans SC ships as a 17 MB variable font, which libass cannot select. Burning Chinese captions
therefore takes a static Medium instance cut down to the characters on screen (fontTools: ~0.3 s,
~60 KB), made in the render's own work folder.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

import font_roboto
import justmytype_intl_cjk
from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.varLib.instancer import instantiateVariableFont

LATIN_FAMILY = "Roboto Medium"
CJK_FAMILY = "Noto Sans SC Medium"  # the name instantiateVariableFont gives wght=500
CJK = re.compile(
    r"[\u2e80-\u2fff\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]"
)


def has_cjk(text: str) -> bool:
    """True when the text holds Chinese (or Japanese) characters or full-width punctuation."""
    return CJK.search(text) is not None


def roboto_dir() -> Path:
    """The folder of the Roboto font files."""
    return Path(font_roboto.__file__).parent / "files"


@lru_cache(maxsize=1)
def noto_sans_sc() -> Path:
    """The Noto Sans SC variable font file."""
    root = Path(justmytype_intl_cjk.__file__).parent / "fonts" / "ofl" / "notosanssc"
    return next(root.glob("NotoSansSC*.ttf"))


def caption_fonts(dest: Path, text: str) -> str:
    """Fill `dest` with the fonts that captions of `text` need; returns the family to name."""
    dest.mkdir(parents=True, exist_ok=True)
    for font in roboto_dir().glob("*.ttf"):
        os.symlink(font, dest / font.name)
    if not has_cjk(text):
        return LATIN_FAMILY
    font = TTFont(str(noto_sans_sc()), lazy=True)
    options = subset.Options()
    options.layout_features, options.name_IDs, options.notdef_outline = ["*"], ["*"], True
    cutter = subset.Subsetter(options)
    cutter.populate(text=text + "0123456789")
    cutter.subset(font)
    instantiateVariableFont(font, {"wght": 500}, inplace=True, updateFontNames=True)
    font.save(str(dest / "NotoSansSC-Medium.ttf"))
    return CJK_FAMILY
