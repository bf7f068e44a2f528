"""The API against its own OpenAPI document: the real `voiceover chat` process (a new user's
key from /apikey typed in the terminal), then Schemathesis fuzzing every operation: no 5xx,
every status, content type, header and body as documented."""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api_helpers import KEY, SECRET
from tests.cli_helpers import cli_command, cli_env
from tests.loopback import free_port

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = 25  # per operation
NOWHERE = "http://127.0.0.1:9/x"  # generated links point here: nothing is looked up or fetched


@dataclass
class Terminal:
    """`voiceover chat` running, with the key its /apikey printed."""

    base: str
    key: str
    secret: str
    proc: subprocess.Popen[str]


@pytest.fixture(scope="module")
def terminal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Terminal]:
    home = tmp_path_factory.mktemp("terminal")
    port = free_port()
    env = cli_env(
        home / "data",
        HTTP_PORT=str(port),
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        API_RATE_PER_MINUTE="100000",  # the fuzzing is not rate limited
    )
    proc = subprocess.Popen(
        cli_command("chat"),
        env=env,
        cwd=home,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write("/apikey\n")
        proc.stdin.flush()
        printed = ""
        deadline = time.monotonic() + 120
        while not (KEY.search(printed) and SECRET.search(printed)):
            line = proc.stdout.readline()
            assert line and time.monotonic() < deadline, printed
            printed += line
        key, secret = KEY.search(printed), SECRET.search(printed)
        assert key and secret
        yield Terminal(f"http://127.0.0.1:{port}", key.group(1), secret.group(1), proc)
    finally:
        proc.stdin.close()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _tame_links(case: Any) -> None:
    """Links in generated bodies go nowhere (no name is looked up, nothing leaves 127.0.0.1)."""
    body = case.body
    if isinstance(body, dict):
        for name in ("media_url", "callback_url"):
            if name in body:
                body[name] = NOWHERE


def test_the_document_is_valid_openapi_3_1(terminal: Terminal) -> None:
    document = httpx.get(f"{terminal.base}/api/v1/openapi.json").json()
    validate(document)
    assert document["openapi"] == "3.1.0" and len(document["paths"]) == 6


def test_schemathesis_finds_no_5xx_and_no_answer_off_the_document(terminal: Terminal) -> None:
    schema = schemathesis.openapi.from_url(f"{terminal.base}/api/v1/openapi.json")
    auth = {"Authorization": f"Bearer {terminal.key}"}
    tried = []
    statuses: dict[int, int] = {}
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            _tame_links(case)
            response = case.call_and_validate(base_url=terminal.base, headers=auth, checks=CHECKS)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        run()
        tried.append(operation.label)
    assert len(tried) == 8, tried
    assert statuses.get(200, 0) > 10 and statuses.get(422, 0) > 5, statuses  # it did get through
    assert re.fullmatch(r"whsec_[A-Za-z0-9_-]{43}", terminal.secret)
    assert (Path(terminal.base) != Path("")) and terminal.proc.poll() is None
