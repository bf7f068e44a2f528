"""The preview lays the script on the shots as the render does, also when the paragraphs and
the shots differ in number (a paragraph on a run of shots, or a one-paragraph script by its
sentences), and the layout comes from the text: the same on every render."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.config import Settings
from core.engine.model import Limits, RenderOptions, RenderRequest, RenderResult, Sync
from core.engine.preview import render_preview
from core.engine.render import render
from core.engine.scripts import parse_script_text
from core.engine.sync_items import script_items
from tests.shot_clips import make_colour_shots

# Five 1.5 s shots; three paragraphs: the first long (it takes shots 0-2), then one shot each.
LENGTHS = (1.5, 1.5, 1.5, 1.5, 1.5)
THREE = (
    "Red opens with a long paragraph. It takes three shots. It goes on.",
    "Then yellow.",
    "Magenta ends.",
)
ONE = "First one. Second one here. Third. Fourth comes next. Fifth."
HEAD_S = 4.0  # shots 0, 1 and 2 start in the preview


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_colour_shots(tmp_path_factory.mktemp("preview") / "five.mp4", LENGTHS)


def _both(settings: Settings, clip: Path, text: str, tmp: Path) -> tuple[RenderResult, ...]:
    script = parse_script_text(text, Limits())
    options = RenderOptions(sync=Sync.SHOTS)
    req = RenderRequest(out=tmp / "full.mp4", media=clip, script=script, options=options)
    full = render(req, settings)
    preview = render_preview(
        RenderRequest(out=tmp / "p.mp4", media=clip, script=script, options=options),
        settings,
        seconds=HEAD_S,
    )
    return full, preview


def _laid(result: RenderResult) -> list[tuple[str, int | None, float]]:
    return [(s.text, s.shot, round(s.start_s, 2)) for s in result.segments]


def test_paragraphs_fewer_than_shots(settings: Settings, clip: Path, tmp_path: Path) -> None:
    full, preview = _both(settings, clip, "\n\n".join(THREE), tmp_path)
    assert full.sync == preview.sync == "shots"
    # The render: the long paragraph on shots 0-2 (its sentences on them in turn).
    assert [s.shot for s in full.segments][-2:] == [3, 4]
    # The preview shows its first paragraph, laid the same way (the speech cache makes the
    # sentences the very same audio, so even their starts agree).
    head = _laid(preview)
    assert [t for t, _, _ in head] == [t for t, _, _ in _laid(full)][:3]
    assert head == _laid(full)[: len(head)]


def test_one_paragraph_by_sentences(settings: Settings, clip: Path, tmp_path: Path) -> None:
    full, preview = _both(settings, clip, ONE, tmp_path)
    head = _laid(preview)
    assert head and head == _laid(full)[: len(head)]
    assert {shot for _, shot, _ in head} >= {0, 1}


def test_grouping_depends_on_the_text_alone() -> None:
    script = parse_script_text(
        "One two three. [pause 2s] Four.\n\n[pause 1s]\n\nFive six.", Limits()
    )
    items = script_items(script)
    assert [i.cue for i in items] == [0, 2]  # the pause-only paragraph is the first one's
    assert [i.weight for i in items] == [4 + 2 * 2.5 + 1 * 2.5, 2]
