"""The console chat: lines in, replies out; paths and URLs are attachments; pipes wait."""

from __future__ import annotations

import asyncio
import io
import socket
from pathlib import Path
from subprocess import CompletedProcess

import httpx
import pytest

from bots.console import parse_line, run_console
from core.service import Service
from tests.cli_helpers import voiceover

SEED = "add a natural-sounding male voiceover reading my script in English: Hello and welcome."


def test_a_path_or_url_line_is_an_attachment(tiny: Path) -> None:
    with_text = parse_line(f"{tiny} make it 9:16", "1")
    assert [a.name for a in with_text.attachments] == ["demo.mp4"]
    assert (
        with_text.text == "make it 9:16" and with_text.attachments[0].size == tiny.stat().st_size
    )
    url = parse_line("https://example.com/media/clip.mp4?x=1 slower", "2")
    assert (url.attachments[0].url, url.attachments[0].name) == (
        "https://example.com/media/clip.mp4?x=1",
        "clip.mp4",
    )
    assert url.text == "slower"
    plain = parse_line("/nonexistent/file.mp4 hello", "3")
    assert plain.attachments == () and plain.text == "/nonexistent/file.mp4 hello"


def test_a_path_with_spaces_is_one_attachment(tiny: Path, tmp_path: Path) -> None:
    spaced = tmp_path / "my demo.mp4"
    spaced.write_bytes(tiny.read_bytes())
    message = parse_line(str(spaced), "1")
    assert [a.name for a in message.attachments] == ["my demo.mp4"] and message.text == ""


async def test_every_flow_through_the_console(service: Service, tiny: Path) -> None:
    out = io.StringIO()
    lines = [f"{tiny} {SEED}", "/credits", "status", "slower", "export", "/credits"]
    await run_console(service, lines, out)
    text = out.getvalue()
    credits = await service.backend.credits("console:you")
    assert "bot> 🎬 Got demo.mp4: 0:04, 160×120" in text
    assert "Timeline (3 tracks): 1. Video: demo.mp4 (0-4s)" in text
    picture = text.split("bot> 🗂 The timeline\n", 1)[1].split("\n", 1)[0].strip()
    head = (await asyncio.to_thread(Path(picture).read_bytes))[:4]
    assert picture.endswith(".png") and head == b"\x89PNG"
    assert "✅ Speed: 0.9×" in text
    links = [line.strip() for line in text.splitlines() if line.strip().startswith("http://")]
    assert len(links) == 2
    # /credits after the upload reflects it: the render's price is frozen (or already settled)
    first = next(line for line in text.splitlines() if line.startswith("bot> 💳"))
    assert first in (
        "bot> 💳 Credits: 90 available, 10 frozen, 100 total.",
        "bot> 💳 Credits: 90 available, 0 frozen, 90 total.",
    )
    assert (credits.available, credits.frozen) == (80, 0)


async def test_console_links_download(service: Service, tiny: Path) -> None:
    out = io.StringIO()
    await run_console(service, [f"{tiny} Hello and welcome to the demo."], out)
    link = next(line.strip() for line in out.getvalue().splitlines() if "/r/" in line)
    async with httpx.AsyncClient() as client:
        response = await client.get(link)
    assert response.status_code == 200 and response.content[4:8] == b"ftyp"


def console(command: str, stdin: str, tmp_path: Path, **env: str) -> CompletedProcess[str]:
    """`voiceover command` with this stdin, run from a folder of its own, links on any port."""
    cwd = tmp_path / "cwd"
    cwd.mkdir(exist_ok=True)
    env = {"HTTP_PORT": "0", **env}
    return voiceover(command, cwd=cwd, data_dir=tmp_path / "data", stdin=stdin, timeout=240, **env)


@pytest.mark.parametrize("command", ["chat", "serve"])  # serve with no token: the console
def test_voiceover_chat_from_a_pipe_waits_for_the_result(
    tiny: Path, tmp_path: Path, command: str
) -> None:
    done = console(command, f"{tiny} Hello and welcome.\n/credits\n", tmp_path)
    assert done.returncode == 0, done.stderr
    assert "🎬 Got demo.mp4" in done.stdout and "/r/" in done.stdout
    assert "Traceback" not in done.stderr


def test_a_configuration_error_exits_2_without_a_traceback(tmp_path: Path) -> None:
    done = console("chat", "", tmp_path, LINK_SECRET="short")
    assert done.returncode == 2
    assert "Configuration error: LINK_SECRET" in done.stderr and "Traceback" not in done.stderr
    assert "short" not in done.stderr


def test_a_busy_port_exits_2_without_a_traceback(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        done = console("chat", "", tmp_path, HTTP_PORT=port)
    assert done.returncode == 2, done.stderr
    assert "Configuration error: can't start" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "line",
    ["x" * 300, "词" * 100 + " slower", "/tmp/" + "a" * 300 + ".mp4 make it slower", "a\x00b"],
)
def test_any_line_is_text_even_a_name_too_long_for_the_file_system(line: str) -> None:
    message = parse_line(line, "1")
    assert message.attachments == () and message.text == line.strip()


async def test_a_very_long_line_gets_an_answer(service: Service) -> None:
    out = io.StringIO()
    await run_console(service, ["make it slower " + "z" * 300, "/credits"], out)
    assert out.getvalue().count("bot> ") >= 2 and "💳 Credits" in out.getvalue()


async def test_console_upload_prints_the_link(service: Service) -> None:
    out = io.StringIO()
    await run_console(service, ["/upload"], out)
    text = out.getvalue()
    assert "bot> 📤 Upload your file here" in text
    [link] = [line.strip() for line in text.splitlines() if "/u/" in line]
    async with httpx.AsyncClient() as client:
        page = await client.get(link)
    assert page.status_code == 200 and 'id="file"' in page.text
