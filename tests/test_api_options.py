"""Every render option a POST /api/v1/jobs form takes reaches the draft: the request's
instruction text, read back by the chats' own instruction table, sets exactly those options."""

from __future__ import annotations

import itertools
from typing import Any, get_args

import pytest

from core.backends.local.instructions import read_changes
from core.web.api.models import JobFields
from core.web.api.submit import JobRequest


def _read(fields: dict[str, Any]) -> tuple[dict[str, Any], str]:
    request = JobRequest("owner", JobFields.model_validate(fields), {})
    head, _, script = request.instruction_text().partition("\n")
    return {k: str(v) for k, v in read_changes(head).items()}, script


@pytest.mark.parametrize(
    ("sync", "hold", "overrun"),
    list(itertools.product(("shots", "none"), ("freeze", "slow"), ("extend", "speedup"))),
)
def test_sync_hold_and_overrun_fields_set_those_options(
    sync: str, hold: str, overrun: str
) -> None:
    fields = {"sync": sync, "hold": hold, "overrun": overrun, "speed": 1.1, "text": "Hello."}
    changes, script = _read(fields)
    assert script == "Hello."
    assert {k: changes.get(k) for k in ("sync", "hold", "overrun", "speed")} == {
        "sync": sync,
        "hold": hold,
        "overrun": overrun,
        "speed": "1.1",
    }


def test_sync_auto_is_every_api_project_s_default_so_it_says_nothing() -> None:
    changes, script = _read({"sync": "auto", "text": "Hello there."})
    assert "sync" not in changes and script == "Hello there."


def test_every_choice_the_schema_offers_has_a_phrase() -> None:
    for name in ("sync", "hold", "overrun"):
        for value in get_args(get_args(JobFields.model_fields[name].annotation)[0]):
            if (name, value) != ("sync", "auto"):
                assert _read({name: value, "text": "Hi."})[0].get(name) == value
